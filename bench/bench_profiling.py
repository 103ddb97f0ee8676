"""Profiler overhead: %prun against cProfile, %lprun against ``kernprof -l``, beside IPython.

Run: ``/tmp/v/bin/python bench/bench_profiling.py`` (IPython and line_profiler installed).

* %prun: the profiled time (``pstats.Stats.total_tt``) of the same workload under
  anymagic's ``%prun -q -r``, under ``cProfile.Profile().runctx`` (what ``cProfile.run``
  does, without its printing) and under IPython's ``%prun -q -r``.
* %lprun: the wall time of the workload call, measured inside the profiled statement, under
  anymagic's ``%lprun -f work``, under the real ``kernprof -l`` command on a script whose
  ``work`` is decorated with ``@profile``, and under IPython's ``%lprun`` (``%load_ext
  line_profiler``).  The plain (unprofiled) time is shown for scale.

Each figure is the minimum of ROUNDS interleaved rounds (the least disturbed run).
"""

from __future__ import annotations

import contextlib
import cProfile
import datetime
import io
import os
import platform
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROUNDS = 7
WORKLOAD = """\
def helper(i):
    return i % 7

def work(n):
    total = 0
    for i in range(n):
        total += helper(i)
    return total
"""
CALL = "work(200000)"


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    os.environ.setdefault("ANYMAGIC_DIR", str(tmp / "anymagic"))
    os.environ.setdefault("IPYTHONDIR", str(tmp / "ipython"))
    from IPython.core.interactiveshell import InteractiveShell

    from anymagic import BaseHost

    session = BaseHost().attach()
    session.run_cell(WORKLOAD + "import time\n")
    ip = InteractiveShell.instance()
    ip.run_cell(WORKLOAD + "import time\n")
    ip.run_line_magic("load_ext", "line_profiler")
    plain_ns: dict = {}
    exec(WORKLOAD, plain_ns)  # noqa: S102 - the benchmark's own code

    kernprof = Path(sys.executable).with_name("kernprof")
    script = tmp / "kp_work.py"
    script.write_text(
        WORKLOAD.replace("def work", "@profile\ndef work")
        + f"import time\nt0 = time.perf_counter()\n{CALL}\n"
        + "print('ELAPSED', time.perf_counter() - t0)\n"
    )
    timed = f"t0 = time.perf_counter(); {CALL}; elapsed = time.perf_counter() - t0"

    print(f"machine: {platform.node()} {platform.machine()}, cpus: {os.cpu_count()}")
    print(f"python {platform.python_version()}, date: {datetime.datetime.now():%Y-%m-%d %H:%M}")
    print(f"workload: {CALL} (200k calls of a small function, 600k lines)")
    print()

    plain, ours_p, cprof, ipy_p = [], [], [], []
    ours_l, kern, ipy_l = [], [], []
    sink = io.StringIO()
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        exec(CALL, plain_ns)  # noqa: S102
        plain.append(time.perf_counter() - t0)
        with contextlib.redirect_stdout(sink):
            ours_p.append(session.run_line_magic("prun", f"-q -r {CALL}").total_tt)
            prof = cProfile.Profile()
            prof.runctx(CALL, plain_ns, None)
            cprof.append(pstats.Stats(prof).total_tt)
            ipy_p.append(ip.run_line_magic("prun", f"-q -r {CALL}").total_tt)

            session.run_line_magic("lprun", f"-f work {timed}")
            ours_l.append(session.user_ns["elapsed"])
            ip.run_line_magic("lprun", f"-f work {timed}")
            ipy_l.append(ip.user_ns["elapsed"])
        out = subprocess.run(
            [str(kernprof), "-l", "-o", str(tmp / "kp.lprof"), str(script)],
            capture_output=True,
            text=True,
            check=True,
            cwd=tmp,
        ).stdout
        kern.append(float(out.split("ELAPSED")[1].split()[0]))

    p, a, c, i = min(plain), min(ours_p), min(cprof), min(ipy_p)
    print("%prun (profiled time, total_tt)")
    print(f"  plain (no profiler)     {p * 1e3:8.1f} ms")
    print(f"  cProfile.runctx         {c * 1e3:8.1f} ms")
    print(f"  anymagic %prun          {a * 1e3:8.1f} ms   ratio to cProfile {a / c:.3f}")
    print(f"  IPython %prun           {i * 1e3:8.1f} ms   ratio to cProfile {i / c:.3f}")
    a, k, i = min(ours_l), min(kern), min(ipy_l)
    print("%lprun (wall time of the call under the line profiler)")
    print(f"  kernprof -l (real CLI)  {k * 1e3:8.1f} ms")
    print(f"  anymagic %lprun         {a * 1e3:8.1f} ms   ratio to kernprof {a / k:.3f}")
    print(f"  IPython %lprun          {i * 1e3:8.1f} ms   ratio to kernprof {i / k:.3f}")


if __name__ == "__main__":
    main()
