"""Time and memory of anymagic's ``%store`` beside IPython's, in the same run.

Run by hand::

    python bench/bench_store.py [--mb 200] [--vars 2000]

1. ``%store`` of 2,000 small variables in one call, then ``%store -r`` of all of them in a
   fresh session (best of several runs; IPython gets a fresh ``PickleShareDB`` each time,
   as a new session would, so its read cache does not help it).
2. A 200 MB ``bytes`` value (numpy arrays are used when numpy is installed) stored and
   restored, each in its own subprocess: wall time and peak resident memory
   (``ru_maxrss``, the whole process, interpreter included) as a multiple of the value's size.

Targets: restoring 2,000 variables in at most half IPython's time; peak memory while
storing the large value at most 1.2x its size.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_value(mb: int):
    try:
        import numpy

        return numpy.full(mb << 20, 7, dtype=numpy.uint8)
    except ImportError:
        return bytes(range(256)) * (mb << 12)


def anymagic_session(data_dir: Path):
    from anymagic import BaseHost

    return BaseHost(data_dir=data_dir).attach()


def ipython_shell(db: Path):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.external.pickleshare import PickleShareDB
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.hist_file = ":memory:"  # leave no history database behind
    ip = InteractiveShell.instance(config=config)
    ip.run_line_magic("load_ext", "storemagic")
    ip.db = PickleShareDB(db)
    return ip


def quiet(fn, *args):
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        return fn(*args)


def best(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def small_vars(n: int, runs: int, work: Path) -> dict[str, float]:
    from IPython.external.pickleshare import PickleShareDB

    values = {f"v{i}": {"i": i, "name": f"item {i}", "xs": [i, i * 2.5]} for i in range(n)}
    names = " ".join(values)
    results: dict[str, float] = {}

    am_data = work / "am"
    session = anymagic_session(am_data)
    session.user_ns.update(values)
    results["anymagic store"] = best(lambda: quiet(session.run_line_magic, "store", names), runs)

    def am_restore() -> float:
        fresh = anymagic_session(am_data)  # a new session, not timed (nor is IPython's)
        fresh.run_line_magic("store", "")  # the %store group loaded, like IPython's extension
        start = time.perf_counter()
        fresh.run_line_magic("store", "-r")
        elapsed = time.perf_counter() - start
        assert fresh.user_ns["v7"] == values["v7"]
        return elapsed

    results["anymagic restore"] = min(quiet(am_restore) for _ in range(runs))

    ip_db = work / "ipdb"
    ip = ipython_shell(ip_db)
    ip.user_ns.update(values)
    results["IPython store"] = best(lambda: quiet(ip.run_line_magic, "store", names), runs)

    def ip_restore() -> float:
        ip.db = PickleShareDB(ip_db)  # a new session's empty cache
        for name in values:
            ip.user_ns.pop(name, None)
        start = time.perf_counter()
        ip.run_line_magic("store", "-r")
        elapsed = time.perf_counter() - start
        assert ip.user_ns["v7"] == values["v7"]
        return elapsed

    results["IPython restore"] = min(ip_restore() for _ in range(runs))
    return results


def child(mode: str, mb: int, where: str) -> None:
    """One large-value measurement in a clean process; prints JSON."""
    path = Path(where)
    if mode.endswith("store"):
        value = make_value(mb)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if mode.startswith("anymagic"):
            runner = anymagic_session(path)
        else:
            runner = ipython_shell(path)
        runner.user_ns["big"] = value
        start = time.perf_counter()
        quiet(runner.run_line_magic, "store", "big")
        elapsed = time.perf_counter() - start
    else:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if mode.startswith("anymagic"):
            runner = anymagic_session(path)
        else:
            runner = ipython_shell(path)
        start = time.perf_counter()
        runner.run_line_magic("store", "-r")
        elapsed = time.perf_counter() - start
        assert len(runner.user_ns["big"]) == mb << 20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"time": elapsed, "peak_kb": peak, "before_kb": before}))


def large_value(mb: int, work: Path) -> dict[str, dict[str, float]]:
    results = {}
    for mode in ("anymagic store", "anymagic restore", "IPython store", "IPython restore"):
        target = work / ("am-big" if mode.startswith("anymagic") else "ip-big")
        proc = subprocess.run(
            [sys.executable, __file__, "--child", mode, "--mb", str(mb), "--where", str(target)],
            capture_output=True,
            text=True,
            env={**os.environ, "IPYTHONDIR": str(work / "ipython")},
        )
        if proc.returncode:
            raise SystemExit(f"{mode} failed:\n{proc.stderr}")
        results[mode] = json.loads(proc.stdout.strip().splitlines()[-1])
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--vars", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child")
    parser.add_argument("--where")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.mb, args.where)
        return

    try:
        import numpy  # noqa: F401

        kind = "numpy uint8 array"
    except ImportError:
        kind = "bytes (numpy is not installed)"
    import IPython

    machine = f"{platform.node()} {platform.machine()} {os.cpu_count()} cpus, {platform.system()}"
    print(f"machine: {machine}")
    print(f"python {platform.python_version()}, IPython {IPython.__version__}")
    print(f"date: {datetime.datetime.now().isoformat(timespec='seconds')}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        os.environ["ANYMAGIC_DIR"] = str(work / "anymagic")
        os.environ["IPYTHONDIR"] = str(work / "ipython")
        small = small_vars(args.vars, args.runs, work)
        print(f"\n{args.vars} small variables (best of {args.runs}):")
        for what in ("store", "restore"):
            am, ip = small[f"anymagic {what}"], small[f"IPython {what}"]
            print(f"  {what:<8} anymagic {am:7.3f} s   IPython {ip:7.3f} s   ratio {am / ip:.2f}x")
        ratio = small["anymagic restore"] / small["IPython restore"]
        verdict = "met" if ratio <= 0.5 else "NOT met"
        print(f"  target: restore <= 0.5x IPython: {verdict} ({ratio:.2f}x)")

        big = large_value(args.mb, work)
        size_kb = args.mb << 10
        print(f"\n{args.mb} MB value, {kind} (peak RSS of the whole process / value size):")
        for what in ("store", "restore"):
            am, ip = big[f"anymagic {what}"], big[f"IPython {what}"]
            print(
                f"  {what:<8} anymagic {am['time']:6.2f} s, peak {am['peak_kb'] / size_kb:.2f}x   "
                f"IPython {ip['time']:6.2f} s, peak {ip['peak_kb'] / size_kb:.2f}x   "
                f"time ratio {am['time'] / ip['time']:.2f}x"
            )
        peak = big["anymagic store"]["peak_kb"] / size_kb
        verdict = "met" if peak <= 1.2 else "NOT met"
        print(f"  target: store peak <= 1.2x the value: {verdict} ({peak:.2f}x)")


if __name__ == "__main__":
    main()
