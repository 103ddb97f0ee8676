"""%timeit / %%timeit and %time / %%time, run through a host (the conftest ``shell``)."""

from __future__ import annotations

import gc
import re
import time

import pytest

RESULT = re.compile(
    r"^\S+ \S+ ± \S+ \S+ per loop \(mean ± std\. dev\. of (\d+) runs?, ([\d,]+) loops? each\)$",
    re.M,
)


def ok(shell, cell):
    out, err, result = shell.run(cell)
    assert result.success, err
    return out, err, result


def usage_error(shell, cell, fragment):
    out, err, result = shell.run(cell)
    assert not result.success
    assert err.startswith("UsageError: "), err
    assert fragment in err.splitlines()[0], err
    assert "usage: %" in err
    assert "Traceback" not in err
    return out, err


def test_line_timeit_reports_runs_and_loops(shell):
    out, _, _ = ok(shell, "%timeit -n 10 -r 3 x = 1")
    m = RESULT.search(out)
    assert m and m.groups() == ("3", "10"), out
    assert "x" not in shell.ns  # the statement runs inside the timing function


@pytest.mark.parametrize("line", ["-n10 -r3", "-n 10 -r 3", "-r3 -n10", "-qo -n10 -r3"])
def test_option_spellings(shell, line):
    out, _, result = ok(shell, f"r = %timeit {line} -o 'a b'.split()")
    assert shell.ns["r"].loops == 10 and shell.ns["r"].repeat == 3
    if "-q" in line:
        assert out == ""


def test_result_object(shell):
    out, _, _ = ok(shell, "%timeit -n 20 -r 4 -q -v res sum(range(50))")
    assert out == ""
    res = shell.ns["res"]
    assert res.loops == 20 and res.repeat == 4 and len(res.all_runs) == 4
    assert res.best <= res.average <= res.worst
    assert res.best == pytest.approx(min(res.all_runs) / 20)
    assert res.stdev >= 0
    assert repr(res).startswith("<TimeitResult : ") and "4 runs, 20 loops each" in repr(res)
    out, _, result = ok(shell, "%timeit -n 2 -r 1 -o 1")
    assert result.result.repeat == 1 and "1 run, 2 loops each" in out


def test_precision_and_timers(shell):
    out, _, _ = ok(shell, "%timeit -n 5 -r 2 -p 2 sum(range(100))")
    mean = out.split()[0]
    assert len(re.sub(r"e[+-]\d+$", "", mean).replace(".", "").lstrip("0")) <= 2, out
    for flag in ("-t", "-c"):
        out, _, _ = ok(shell, f"%timeit {flag} -n 5 -r 2 sum(range(100))")
        assert RESULT.search(out)


def test_cell_timeit_setup_runs_before_each_run(shell):
    ok(shell, "calls = []")
    out, _, _ = ok(shell, "%%timeit -n 3 -r 4 calls.append(1); data = [3, 1, 2]\nsorted(data)")
    assert RESULT.search(out).groups() == ("4", "3")
    assert len(shell.ns["calls"]) == 4


def test_user_namespace_and_magics_in_timed_code(shell):
    ok(shell, "values = list(range(10))\ndef total(v):\n    return sum(v)")
    out, _, _ = ok(shell, "%timeit -n 3 -r 2 total(values)")
    assert RESULT.search(out)
    out, _, _ = ok(shell, "%%timeit -n 1 -r 1\n%time total(values)")
    assert out.count("Wall time:") >= 1


def test_line_timeit_inside_function_uses_locals(shell):
    out, _, _ = ok(
        shell,
        "def f():\n    y = 3\n    z = 4\n    res = %timeit -n1 -r1 -o y + z\n"
        "    return res\nr = f()",
    )
    assert shell.ns["r"].loops == 1
    assert "y" not in shell.ns


def test_cell_timeit_sees_caller_locals(shell):
    """ipython#10556: %%timeit from a local scope (a host running cells with separate
    locals, such as a debugger, or run_cell_magic with local_ns)."""
    session = shell.session
    code = session.transform_cell("%%timeit -n 2 -r 2 -o w = y * 2\nw + y")
    scope = {"y": 3}
    result = eval(code, session.user_ns, scope)  # noqa: S307 - how such a host runs a cell
    assert result.loops == 2 and result.repeat == 2  # names y (local) and w (setup) resolved
    res = session.run_cell_magic("timeit", "-n 2 -r 2 -o", "y + 1", local_ns={"y": 5})
    assert res.loops == 2
    assert "y" not in session.user_ns


def test_auto_range_uses_1_2_5_and_is_quick(shell):
    start = time.perf_counter()
    out, _, _ = ok(shell, "%timeit -r 2 sum(range(300))")
    elapsed = time.perf_counter() - start
    runs, loops = RESULT.search(out).groups()
    loops = int(loops.replace(",", ""))
    mantissa = loops / 10 ** (len(str(loops)) - 1)
    assert runs == "2" and mantissa in (1, 2, 5), loops
    assert elapsed < 3


def test_cache_warning(shell):
    ok(shell, "import time\nseen = []")
    out, _, _ = ok(shell, "%timeit -n 1 -r 3 seen or time.sleep(0.01); seen.append(1)")
    assert "The slowest run took" in out and "being cached" in out


def test_gc_off_while_timing_and_back_on_after_interrupt(shell):
    ok(shell, "import gc\nstates = []")
    ok(shell, "%timeit -n 2 -r 1 states.append(gc.isenabled())")
    assert shell.ns["states"] == [False, False]
    assert gc.isenabled()
    ok(shell, "def boom():\n    raise KeyboardInterrupt")
    out, err, result = shell.run("%timeit -n 5 -r 3 boom()")
    assert isinstance(result.error, KeyboardInterrupt)
    assert "KeyboardInterrupt" in err and "boom" in err
    assert "timing.py" not in err  # the magic's own frames are hidden
    assert gc.isenabled()


def test_error_in_timed_code_shows_user_traceback(shell):
    _, err, result = shell.run("%timeit -n 1 -r 1 1 / 0")
    assert isinstance(result.error, ZeroDivisionError)
    assert "1 / 0" in err


@pytest.mark.parametrize(
    ("cell", "fragment"),
    [
        ("%timeit -x 1", "unknown option -x"),
        ("%timeit", "no statement"),
        ("%timeit -n", "-n needs a value"),
        ("%timeit -n abc 1", "whole number"),
        ("%timeit -n 0 1", "at least 1"),
        ("%timeit -r 0 1", "at least 1"),
        ("%timeit -t -c 1", "cannot be used together"),
        ("%timeit -v 1x -n1 -r1 1", "variable name"),
        ("%timeit -n1 -r1 -v res x = = 1", "syntax error"),
        ("%%timeit -n1 -r1 -v res\nx = = 1", "syntax error"),
        ("%%timeit -n1 -r1 -v res 1 +\n1", "syntax error in the setup"),
        ("%%timeit -n1\n", "no code"),
        ("%time", "no statement"),
        ("%time x = = 1", "syntax error"),
        ("%%time x\n1", "cell body"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(shell, cell, fragment):
    before = set(shell.ns)
    usage_error(shell, cell, fragment)
    assert "res" not in shell.ns
    assert set(shell.ns) - before <= {"_i", "_ii", "_iii", "_i00", "In", "_ih"} | {
        k for k in shell.ns if re.fullmatch(r"_i\d+", k)
    }


def test_time_line_and_cell(shell):
    out, _, result = ok(shell, "%time sum(range(1000))")
    assert result.result == 499500
    assert re.search(r"^CPU times: user .+, sys: .+, total: .+\nWall time: .+$", out, re.M)
    out, _, result = ok(shell, "%%time\na = 2\na * 21")
    assert result.result == 42 and shell.ns["a"] == 2 and "Wall time:" in out
    out, _, result = ok(shell, "%time b = 5")
    assert result.result is None and shell.ns["b"] == 5


def test_time_inside_function_and_on_error(shell):
    ok(shell, "def f():\n    y = 3\n    v = %time y * 2\n    return v\nr = f()")
    assert shell.ns["r"] == 6
    out, err, result = shell.run("%time 1 / 0")
    assert isinstance(result.error, ZeroDivisionError)
    assert "Wall time:" in out and "ZeroDivisionError" in err


def test_tab_completes_timeit_and_profiling_options(shell):
    from anymagic.registry.completion import complete

    assert complete(shell.session, "%timeit -").matches == [
        "-c",
        "-n",
        "-o",
        "-p",
        "-q",
        "-r",
        "-t",
        "-v",
    ]
    assert complete(shell.session, "%timeit -r").matches == ["-r"]
    assert complete(shell.session, "%prun -").matches == ["-D", "-T", "-l", "-q", "-r", "-s"]
    assert "-f" in complete(shell.session, "%lprun -").matches


def test_top_level_await_and_return_in_timed_code(shell):
    out, err, result = shell.run("%%time\nimport asyncio\nawait asyncio.sleep(0)\nawaited = 1")
    assert result.success and shell.ns["awaited"] == 1 and "never awaited" not in err
    assert shell.run("%time await __import__('asyncio').sleep(0, result=7)")[2].result == 7
    for cell in ("%%timeit -n1 -r1\nreturn 5", "%timeit -n1 -r1 yield 1", "%timeit -n1 await x"):
        _, err, _ = shell.run(cell)
        assert err.startswith("UsageError: %timeit: syntax error in the statement: '")
        assert "outside function" in err.splitlines()[0]
