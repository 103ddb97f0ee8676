"""Running cells through a session: results, errors, history names, help, completion, config."""

from __future__ import annotations

import inspect
import os
import textwrap

import pytest

from anymagic import BaseHost, UsageError
from anymagic.registry.completion import complete
from anymagic.registry.help import help_text


def test_expression_value_is_displayed_and_stored(shell):
    out, err, result = shell.run("x = 20\nx + 1")
    assert (out, err, result.result) == ("Out[1]: 21\n", "", 21)
    shell.run("'b'")
    assert shell.ns["_"] == "b" and shell.ns["__"] == 21 and shell.ns["Out"] == {1: 21, 2: "b"}
    assert shell.ns["_1"] == 21 and shell.ns["In"] == ["", "x = 20\nx + 1", "'b'"]
    assert shell.ns["_i2"] == "'b'" and shell.ns["_i"] == "x = 20\nx + 1"


def test_trailing_semicolon_hides_the_value(shell):
    out, _, result = shell.run("1 + 1;")
    assert out == "" and result.result == 2


def test_none_is_not_displayed(shell):
    assert shell.run("None")[0] == ""


def test_traceback_shows_the_cell_lines_not_anymagic(shell):
    out, err, result = shell.run("def boom():\n    raise ValueError('bad value')\nboom()")
    assert isinstance(result.error, ValueError)
    assert 'File "<generated-anymagic-input-1-1>", line 3, in <module>' in err
    assert "raise ValueError('bad value')" in err
    assert "session.py" not in err and err.rstrip().endswith("ValueError: bad value")


def test_syntax_error_is_shown_plainly(shell):
    _, err, result = shell.run("x = = 1")
    assert isinstance(result.error, SyntaxError)
    assert "SyntaxError: invalid syntax" in err and "session.py" not in err


def test_keyboard_interrupt_returns_to_the_host(shell):
    _, err, result = shell.run("raise KeyboardInterrupt")
    assert isinstance(result.error, KeyboardInterrupt)
    assert "KeyboardInterrupt" in err
    assert shell.run("2")[2].result == 2


def test_system_exit_propagates(shell):
    with pytest.raises(SystemExit):
        shell.run("import sys; sys.exit(3)")


def test_cell_source_is_in_linecache(shell):
    shell.run("def typed_here(a):\n    return a * 2\n")
    source = inspect.getsource(shell.ns["typed_here"])
    assert source == "def typed_here(a):\n    return a * 2\n"


def test_future_imports_persist(shell):
    shell.run("from __future__ import annotations")
    shell.run("def f(x: undefined_name) -> None: pass")
    assert shell.ns["f"].__annotations__ == {"x": "undefined_name", "return": "None"}


def test_top_level_await(shell):
    out, err, result = shell.run("import asyncio\nawait asyncio.sleep(0, result=7)")
    assert err == "" and result.result == 7


def test_shell_commands(shell, tmp_path):
    (tmp_path / "f1.txt").write_text("x")
    shell.ns["where"] = str(tmp_path)
    out, err, result = shell.run("files = !ls $where\nfiles")
    assert result.result == ["f1.txt"]
    assert shell.run("!!echo a b")[2].result == ["a b"]
    assert shell.run("files.s")[2].result == "f1.txt"
    shell.run("!exit 4")
    assert shell.ns["_exit_code"] == 4
    assert shell.run("!echo $$HOME")[2].error is None


def test_events_fire_and_failing_callback_is_reported(shell):
    seen = []
    events = shell.session.events
    events.register("pre_run_cell", lambda info: seen.append("pre"))
    events.register("post_run_cell", lambda result: seen.append(("post", result.result)))

    def broken(result):
        raise RuntimeError("callback broke")

    events.register("post_run_cell", broken)
    out, err, result = shell.run("5")
    assert seen == ["pre", ("post", 5)]
    assert "Error in callback" in err and "callback broke" in err
    assert result.result == 5
    with pytest.raises(KeyError, match="unknown event"):
        events.register("no_such_event", print)


def test_help_for_objects_and_magics(shell):
    shell.run("def documented(a, b=2):\n    'Adds things.'\n    return a + b")
    out, _, _ = shell.run("documented?")
    assert "Signature: documented(a, b=2)" in out and "Adds things." in out
    out, _, _ = shell.run("documented??")
    assert "return a + b" in out
    out, _, _ = shell.run("%lsmagic?")
    assert "List the line and cell magics" in out and "usage: %lsmagic [-v]" in out
    assert "Provided by: anymagic" in out
    _, err, _ = shell.run("nothing_here?")
    assert err == "UsageError: Object `nothing_here` not found.\n"
    assert "Type:" in help_text(shell.session, "os.path.join") if shell.run("import os") else True


def test_completion(shell, tmp_path):
    session = shell.session
    c = complete(session, "%lsm")
    assert c.matches == ["%lsmagic"] and c.start == 0
    assert complete(session, "%lsmagic -").matches == ["--verbose", "-v"]
    shell.run("import os\nmy_variable = 1")
    assert "my_variable" in complete(session, "my_va").matches
    assert "os.path" in complete(session, "os.pa").matches
    (tmp_path / "somefile.txt").write_text("")
    (tmp_path / "somedir").mkdir()
    assert complete(session, f"!cat {tmp_path}/some").matches == [
        f"{tmp_path}/somedir/",
        f"{tmp_path}/somefile.txt",
    ]
    assert complete(session, f"open('{tmp_path}/somef").matches == [f"{tmp_path}/somefile.txt"]


def test_automagic_respects_shadowing(shell):
    out, _, _ = shell.run("automagic")
    assert out == "Automagic is OFF.\n"
    shell.run("%automagic on")
    shell.run("lsmagic = 5")
    assert shell.run("lsmagic")[2].result == 5


def test_config_magic(shell):
    out, _, _ = shell.run("%config")
    assert "Anymagic" in out
    shell.run("%config Anymagic.automagic = False")
    assert shell.session.syntax.automagic is False
    _, err, result = shell.run("%config Anymagic.automagic = 'not a bool'")
    assert err.startswith("UsageError: %config: Anymagic.automagic:") and err.count("\n") <= 2
    assert shell.session.syntax.automagic is False
    _, err, _ = shell.run("%config Anymagic.nope = 1")
    assert "has no option 'nope'" in err
    _, err, _ = shell.run("%config Nope")
    assert "no configurable named 'Nope'" in err


def test_config_file_and_command_line(tmp_path):
    from anymagic.registry.config import load_config

    assert load_config(tmp_path) is None
    (tmp_path / "anymagic_config.py").write_text("c.Anymagic.automagic = False\n")
    config = load_config(tmp_path, ["--Anymagic.extensions=autocall"])
    session = BaseHost(data_dir=tmp_path).attach(config=config)
    assert session.syntax.automagic is False
    assert "anymagic.extensions.autocall" in session.extensions.loaded
    (tmp_path / "anymagic_config.py").write_text("c.Anymagic.automagic = (\n")
    with pytest.raises(UsageError, match="could not be loaded"):
        load_config(tmp_path)
    with pytest.raises(UsageError, match="not a setting"):
        load_config(tmp_path / "none", ["--novalue"])


def test_data_dir_is_private(shell, private_dirs):
    assert oct(os.stat(private_dirs).st_mode & 0o777) == "0o700"
    cache = private_dirs / "cache" / "entry-points.json"
    assert oct(os.stat(cache).st_mode & 0o777) == "0o600"


def test_magic_overview(shell):
    out, _, _ = shell.run("%magic")
    assert "%%name args" in out and "!cmd" in out


def test_lsmagic_groups_by_provider(shell):
    out, _, _ = shell.run("%lsmagic")
    assert "Available line magics:" in out
    provider_line = next(line for line in out.splitlines() if line.startswith("  anymagic: "))
    assert {"%autocall", "%automagic", "%config", "%lsmagic"} <= set(provider_line.split())
    assert "Automagic is ON" in out


def test_pasted_doctest_runs(shell):
    source = textwrap.dedent(
        """\
        >>> a = 2
        >>> for i in range(2):
        ...     a += i
        >>> a
        3
        """
    )
    assert shell.run(source)[2].result == 3


def test_shell_initialized_event_and_get_session(tmp_path):
    import anymagic

    host = BaseHost(data_dir=tmp_path)
    seen = []
    host.events.register("shell_initialized", seen.append)
    session = host.attach()
    assert seen == [session]
    assert anymagic.get_session() is session


def test_value_without_history_shows_current_count(shell, capsys):
    shell.run("1")
    out, _, _ = shell.run("2", store_history=False)
    assert out == "Out[2]: 2\n"


def test_repeated_cell_reports_its_own_number_in_tracebacks(shell):
    source = "def f():\n    return [1 / 0 for _ in range(1)]\nf()"
    _, first, _ = shell.run(source)
    _, second, _ = shell.run(source)  # identical: its compiled code is reused
    assert 'File "<generated-anymagic-input-1-1>", line 3' in first
    assert 'File "<generated-anymagic-input-2-2>", line 3' in second
    assert 'File "<generated-anymagic-input-2-2>", line 2, in <listcomp>' in second
    assert "<generated-anymagic-input-1-1>" not in second


class MinimalHost:
    """Only what a host must have: a namespace and a way to show text."""

    def __init__(self) -> None:
        self.user_ns: dict = {}
        self.shown: list[tuple[str, str]] = []

    def write(self, text: str, stream: str = "stdout") -> None:
        self.shown.append((stream, text))


def test_a_host_without_optional_members_gets_clear_messages(private_dirs):
    from anymagic import Session

    host = MinimalHost()
    session = Session(host)
    assert session.run_cell("20 + 22", store_history=True).result == 42
    assert ("stdout", "Out[1]: 42\n") in host.shown  # no display(): the repr as text
    result = session.run_cell("!echo hi")
    assert isinstance(result.error, UsageError)
    assert host.shown[-1] == (
        "stderr",
        "UsageError: this host (MinimalHost) cannot run shell commands: it has no system()\n",
    )
    session.run_cell("%history -n", store_history=True)  # history kept by the session
    assert "   1: 20 + 22\n" in host.shown[-1][1]
    seen = []
    session.events.register("post_run_cell", seen.append)  # events kept by the session
    session.run_cell("1")
    assert len(seen) == 1
    assert session.data_dir == private_dirs  # $ANYMAGIC_DIR when the host names none


def test_something_that_is_not_a_host_is_refused():
    from anymagic import Session

    with pytest.raises(TypeError, match="object is not a host: it needs user_ns and write"):
        Session(object())


def test_help_on_subscripts_and_unknown_magics(shell):
    shell.run("x = [3.5]")
    out, err, _ = shell.run("x[0]?")
    assert out.startswith("Type:        float\nString form: 3.5\n") and err == ""
    _, err, _ = shell.run("x[5]?")
    assert err == "UsageError: Object `x[5]` not found.\n"
    _, err, _ = shell.run("%nosuch?")
    assert err == "UsageError: %nosuch is not a magic.\n"


def test_pasted_indented_code_runs(shell):
    out, err, result = shell.run("  a = 2\n  if a:\n      print(a * 21)")
    assert (out, err) == ("42\n", "")


def test_captured_output_has_ipython_slist_helpers(shell):
    shell.run("files = !printf 'a.py 10\\nb.txt 2\\nc.py 33\\n'")
    assert shell.run("files.grep('py')")[2].result == ["a.py 10", "c.py 33"]
    assert shell.run("files.grep('py', prune=True)")[2].result == ["b.txt 2"]
    assert shell.run("files.fields(1)")[2].result == ["10", "2", "33"]
    assert shell.run("files.sort(1, nums=True).fields(0)")[2].result == ["b.txt", "a.py", "c.py"]
    assert shell.run("files.grep('b').s")[2].result == "b.txt 2"


def test_cell_source_survives_linecache_clearcache(shell):
    import linecache

    shell.run("def boom():\n    raise ValueError('from an old cell')")
    linecache.clearcache()  # what line_profiler does before showing a report
    _, err, _ = shell.run("boom()")
    assert "raise ValueError('from an old cell')" in err
    assert inspect.getsource(shell.ns["boom"]).startswith("def boom():")


def test_completion_of_unicode_names_and_assigned_magics(shell):
    shell.run("ñame = 1\né = 'b'")
    c = complete(shell.session, "ñam")
    assert (c.start, c.matches) == (0, ["ñame"])
    assert complete(shell.session, "é.up").matches == ["é.upper"]
    c = complete(shell.session, "x = %lsm")
    assert (c.start, c.matches) == (4, ["%lsmagic"])
