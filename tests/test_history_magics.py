"""%history, %macro, %edit and %rerun through a session, and history kept across sessions."""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
from pathlib import Path

import pytest
from conftest import Shell

from anymagic.registry.macro import Macro, macro_source

REPORT = "anymagic: history is not being saved:"


def run_ok(shell: Shell, source: str) -> str:
    out, err, result = shell.run(source)
    assert result.success, err
    assert err == "", err
    return out


def run_usage(shell: Shell, source: str) -> str:
    """Run a cell that must fail with one UsageError line (plus its usage)."""
    ns_before = {k: v for k, v in shell.ns.items() if not k.startswith("_")}
    out, err, result = shell.run(source)
    assert not result.success and err.startswith("UsageError: "), (out, err)
    assert "usage:" in err.splitlines()[1] if len(err.splitlines()) > 1 else True
    after = {k: v for k, v in shell.ns.items() if not k.startswith("_")}
    after.pop("In", None), ns_before.pop("In", None)
    assert after.keys() == ns_before.keys()  # nothing defined or removed
    return err.splitlines()[0]


@pytest.fixture
def filled(shell: Shell) -> Shell:
    for cell in ["a = 1", "b = a + 1", "b * 10", "def f():\n\treturn 'tab'"]:
        run_ok(shell, cell)
    return shell


# -- numbered history ------------------------------------------------------------------------
def test_numbered_variables(filled):
    ns = filled.ns
    assert ns["In"][1:] == ["a = 1", "b = a + 1", "b * 10", "def f():\n\treturn 'tab'"]
    assert ns["_i3"] == "b * 10" and ns["_3"] == 20 and ns["Out"][3] == 20
    run_ok(filled, "a + 1")
    run_ok(filled, "a + 2")
    assert (ns["_"], ns["__"], ns["___"]) == (3, 2, 20)
    assert ns["_i"] == "a + 1" and ns["_ii"] == ns["_i4"]


# -- %history --------------------------------------------------------------------------------
def test_history_whole_session_includes_itself(filled):
    out = run_ok(filled, "%history")
    assert out == "a = 1\nb = a + 1\nb * 10\ndef f():\n    return 'tab'\n%history\n"


def test_history_numbers_ranges_and_slices(filled):
    out = run_ok(filled, "%history -n 2-3 1")
    assert out == "   2: b = a + 1\n   3: b * 10\n   1: a = 1\n"
    assert run_ok(filled, "%hist 1:3") == "a = 1\nb = a + 1\n"
    assert run_ok(filled, "%history -n 4") == "   4:\ndef f():\n    return 'tab'\n"
    assert run_ok(filled, "%history 7-") == "%history -n 4\n%history 7-\n"


def test_history_outputs_and_prompts(filled):
    assert run_ok(filled, "%history -o 3") == "b * 10\n20\n"
    out = run_ok(filled, "%history -p -o 2-4")
    assert out == ">>> b = a + 1\n>>> b * 10\n20\n>>> def f():\n...     return 'tab'\n...\n"


def test_history_translated(shell):
    run_ok(shell, "%lsmagic")
    assert run_ok(shell, "%history 1") == "%lsmagic\n"
    assert "__anymagic__.line('lsmagic'" in run_ok(shell, "%history -t 1")


def test_history_last_n_skips_itself(filled):
    assert run_ok(filled, "%history -l 2") == "b * 10\ndef f():\n    return 'tab'\n"
    out = run_ok(filled, "%history -l")
    assert out.startswith("a = 1\n") and "%history -l 2" in out


def test_history_glob_search(filled):
    out = run_ok(filled, "%history -g a =")
    assert out == "   1: a = 1\n"  # "b = a + 1" has no "a =" (glob, case-sensitive)
    run_ok(filled, "a = 1")
    assert run_ok(filled, "%history -u -g a = 1") == "   6: a = 1\n"
    out = run_ok(filled, "%history 1-3 -g b")  # a pattern filters ranges too
    assert out == "   2: b = a + 1\n   3: b * 10\n"
    assert run_ok(filled, "%history -g 'b ?' -l 1") == "   3: b * 10\n"


def test_history_to_a_file_refuses_to_overwrite(filled, tmp_path):
    target = tmp_path / "h.py"
    assert run_ok(filled, f"%history -f {target} 1-2") == ""
    assert target.read_text() == "a = 1\nb = a + 1\n"
    line = run_usage(filled, f"%history -f {target} 3")
    assert "exists" in line and "-y" in line
    assert target.read_text() == "a = 1\nb = a + 1\n"
    run_ok(filled, f"%history -y -f {target} 3")
    assert target.read_text() == "b * 10\n"


@pytest.mark.parametrize(
    "cell, words",
    [
        ("%history 5-x", "bad history range '5-x'"),
        ("%history 4-2", "ends before it starts"),
        ("%history ~3/", "no session ~3/"),
        ("%history 42/1-2", "no session 42/"),
        ("%history -l x", "invalid int value"),
        ("%history -q", "unrecognized arguments"),
        ("%macro", None),
        ("%macro m", "say what it holds"),
        ("%macro 1bad 1-2", "'1bad' is not a valid name"),
        ("%macro class 1-2", "not a valid name"),
        ("%macro m nosuch", "'nosuch' is not a history range"),
        ("%macro m 50-60", "no input in history range"),
        ("%macro m a", "'a' is a int, not a macro or a string"),
        ("%macro -z m 1", "unknown option -z"),
        ("%edit nosuch", "'nosuch' is not a history range"),
        ("%edit -p", "nothing was edited yet"),
        ("%edit -k 1", "unknown option -k"),
        ("%rerun -l x", "-l needs a number"),
        ("%rerun 5-x", "bad history range"),
    ],
)
def test_bad_arguments_answer_one_line_and_change_nothing(filled, cell, words):
    if words is None:  # %macro alone lists the macros (none yet)
        out, err, result = filled.run(cell)
        assert result.success and result.result == []
        return
    line = run_usage(filled, cell)
    assert words in line, line


# -- persistence ------------------------------------------------------------------------------
def test_history_survives_a_restart_and_is_searchable(private_dirs):
    first = Shell(private_dirs)
    for cell in ["x = 'first'", "y = x * 2", "print(y)"]:
        run_ok(first, cell)
    first.session.close()

    second = Shell(private_dirs)
    out = run_ok(second, "%history ~1/1-3")
    assert out == "x = 'first'\ny = x * 2\nprint(y)\n"
    out = run_ok(second, "%history -n ~1/2")
    assert out == " 1/2: y = x * 2\n"
    assert run_ok(second, "%history -g x =") == " 1/1: x = 'first'\n"
    assert run_ok(second, "%history 1/3") == "print(y)\n"  # absolute session number
    assert run_ok(second, "%history -l 2") == "%history -g x =\n%history 1/3\n"
    run_ok(second, "%macro -q again ~1/1-2")
    run_ok(second, "again")
    assert second.ns["y"] == "firstfirst"
    second.session.close()

    rows = sqlite3.connect(private_dirs / "history.sqlite").execute(
        "SELECT id, end IS NOT NULL, num_cmds FROM sessions ORDER BY id"
    )
    assert [tuple(r) for r in rows] == [(1, 1, 3), (2, 1, 7)]
    third = Shell(private_dirs)
    assert run_ok(third, "%history ~2/1") == "x = 'first'\n"
    assert run_ok(third, "%history -n ~2/1-~1/1") == " 1/1: x = 'first'\n 1/2: y = x * 2\n" + (
        " 1/3: print(y)\n 2/1: %history ~1/1-3\n"
    )
    third.session.close()


def test_unusable_database_reports_once_and_the_session_goes_on(private_dirs):
    private_dirs.mkdir(parents=True, exist_ok=True)
    (private_dirs / "history.sqlite").mkdir()  # a folder where the database should be
    shell = Shell(private_dirs)
    errors = ""
    for cell in ["a = 1", "a + 1", "%history -n"]:
        out, err, result = shell.run(cell)
        assert result.success
        errors += err
    assert errors.count(REPORT) == 1 and errors.count("\n") == 1
    assert out == "   1: a = 1\n   2: a + 1\n   3: %history -n\n"
    assert shell.ns["_2"] == 2
    assert "unavailable" in run_usage(shell, "%history ~1/")
    assert run_ok(shell, "%history -g a*") == "   1: a = 1\n   2: a + 1\n"
    shell.session.close()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads unreadable files")
def test_unreadable_database_reports_once(private_dirs):
    private_dirs.mkdir(parents=True, exist_ok=True)
    db = private_dirs / "history.sqlite"
    db.write_bytes(b"")
    db.chmod(0)
    try:
        shell = Shell(private_dirs)
        errs = "".join(shell.run(c)[1] for c in ["x = 1", "x", "%history"])
        assert errs.count(REPORT) == 1
        assert shell.ns["x"] == 1
    finally:
        db.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_a_host_store_is_used_and_a_raising_one_reports_once(private_dirs):
    class Broken:
        session_id = None

        def store(self, line, source):
            raise RuntimeError("disk on fire")

    shell = Shell(private_dirs)
    shell.session.history_store = Broken()
    errs = "".join(shell.run(c)[1] for c in ["x = 1", "x = 2"])
    assert errs == f"{REPORT} disk on fire\n"
    assert not (private_dirs / "history.sqlite").exists()


def test_unstored_cells_create_no_database(private_dirs):
    shell = Shell(private_dirs)
    shell.run("x = 1", store_history=False)
    assert shell.session.history_store is None
    assert not (private_dirs / "history.sqlite").exists()


def test_the_shell_stores_each_cell_once(private_dirs, monkeypatch, capsys):
    import io

    from anymagic.hosts.shell import run_interactive

    monkeypatch.setattr(sys, "stdin", io.StringIO("a = 5\nprint(a * 2)\n%history -n\n"))
    shell = Shell(private_dirs)
    assert run_interactive(shell.session, banner=False) == 0
    assert "   1: a = 5\n   2: print(a * 2)\n   3: %history -n" in capsys.readouterr().out
    rows = sqlite3.connect(private_dirs / "history.sqlite").execute(
        "SELECT session, line, source FROM history ORDER BY session, line"
    )
    assert [tuple(r) for r in rows] == [
        (1, 1, "a = 5"),
        (1, 2, "print(a * 2)"),
        (1, 3, "%history -n"),
    ]


# -- macros --------------------------------------------------------------------------------
def test_macro_runs_by_name_and_prints(filled):
    out = run_ok(filled, "%macro m 1-3")
    assert out.startswith("Macro `m` created. To execute, type its name (without quotes).\n")
    assert out.endswith("=== Macro contents: ===\na = 1\nb = a + 1\nb * 10\n")
    filled.ns["a"] = 5
    out, err, result = filled.run("m")
    assert result.result == 20 and filled.ns["a"] == 1  # its own a = 1 ran
    assert run_ok(filled, "print(m)") == "a = 1\nb = a + 1\nb * 10\n\n"
    assert str(filled.ns["m"]) == "a = 1\nb = a + 1\nb * 10\n"
    assert filled.run("%macro")[2].result == ["m"]
    assert filled.run(" m ")[2].result == 20  # surrounding spaces still mean the macro


def test_macro_from_string_variable_and_from_macro(filled):
    run_ok(filled, "code = 'z = 7\\nz * 6'")
    run_ok(filled, "%macro -q m1 code")
    assert filled.run("m1")[2].result == 42
    run_ok(filled, "%macro -q m2 m1")
    assert filled.ns["m2"] == filled.ns["m1"] and filled.ns["m2"] is not filled.ns["m1"]
    run_ok(filled, "m3 = m1 + 'z + 1'")
    assert filled.run("m3")[2].result == 8


def test_macro_raw_and_translated(shell):
    run_ok(shell, "%config")
    run_ok(shell, "%macro -q -r raw 1")
    run_ok(shell, "%macro -q translated 1")
    assert str(shell.ns["raw"]) == "%config\n"
    assert "__anymagic__.line('config'" in str(shell.ns["translated"])
    for name in ("raw", "translated"):  # both run
        assert shell.run(name)[2].success


def test_macro_from_a_file(shell, tmp_path):
    path = tmp_path / "snippet.py"
    path.write_text("# coding: utf-8\nw = 3\n")
    run_ok(shell, f"%macro -q fm {path}")
    assert str(shell.ns["fm"]) == "w = 3\n"


def test_macro_is_stored_and_restores_as_a_macro(private_dirs):
    first = Shell(private_dirs)
    run_ok(first, "n = 2")
    run_ok(first, "n ** 10")
    run_ok(first, "%macro -q power 1-2")
    assert "Stored 'power' (Macro)" in run_ok(first, "%store power")
    first.session.close()

    second = Shell(private_dirs)
    run_ok(second, "%store -r power")
    assert isinstance(second.ns["power"], Macro)
    assert second.run("power")[2].result == 1024


def test_a_bare_name_that_is_no_macro_runs_as_python(shell):
    run_ok(shell, "value = 5")
    assert shell.run("value")[2].result == 5


def test_ipython_macro_runs_by_name(shell):
    from IPython.core.macro import Macro as IPythonMacro

    shell.ns["im"] = IPythonMacro("q = 9\nq + 1")
    assert macro_source(shell.ns["im"]) == "q = 9\nq + 1\n"
    assert shell.run("im")[2].result == 10


def test_macro_pickles():
    import pickle

    macro = pickle.loads(pickle.dumps(Macro("a = 1")))
    assert isinstance(macro, Macro) and macro.value == "a = 1\n"
    assert repr(macro) == "anymagic.Macro('a = 1\\n')"
    with pytest.raises(TypeError):
        Macro("x") + 1  # noqa: B018


# -- %edit -----------------------------------------------------------------------------------
EDITOR = """\
#!{python}
import os, sys
path = sys.argv[-1]
with open(os.environ["EDIT_LOG"], "a") as log:
    log.write(path + "\\n")
mode = os.environ.get("EDIT_MODE", "replace")
text = os.environ.get("EDIT_TEXT", "")
if mode == "fail":
    sys.exit(3)
if mode == "append":
    with open(path, "a") as handle:
        handle.write(text)
elif mode == "replace":
    with open(path, "w") as handle:
        handle.write(text)
"""


@pytest.fixture
def editor(tmp_path, monkeypatch):
    script = tmp_path / "fake_editor.py"
    script.write_text(EDITOR.format(python=sys.executable))
    script.chmod(0o755)
    log = tmp_path / "editor.log"
    monkeypatch.setenv("EDITOR", str(script))
    monkeypatch.setenv("EDIT_LOG", str(log))

    def set_edit(mode: str = "replace", text: str = "") -> None:
        monkeypatch.setenv("EDIT_MODE", mode)
        monkeypatch.setenv("EDIT_TEXT", text)

    set_edit.log = log  # type: ignore[attr-defined]
    return set_edit


def test_edit_a_new_file_runs_it_and_returns_the_text(shell, editor):
    editor("replace", "made = 'in the editor'\nprint(made)\n")
    out, err, result = shell.run("%edit")
    assert result.success, err
    assert "Editing... done. Executing edited code...\nin the editor\n" in out
    assert shell.ns["made"] == "in the editor"
    assert result.result == "made = 'in the editor'\nprint(made)\n"
    edited = Path(editor.log.read_text().split()[-1])
    assert edited.suffix == ".py" and not edited.exists()  # the temporary file is gone


def test_edit_a_range_and_no_run(filled, editor):
    editor("append", "c = b * 100\n")
    out, err, result = filled.run("%edit -x 1-2")
    assert result.success and "c" not in filled.ns
    assert result.result == "a = 1\nb = a + 1\nc = b * 100\n"
    editor("keep")
    filled.run("%edit -p")  # the previous edit again: now run
    assert filled.ns["c"] == 200


def test_edit_a_macro_updates_it(filled, editor):
    run_ok(filled, "%macro -q m 1")
    editor("append", "a += 41\n")
    out = run_ok(filled, "%edit m")
    assert out == "Macro `m` updated.\n"
    assert isinstance(filled.ns["m"], Macro) and filled.ns["a"] == 1
    filled.run("m")
    assert filled.ns["a"] == 42


def test_edit_a_file_runs_it_with_its_name(shell, editor, tmp_path):
    path = tmp_path / "prog.py"
    editor("replace", "where = __file__\n%cd .\n")
    out, err, result = shell.run(f"%edit {path}")
    assert result.success, err
    assert path.read_text() == "where = __file__\n%cd .\n"
    assert (
        shell.ns["where"].startswith("<generated-anymagic-input-prog.py") and result.result is None
    )
    assert "__file__" not in shell.ns


def test_edit_a_string_variable_and_an_interactive_function(shell, editor):
    run_ok(shell, "snippet = 's = 1'")
    editor("append", "\ns += 1\n")
    shell.run("%edit snippet")
    assert shell.ns["s"] == 2
    run_ok(shell, "def g():\n    return 1")
    editor("append", "\ng2 = g() + 1\n")
    shell.run("%edit g")
    assert shell.ns["g2"] == 2


def test_failing_editor_runs_nothing(filled, editor):
    editor("fail", "boom = 1\n")
    out, err, result = filled.run("%edit 1")
    assert err.count("\n") == 1 and "exited with status 3; nothing was run" in err
    assert "boom" not in filled.ns and not result.success


def test_missing_editor_program(filled, editor, monkeypatch):
    monkeypatch.setenv("EDITOR", "/nonexistent/editor --wait")
    out, err, result = filled.run("%edit 1")
    assert err.startswith("UsageError: %edit: cannot start the editor") and err.count("\n") == 1


def test_default_editor_is_vi(monkeypatch):
    from anymagic.core_magics.history import default_editor

    monkeypatch.delenv("EDITOR", raising=False)
    assert default_editor() == ("notepad" if os.name == "nt" else "vi")


# -- %rerun ----------------------------------------------------------------------------------
def test_rerun(filled):
    run_ok(filled, "a += 1")
    out = run_ok(filled, "%rerun")
    assert out == "=== Executing: ===\na += 1\n=== Output: ===\n" and filled.ns["a"] == 3
    run_ok(filled, "%rerun 5")
    assert filled.ns["a"] == 4
    out, _, _ = filled.run("%rerun -g b *")  # the latest input matching, "b * 10"
    assert out == "=== Executing: ===\nb * 10\n=== Output: ===\nOut[9]: 20\n"
    filled.run("%rerun -l 2")
    assert filled.ns["a"] == 5


def test_docs_mention_every_option():
    text = (Path(__file__).resolve().parent.parent / "docs/magics/history.md").read_text()
    for word in "-n -o -p -t -g -l -u -f -y -r -x ~1/ $EDITOR".split():
        assert word in text, word
