"""The registry and decorators, through a real session: what a magic author sees."""

from __future__ import annotations

import sys
import textwrap

import pytest

from anymagic import (
    BaseHost,
    Magics,
    UsageError,
    cell_magic,
    line_cell_magic,
    line_magic,
    magics_class,
    needs_local_scope,
    no_var_expand,
    register_cell_magic,
    register_line_magic,
)
from anymagic.registry.discovery import EntryPoint
from anymagic.registry.registry import MagicRegistry


@magics_class
class Sample(Magics):
    @line_magic
    def echo(self, line):
        """Return the line."""
        return line

    @cell_magic
    def upper(self, line, cell):
        return (line + "|" + cell).upper()

    @line_cell_magic
    def both(self, line, cell=None):
        return ("cell", line, cell) if cell is not None else ("line", line)

    @line_magic("renamed")
    def _hidden_name(self, line):
        return "renamed:" + line

    @no_var_expand
    @line_magic
    def raw(self, line):
        return line

    @needs_local_scope
    @line_magic
    def localvar(self, line, local_ns):
        return local_ns[line.strip()]


def test_magics_class_collects_kinds_and_names():
    assert Sample.magics["line"] == {
        "echo": "echo",
        "both": "both",
        "renamed": "_hidden_name",
        "raw": "raw",
        "localvar": "localvar",
    }
    assert Sample.magics["cell"] == {"upper": "upper", "both": "both"}


def test_group_without_magics_class_is_refused(shell):
    class Plain(Magics):
        @line_magic
        def x(self, line):
            return line

    with pytest.raises(TypeError, match="magics_class"):
        Plain(shell=shell.session)


def test_registered_group_runs_line_cell_and_both(shell):
    shell.session.register_magics(Sample)
    shell.ns["name"] = "world"
    assert shell.run("%echo hello $name")[2].result == "hello world"
    assert shell.run("%%upper a\nb\n")[2].result == "A|B\n"
    assert shell.run("%both x")[2].result == ("line", "x")
    assert shell.run("%%both y\nbody")[2].result == ("cell", "y", "body")
    assert shell.run("%renamed z")[2].result == "renamed:z"
    assert shell.run("%raw $name {name}")[2].result == "$name {name}"


def test_expansion_sees_function_locals_and_local_scope(shell):
    shell.session.register_magics(Sample)
    out, err, result = shell.run(
        textwrap.dedent(
            """\
            def f():
                inner = 41
                a = %echo {inner + 1}
                b = %localvar inner
                return a, b
            f()
            """
        )
    )
    assert err == ""
    assert result.result == ("42", 41)


def test_register_line_and_cell_magic_functions(shell):
    @register_line_magic
    def shout(line):
        return line.upper()

    @register_cell_magic("count_lines")
    def _count(line, cell):
        return len(cell.splitlines())

    assert shell.run("%shout hi")[2].result == "HI"
    assert shell.run("%%count_lines\na\nb\nc")[2].result == 3


def test_magic_alias(shell):
    shell.session.register_magics(Sample)
    shell.session.register_magic_alias("e2", "echo", magic_params="pre")
    assert shell.run("%e2 post")[2].result == "pre post"


def test_unknown_magic_is_one_line_usage_error(shell):
    out, err, result = shell.run("%nosuchmagic 1")
    assert isinstance(result.error, UsageError)
    assert err == "UsageError: Line magic function `%nosuchmagic` not found.\n"


def test_line_magic_used_as_cell_gets_a_hint(shell):
    shell.session.register_magics(Sample)
    out, err, result = shell.run("%%echo\nbody")
    assert "Cell magic function `%%echo` not found (there is a line magic: %echo)" in err
    assert "Traceback" not in err


def test_cell_magic_not_on_first_line(shell):
    shell.session.register_magics(Sample)
    out, err, _ = shell.run("x = 1\n%%upper\nbody")
    assert err.startswith("UsageError: Cell magic `%%upper` must be the first line of a cell.")


def test_bad_registration_arguments():
    registry = MagicRegistry()
    with pytest.raises(ValueError, match="kind"):
        registry.register("block", "x", lambda line: line)
    with pytest.raises(ValueError, match="name"):
        registry.register("line", "bad name", lambda line: line)


def test_later_registration_shadows_and_unregister_restores(shell):
    registry = shell.session.registry
    registry.register("line", "who1", lambda line: "first")
    registry.register("line", "who1", lambda line: "second", owner="ext")
    assert shell.run("%who1")[2].result == "second"
    assert registry.unregister_owner("ext") == 1
    assert shell.run("%who1")[2].result == "first"


def _fake_module(tmp_path, name, body):
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(body))
    sys.path.insert(0, str(tmp_path))
    return name


def test_lazy_entry_points_import_on_first_use(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "lazy_group_mod.py").write_text(
        textwrap.dedent(
            """
            from anymagic import Magics, magics_class, line_magic, register_line_magic
            @magics_class
            class G(Magics):
                @line_magic
                def lazy1(self, line): return "lazy1:" + line
                @line_magic
                def extra(self, line): return "extra"
            def plain(line): return "plain:" + line
            """
        )
    )
    eps = [
        EntryPoint("anymagic.magics", "lazy1", "lazy_group_mod:G", "zz-dist"),
        EntryPoint("anymagic.magics", "plainfn", "lazy_group_mod:plain", "zz-dist"),
    ]
    session = BaseHost(data_dir=tmp_path / "d").attach(entry_points=eps)
    assert "lazy1" in session.registry and "plainfn" in session.registry
    assert "lazy_group_mod" not in sys.modules
    assert session.run_cell("%lazy1 a").result == "lazy1:a"
    assert "lazy_group_mod" in sys.modules
    assert session.run_cell("%plainfn b").result == "plain:b"
    assert session.run_cell("%extra").result == "extra"  # unclaimed names of a group come along
    del sys.modules["lazy_group_mod"]


def test_conflicts_resolve_deterministically(tmp_path, capsys):
    eps = [
        EntryPoint("anymagic.magics", "dup", "mod_b:f", "b-dist"),
        EntryPoint("anymagic.magics", "dup", "mod_a:f", "a-dist"),
        EntryPoint("anymagic.magics", "lsmagic", "evil:f", "aaa-evil"),
        EntryPoint(
            "anymagic.magics", "lsmagic", "anymagic.core_magics.basic:BasicMagics", "anymagic"
        ),
    ]
    session = BaseHost(data_dir=tmp_path).attach(entry_points=eps)
    registry = session.registry
    assert registry.plugin_for("dup").dist == "a-dist"
    assert registry.plugin_for("lsmagic").dist == "anymagic"
    assert registry.conflicts["dup"] == ["a-dist (mod_a:f)", "b-dist (mod_b:f)"]
    err = capsys.readouterr().err
    assert "%dup is claimed by a-dist (mod_a:f), b-dist (mod_b:f); using the first" in err


def test_broken_plugin_is_named_and_skipped(tmp_path, capsys):
    eps = [
        EntryPoint("anymagic.magics", "broken", "no_such_module_xyz:f", "broken-dist"),
        EntryPoint(
            "anymagic.magics", "lsmagic", "anymagic.core_magics.basic:BasicMagics", "anymagic"
        ),
    ]
    session = BaseHost(data_dir=tmp_path).attach(entry_points=eps)
    result = session.run_cell("%broken")
    err = capsys.readouterr().err
    assert result.error is not None
    assert err.startswith("anymagic: could not load plugin broken-dist (no_such_module_xyz:f): ")
    assert "ModuleNotFoundError" in err and "Traceback" not in err
    assert session.run_cell("1 + 1").result == 2
    session.run_cell("%lsmagic -v")
    assert (
        "Failed to load broken-dist (no_such_module_xyz:f): ModuleNotFoundError"
        in capsys.readouterr().out
    )


def test_disabled_and_no_autoload(tmp_path, monkeypatch):
    eps = [
        EntryPoint("anymagic.magics", "third", "m:f", "third-party"),
        EntryPoint(
            "anymagic.magics", "lsmagic", "anymagic.core_magics.basic:BasicMagics", "anymagic"
        ),
    ]
    session = BaseHost(data_dir=tmp_path).attach(entry_points=eps, disabled_plugins=["Third_Party"])
    assert "third" not in session.registry and "lsmagic" in session.registry
    monkeypatch.setenv("ANYMAGIC_NO_AUTOLOAD", "1")
    session = BaseHost(data_dir=tmp_path).attach(entry_points=eps)
    assert "third" not in session.registry and "lsmagic" in session.registry
    monkeypatch.delenv("ANYMAGIC_NO_AUTOLOAD")
    monkeypatch.setenv("ANYMAGIC_DISABLE", "other, third-party")
    session = BaseHost(data_dir=tmp_path).attach(entry_points=eps)
    assert "third" not in session.registry


def test_disabled_distribution_hides_its_extensions_too(tmp_path):
    eps = [
        EntryPoint("anymagic.extensions", "theirext", "their_ext_mod", "third-party"),
        EntryPoint("anymagic.extensions", "autocall", "anymagic.extensions.autocall", "anymagic"),
    ]
    session = BaseHost(data_dir=tmp_path).attach(entry_points=eps, disabled_plugins=["third-party"])
    assert session.extensions.available() == ["autocall"]
    session = BaseHost(data_dir=tmp_path).attach(entry_points=eps, autoload=False)
    assert session.extensions.available() == ["autocall"]
    session = BaseHost(data_dir=tmp_path).attach(entry_points=eps)
    assert session.extensions.available() == ["autocall", "theirext"]
