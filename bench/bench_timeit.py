"""%timeit: agreement with ``python -m timeit`` and wall time to a result beside IPython's.

Run: ``/tmp/v/bin/python bench/bench_timeit.py`` (IPython must be importable).

1. Agreement: for each statement, the same -n/-r in an ``anymagic -c "%timeit ..."``
   subprocess and in a ``python -m timeit -v`` subprocess (whose raw run times give its
   mean): both fresh processes, so neither gains from a warmer interpreter; five
   interleaved rounds, the median of each side; target |ratio - 1| <= 5%.
2. Wall time to a result with the automatic loop count (no -n/-r), anymagic's %timeit
   beside IPython's ``run_line_magic('timeit', ...)`` in the same process.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

STATEMENTS = [  # (label, statement, loops for the agreement runs)
    ("~10 ns", "x = 1", 2_000_000),
    ("~10 us", "sum(range(600))", 20_000),
    ("~1 ms", "sum(range(60000))", 200),
]
REPEAT = 5
ROUNDS = 15
UNITS = {"nsec": 1e-9, "usec": 1e-6, "msec": 1e-3, "sec": 1.0}


def python_timeit(stmt: str, loops: int) -> tuple[float, float]:
    """(mean, best) per loop from ``python -m timeit -v`` in a fresh process."""
    out = subprocess.run(
        [sys.executable, "-m", "timeit", "-v", "-n", str(loops), "-r", str(REPEAT), stmt],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    raw = re.search(r"raw times: (.*)", out).group(1)
    runs = [float(v) * UNITS[u] for v, u in re.findall(r"([\d.]+) (\w+)", raw)]
    return statistics.fmean(runs) / loops, min(runs) / loops


def anymagic_timeit(stmt: str, loops: int) -> tuple[float, float]:
    """(mean, best) per loop from ``anymagic -c '%timeit ...'`` in a fresh process."""
    exe = os.path.join(os.path.dirname(sys.executable), "anymagic")
    code = f"r = %timeit -q -o -n {loops} -r {REPEAT} {stmt}\nprint(r.average, r.best)"
    out = subprocess.run([exe, "-c", code], capture_output=True, text=True, check=True).stdout
    mean, best = (float(v) for v in out.split())
    return mean, best


def main() -> None:
    os.environ.setdefault("ANYMAGIC_DIR", tempfile.mkdtemp())
    from anymagic import BaseHost

    session = BaseHost().attach()
    print(f"machine: {platform.node()} {platform.machine()} {platform.processor() or ''}")
    print(f"cpus: {os.cpu_count()}, python {platform.python_version()}")
    print(f"date: {datetime.datetime.now().isoformat(timespec='seconds')}")
    print()
    print(
        "1. mean per loop, anymagic -c %timeit vs python -m timeit "
        "(fresh processes, same -n, -r 5; median of 15 interleaved rounds)"
    )
    for label, stmt, loops in STATEMENTS:
        ours, theirs, ours_best, theirs_best = [], [], [], []
        for _ in range(ROUNDS):
            mean, best = anymagic_timeit(stmt, loops)
            ours.append(mean)
            ours_best.append(best)
            mean, best = python_timeit(stmt, loops)
            theirs.append(mean)
            theirs_best.append(best)
        a, b = statistics.median(ours), statistics.median(theirs)
        c, d = statistics.median(ours_best), statistics.median(theirs_best)
        print(
            f"  {label:7} {stmt:18} mean: anymagic {a * 1e9:9.1f} ns, python -m timeit "
            f"{b * 1e9:9.1f} ns, ratio {a / b:.3f};  best: ratio {c / d:.3f}"
        )

    print()
    print("2. wall time to a result, automatic loop count (default -r 7)")
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    for label, stmt, _ in STATEMENTS:
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink):
            t0 = time.perf_counter()
            ours = session.run_line_magic("timeit", f"-o {stmt}")
            t_ours = time.perf_counter() - t0
            t0 = time.perf_counter()
            theirs = ip.run_line_magic("timeit", f"-o {stmt}")
            t_ipy = time.perf_counter() - t0
        print(
            f"  {label:7} {stmt:20} anymagic {t_ours:5.2f} s ({ours.loops:,} loops)   "
            f"IPython {t_ipy:5.2f} s ({theirs.loops:,} loops)   ratio {t_ours / t_ipy:.2f}"
        )
        a, b = ours.average * 1e9, theirs.average * 1e9
        print(f"          means: anymagic {a:.1f} ns, IPython {b:.1f} ns")


if __name__ == "__main__":
    main()
