"""Start-up time: ``anymagic -c pass`` against ``ipython --quick -c pass``.

Run by hand (IPython installed in the same environment)::

    python bench/bench_startup.py [--runs 20]

Each command runs once to warm caches (anymagic's entry-point cache, IPython's profile
folder, the OS file cache), then ``--runs`` times, alternating; the median wall time of
each is printed with the ratio.  Both use private temporary data folders.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 0.25


def command(name: str) -> list[str]:
    script = Path(sys.executable).with_name(name)
    if script.exists():
        return [str(script)]
    found = shutil.which(name)
    if found is None:
        sys.exit(f"{name} not found next to {sys.executable} nor on PATH")
    return [found]


def wall(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ANYMAGIC_", "PYTHON"))}
        env.update(ANYMAGIC_DIR=f"{tmp}/anymagic", IPYTHONDIR=f"{tmp}/ipython")
        cmds = {
            "anymagic -c pass": command("anymagic") + ["-c", "pass"],
            "ipython --quick -c pass": command("ipython") + ["--quick", "-c", "pass"],
        }
        times: dict[str, list[float]] = {name: [] for name in cmds}
        for cmd in cmds.values():  # warm-up
            wall(cmd, env)
            wall(cmd, env)
        for _ in range(opts.runs):
            for name, cmd in cmds.items():
                times[name].append(wall(cmd, env))
        bare = [wall([sys.executable, "-c", "pass"], env) for _ in range(opts.runs)]

    ours, theirs = (statistics.median(t) for t in times.values())
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"date:    {datetime.datetime.now().isoformat(timespec='seconds')}")
    print(f"runs:    {opts.runs} each (median wall time, warm caches)")
    for name, values in times.items():
        print(f"  {name:<26} {statistics.median(values) * 1000:7.1f} ms")
    print(f"  {'python -c pass':<26} {statistics.median(bare) * 1000:7.1f} ms  (interpreter alone)")
    ratio = ours / theirs
    verdict = "meets" if ratio <= TARGET else "MISSES"
    print(f"ratio anymagic/ipython: {ratio:.3f}  ({verdict} the target <= {TARGET})")


if __name__ == "__main__":
    main()
