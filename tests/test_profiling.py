"""%prun / %%prun and %lprun, run through a host (the conftest ``shell``)."""

from __future__ import annotations

import pstats
import sys

import pytest

FUNCS = """\
def work(n):
    total = 0
    for i in range(n):
        total += helper(i)
    return total

def helper(i):
    return i * 2

def interrupted():
    work(10)
    raise KeyboardInterrupt

class Box:
    def method(self, n):
        return work(n)
"""


@pytest.fixture
def pshell(shell):
    _, err, result = shell.run(FUNCS)
    assert result.success, err
    return shell


def ok(shell, cell):
    out, err, result = shell.run(cell)
    assert result.success, err
    return out, err, result


# ----------------------------------------------------------------------------- %prun


def test_prun_report(pshell):
    out, _, result = ok(pshell, "%prun work(100)")
    assert result.result is None
    assert "function calls in" in out and "Ordered by: internal time" in out
    assert "(helper)" in out and "(work)" in out


def test_prun_sort_keys_and_limits(pshell):
    out, _, _ = ok(pshell, "%prun -s cumulative -s calls -l 2 work(10)")
    assert "Ordered by: cumulative time, call count" in out
    assert "due to restriction <2>" in out
    out, _, _ = ok(pshell, "%prun -l helper work(10)")
    assert "restriction <'helper'>" in out and "(work)" not in out.split("restriction")[1]
    out, _, _ = ok(pshell, "%prun -l 0.5 -l work work(10)")
    assert "<0.5>" in out and "<'work'>" in out


def test_prun_cell_and_return_and_quiet(pshell):
    out, _, result = ok(pshell, "%%prun -r -q\nx = work(5)\ny = work(6)")
    assert out.startswith("Out[") and "function calls" not in out  # only the returned value
    stats = result.result
    assert isinstance(stats, pstats.Stats)
    assert any(name == "helper" for (_, _, name) in stats.stats)
    assert pshell.ns["x"] == 20 and pshell.ns["y"] == 30


def test_prun_files(pshell, tmp_path):
    text, dump = tmp_path / "report.txt", tmp_path / "prof.pstats"
    out, _, _ = ok(pshell, f"%prun -q -T {text} -D {dump} work(10)")
    assert "function calls in" in text.read_text()
    assert "function calls in" not in out
    assert "saved to text file" in out and "marshalled to file" in out
    assert any(name == "work" for (_, _, name) in pstats.Stats(str(dump)).stats)


def test_prun_uses_local_scope(pshell):
    ok(pshell, "def f():\n    n = 7\n    %prun -q n2 = work(n)\nf()")
    assert "n2" not in pshell.ns


def test_prun_interrupt_reports_partial_profile(pshell):
    out, err, result = pshell.run("%prun interrupted()")
    assert isinstance(result.error, KeyboardInterrupt)
    assert sys.getprofile() is None
    assert "(work)" in out and "(helper)" in out and "KeyboardInterrupt" in out
    assert "KeyboardInterrupt" in err and "prun" not in err.splitlines()[-1]
    assert "profiling.py" not in err


def test_prun_system_exit_is_caught(pshell):
    out, _, _ = ok(pshell, "%prun import sys; sys.exit(3)")
    assert "SystemExit exception caught" in out
    assert sys.getprofile() is None


# ----------------------------------------------------------------------------- %lprun


def test_lprun_function_defined_in_cell(pshell):
    out, _, result = ok(pshell, "%lprun -f work -f helper work(20)")
    assert result.result is None
    assert "Timer unit:" in out and "Function: work at line 1" in out
    assert "Function: helper at line 7" in out
    assert "total += helper(i)" in out  # the cell's source is shown
    assert "Could not find file" not in out


def test_lprun_method_module_strip_unit_return(pshell, tmp_path):
    out, _, result = ok(pshell, "%lprun -r -f Box.method -f helper -z -u 1e-3 Box().method(0)")
    assert "Timer unit: 0.001 s" in out
    assert "return work(n)" in out and "Function: helper" not in out  # -z: never ran
    assert result.result.__class__.__name__ == "LineProfiler"
    mod = tmp_path / "lp_mod_example.py"
    mod.write_text("def sq(x):\n    y = x * x\n    return y\n")
    sys.path.insert(0, str(tmp_path))
    try:
        out, _, _ = ok(
            pshell, "import lp_mod_example\n%lprun -m lp_mod_example lp_mod_example.sq(3)"
        )
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("lp_mod_example", None)
    assert "y = x * x" in out


def test_lprun_files(pshell, tmp_path):
    text, dump = tmp_path / "lp.txt", tmp_path / "lp.lprof"
    out, _, _ = ok(pshell, f"%lprun -f work -T {text} -D {dump} work(3)")
    assert "total += helper(i)" in text.read_text()
    assert dump.stat().st_size > 0 and "pickled to file" in out


def test_lprun_interrupt_reports_partial_profile(pshell):
    before = sys.gettrace()
    out, err, result = pshell.run("%lprun -f interrupted -f work interrupted()")
    assert isinstance(result.error, KeyboardInterrupt)
    assert sys.gettrace() is before and sys.getprofile() is None
    assert "raise KeyboardInterrupt" in out and "total += helper(i)" in out
    assert "KeyboardInterrupt" in err


def test_linecache_survives_report_of_file_function(pshell, tmp_path):
    """line_profiler clears linecache for real files; cell sources must survive."""
    mod = tmp_path / "lp_mod_other.py"
    mod.write_text("def other():\n    return 1\n")
    sys.path.insert(0, str(tmp_path))
    try:
        out, _, _ = ok(
            pshell,
            "import lp_mod_other as m\n%lprun -f m.other -f work work(1); m.other()",
        )
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("lp_mod_other", None)
    assert "return 1" in out and "total += helper(i)" in out
    _, err, _ = pshell.run("work(None)")
    assert "for i in range(n):" in err  # tracebacks still show the cell's lines


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("cell", "fragment"),
    [
        ("%prun -x work(1)", "unknown option -x"),
        ("%prun", "no statement"),
        ("%prun -s", "-s needs a value"),
        ("%prun -s nosuch work(1)", "unknown sort key"),
        ("%prun -l '(' work(1)", "not a valid regular expression"),
        ("%prun -T /nonexistent/dir/x work(1)", "no such directory"),
        ("%prun -D /nonexistent/dir/x work(1)", "no such directory"),
        ("%prun work(1", "syntax error"),
        ("%lprun -f nosuch work(1)", "could not find function nosuch"),
        ("%lprun work(1)", "nothing to profile"),
        ("%lprun -f work", "no statement"),
        ("%lprun -f len work(1)", "not a Python function"),
        ("%lprun -m no_such_module_xyz work(1)", "could not import module"),
        ("%lprun -f work -u abc work(1)", "-u needs a positive"),
        ("%lprun -f work -T /nonexistent/dir/x work(1)", "no such directory"),
        ("%lprun -f work -q work(1)", "unknown option -q"),
        ("%lprun -f work work(1", "syntax error"),
    ],
)
def test_bad_input(pshell, cell, fragment):
    pshell.ns["calls"] = 0
    pshell.run("_orig_work = work\ndef work(n):\n    global calls\n    calls += 1\n    return 0")
    out, err, result = pshell.run(cell)
    assert not result.success
    assert err.startswith("UsageError: ") and fragment in err.splitlines()[0], err
    assert "usage: %" in err and "Traceback" not in err
    assert pshell.ns["calls"] == 0 and out == ""  # nothing ran
    assert sys.getprofile() is None


def test_prun_runs_top_level_await(shell):
    out, err, result = shell.run("%%prun -q\nimport asyncio\nawait asyncio.sleep(0)\nran = True")
    assert result.success and shell.ns["ran"] is True and "never awaited" not in err
