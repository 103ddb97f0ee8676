"""%alias, %unalias, %rehashx and the default aliases, through a session."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from conftest import Shell, ok, usage_error


@pytest.fixture
def commands(shell: Shell, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Shell commands the session runs, recorded instead of run."""
    ran: list[str] = []

    def system(cmd: str, *, capture: bool = False) -> int:
        ran.append(cmd)
        return 0

    monkeypatch.setattr(shell.host, "system", system)
    return ran


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="IPython's Linux defaults")
def test_default_aliases_work_in_a_fresh_session(shell: Shell, commands: list[str]) -> None:
    ok(shell, "%ls -a")  # an entry point: loads the alias group
    ok(shell, "ll")  # automagic
    ok(shell, "%ldir sub")
    assert commands == ["ls -F --color -a", "ls -F -o --color", "ls -F -o --color sub | grep /$"]
    table = shell.session.alias_table
    assert type(table) is dict
    assert {"cat", "cp", "mkdir", "mv", "rm", "rmdir", "ls", "ll", "lf", "lk", "ldir", "lx"} <= set(
        table
    )


def test_alias_table_attribute_and_listing(shell: Shell, commands: list[str]) -> None:
    out, _, result = shell.run("%alias")
    table = shell.session.alias_table
    assert out.startswith(f"Total number of aliases: {len(table)}\nOut[1]: [('cat'")
    assert result.result == sorted(table.items())
    ok(shell, "%alias hi echo hi")
    assert table["hi"] == "echo hi"  # the same dict object, kept up to date
    assert ok(shell, "%alias hi") == "hi is an alias for: echo hi\n"
    assert shell.session.alias_manager.retrieve_alias("hi") == "echo hi"


def test_positional_arguments(shell: Shell, commands: list[str]) -> None:
    ok(shell, "%alias parts echo first %s second %s")
    ok(shell, "%parts A B")
    ok(shell, "parts A B C D")  # automagic; extra words follow
    ok(shell, '%parts "a b" c')  # a quoted word is one argument
    assert commands == [
        "echo first A second B",
        "echo first A second B C D",
        'echo first "a b" second c',
    ]
    assert usage_error(shell, "%parts A") == (
        "UsageError: Alias <parts> requires 2 arguments, got 1 (it runs: echo first %s second %s)"
    )
    assert len(commands) == 3


def test_whole_line_and_literal_percent(shell: Shell, commands: list[str]) -> None:
    ok(shell, '%alias bracket echo "<%l>" done')
    ok(shell, "bracket hello world")
    ok(shell, "%alias lit printf %%s-%%l +%Y")
    ok(shell, "lit x")
    assert commands == ['echo "<hello world>" done', "printf %s-%l +%Y x"]


def test_dollar_expansion_like_shell_escapes(shell: Shell, commands: list[str]) -> None:
    ok(shell, "%alias show echo")
    ok(shell, "PATH = 'a Python string'")
    ok(shell, "show $PATH $$PATH {1 + 1}")
    ok(shell, "%alias where echo $place")  # expanded when the alias runs, not when defined
    ok(shell, "place = 'here'")
    ok(shell, "where")
    ok(shell, "place = 'there'")
    ok(shell, "%where $$x")
    assert commands == ["echo a Python string $PATH 2", "echo here", "echo there $x"]
    assert shell.session.alias_table["where"] == "echo $place"


def test_real_command_output_and_exit_code(shell: Shell, capfd: pytest.CaptureFixture[str]) -> None:
    ok(shell, "%alias say echo said")
    shell.run("%say it")
    assert capfd.readouterr().out == "said it\n"
    assert shell.ns["_exit_code"] == 0
    ok(shell, "%alias fail sh -c 'exit 3'")
    shell.run("fail")
    assert shell.ns["_exit_code"] == 3


def test_bad_definitions_are_refused(shell: Shell, commands: list[str]) -> None:
    for cell, message in {
        "%alias for echo": "UsageError: %alias: 'for' is a Python keyword and cannot be an alias",
        "%alias match echo": "UsageError: %alias: 'match' is a Python keyword...",
        "%alias cd echo": "UsageError: %alias: %cd is a magic; an alias cannot replace it",
        "%alias alias echo": "UsageError: %alias: %alias is a magic; an alias cannot replace it",
        "%alias timeit echo": "UsageError: %alias: %timeit is a magic; an alias cannot replace it",
        "%alias a-b echo": "UsageError: %alias: invalid alias name 'a-b': use a Python identifier",
        "%alias both echo %s %l": "UsageError: %alias: %s and %l cannot be used together...",
        "%alias nosuch": "UsageError: %alias: no alias named 'nosuch'; to define one",
    }.items():
        line = usage_error(shell, cell)
        assert line == message or (message.endswith("...") and line.startswith(message[:-3]))
    table = shell.session.alias_table
    assert not {"for", "match", "cd", "alias", "timeit", "a-b", "both"} & set(table)
    ok(shell, "%cd -q .")  # %cd still the magic


def test_unalias_and_redefine(shell: Shell, commands: list[str]) -> None:
    ok(shell, "%alias hi echo one")
    ok(shell, "%alias hi echo two")  # redefining replaces
    ok(shell, "hi")
    ok(shell, "%unalias hi")
    assert "hi" not in shell.session.alias_table
    assert usage_error(shell, "%hi") == "UsageError: Line magic function `%hi` not found."
    _, err, _ = shell.run("hi")
    assert "NameError" in err  # not a magic any more: plain Python
    assert commands == ["echo two"]
    ok(shell, "%unalias ls")  # a default alias too
    assert usage_error(shell, "%ls").startswith("UsageError: Line magic function `%ls` not found")
    ok(shell, "%alias ls echo mine")  # and the name is free again
    assert usage_error(shell, "%unalias nosuch") == (
        "UsageError: %unalias: no alias named 'nosuch' (%alias lists them)"
    )
    assert usage_error(shell, "%unalias").startswith("UsageError: %unalias: one alias NAME")
    assert usage_error(shell, "%unalias cd").startswith("UsageError: %unalias: no alias named")


def _executable(folder: Path, name: str, body: str = "echo fake-$1", mode: int = 0o755) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(mode)


def test_rehashx(
    shell: Shell, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture
) -> None:
    first, second = tmp_path / "bin1", tmp_path / "bin2"
    first.mkdir()
    second.mkdir()
    for name in ("tool", "my.tool2", "apt-get", "print", "cd", "for", "ls", "2to3"):
        _executable(first, name)
    _executable(first, "notexec", mode=0o644)
    (first / "subdir").mkdir(mode=0o755)
    _executable(second, "other")
    monkeypatch.setenv(
        "PATH", os.pathsep.join([str(first), "", str(tmp_path / "missing"), str(second)])
    )
    ok(shell, "%rehashx")
    table = shell.session.alias_table
    assert table["tool"] == "tool" and table["mytool2"] == "my.tool2"
    assert table["other"] == "other"
    for skipped in ("apt-get", "aptget", "print", "cd", "for", "notexec", "subdir", "2to3"):
        assert skipped not in table
    if sys.platform.startswith("linux"):
        assert table["ls"] == "ls -F --color"  # existing aliases stay
    shell.run("%tool one")
    shell.run("mytool2 two")
    assert capfd.readouterr().out == "fake-one\nfake-two\n"
    assert usage_error(shell, "%rehashx x") == "UsageError: %rehashx takes no arguments"


def test_psearch_sees_aliases_and_help_shows_the_command(shell: Shell) -> None:
    ok(shell, "%alias zzshow echo")
    assert ok(shell, "%psearch -s alias zz*") == "zzshow\n"
    from anymagic.registry.help import help_text

    assert "Alias for `!echo`" in help_text(shell.session, "%zzshow")


def test_complete_unalias(shell: Shell) -> None:
    ok(shell, "%alias zza echo")
    ok(shell, "%alias zzb echo")
    group = shell.session.find_magic("alias").__self__
    assert group.complete_unalias("zz", "%unalias zz") == ["zza", "zzb"]
