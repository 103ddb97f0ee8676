"""Cost of keeping history per stored cell: anymagic's SQLite store beside IPython's.

Run by hand::

    python bench/bench_history.py [--cells 2000] [--repeat 5]

Each variant runs in its own fresh process (IPython's shell is a singleton) with private
temporary data folders, and times ``--cells`` cells ``x = N`` run with
``store_history=True`` (best of ``--repeat`` rounds; every round is a new batch of numbered
cells):

* anymagic, ``Session.run_cell`` with the SQLite history (``DATA_DIR/history.sqlite``)
* anymagic without persistent history (a store that drops everything)
* IPython, ``InteractiveShell.run_cell`` with a real ``history.sqlite`` in a temporary
  IPYTHONDIR
* IPython with ``HistoryManager.hist_file = ":memory:"``

It prints the machine, the date, microseconds per cell, the history's own cost (with minus
without) for both, and the ratios.  Target: anymagic's cost per stored cell, history
included, at most IPython's with its real database.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = ("anymagic-sqlite", "anymagic-none", "ipython-sqlite", "ipython-memory")


class _NoStore:
    session_id = None

    def store(self, line: int, source: str) -> None:
        pass

    def end_session(self) -> None:
        pass


def _make_runner(variant: str, tmp: Path):
    if variant.startswith("anymagic"):
        sys.path.insert(0, str(ROOT))
        from anymagic import BaseHost

        session = BaseHost(data_dir=tmp / "anymagic").attach()
        if variant == "anymagic-none":
            session.history_store = _NoStore()
        return lambda source: session.run_cell(source, store_history=True)
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    if variant == "ipython-memory":
        config.HistoryManager.hist_file = ":memory:"
    shell = InteractiveShell.instance(config=config)
    if variant == "ipython-sqlite":
        assert str(shell.history_manager.hist_file).startswith(str(tmp)), "not a private db"
    return lambda source: shell.run_cell(source, store_history=True)


def child(variant: str, cells: int, repeat: int) -> None:
    tmp = Path(os.environ["BENCH_TMP"])
    run = _make_runner(variant, tmp)
    for n in range(50):  # warm up: imports, first database write
        run(f"x = {n}")
    best = float("inf")
    counter = 0
    for _ in range(repeat):
        sources = [f"x = {counter + i}" for i in range(cells)]
        counter += cells
        start = time.perf_counter()
        for source in sources:
            run(source)
        best = min(best, time.perf_counter() - start)
    print(json.dumps({"variant": variant, "per_cell": best / cells}))


def measure(variant: str, cells: int, repeat: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        env.update(
            BENCH_TMP=tmp,
            ANYMAGIC_DIR=os.path.join(tmp, "anymagic"),
            IPYTHONDIR=os.path.join(tmp, "ipython"),
            ANYMAGIC_NO_AUTOLOAD="1",
        )
        cmd = [sys.executable, __file__, "--child", variant]
        cmd += ["--cells", str(cells), "--repeat", str(repeat)]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"{variant} failed:\n{proc.stderr}")
        return json.loads(proc.stdout.strip().splitlines()[-1])["per_cell"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", choices=VARIANTS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.cells, args.repeat)
        return
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"date:    {datetime.datetime.now().isoformat(timespec='seconds')}")
    print(f"cells:   {args.cells} x best of {args.repeat}, each variant in a fresh process\n")
    us = {v: measure(v, args.cells, args.repeat) * 1e6 for v in VARIANTS}
    for variant in VARIANTS:
        print(f"{variant:<16} {us[variant]:8.1f} us/cell")
    ours = us["anymagic-sqlite"] - us["anymagic-none"]
    theirs = us["ipython-sqlite"] - us["ipython-memory"]
    print()
    print(f"history cost per cell: anymagic {ours:.1f} us, IPython {theirs:.1f} us")
    ratio = us["anymagic-sqlite"] / us["ipython-sqlite"]
    print(f"stored cell, history included: anymagic/IPython = {ratio:.2f} (target <= 1)")
    print(f"anymagic with history / without = {us['anymagic-sqlite'] / us['anymagic-none']:.2f}")
    print(f"IPython with history / :memory: = {us['ipython-sqlite'] / us['ipython-memory']:.2f}")


if __name__ == "__main__":
    main()
