"""Time anymagic's input translator against IPython's on large cells with many magics.

Run by hand::

    python bench/bench_transform.py

Builds a cell of 1,000 lines with 400 line magics and one of 10,000 lines with 4,000
magics (mixed with Python lines, strings holding magic-looking text, and indented blocks),
then times ``InputSyntax().transform`` (best of several runs) and IPython's
``TransformerManager().transform_cell`` (once: it is slow, and gives up past 500 magics).
"""

from __future__ import annotations

import datetime
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from anymagic.registry.syntax import InputSyntax  # noqa: E402

# 10 lines, 4 magics (%time, !echo, = %who, %cd), and magic-looking text in a string
# and inside brackets that must be left alone.
BLOCK = [
    "%time x = {i}",
    "def f{i}(a):",
    "    !echo {i}",
    "    s = '''%not {i}",
    "%still not'''",
    "    return a",
    "y = %who",
    "z = [7",
    "     %3]",
    "%cd /tmp",
]


def make_cell(n_lines: int) -> str:
    """A cell of ``n_lines`` lines, 40% of them magics."""
    blocks = n_lines // len(BLOCK)
    return "\n".join(line.format(i=i) for i in range(blocks) for line in BLOCK)


def best_of(fn, source: str, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn(source)
        best = min(best, time.perf_counter() - start)
    return best


def time_ipython(source: str) -> tuple[float | None, str]:
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:
        return None, "not installed"
    manager = TransformerManager()
    start = time.perf_counter()
    try:
        manager.transform_cell(source)
    except RuntimeError as exc:
        if "still changing" not in str(exc):
            raise
        return time.perf_counter() - start, "gives up"
    return time.perf_counter() - start, ""


def main() -> None:
    try:
        import IPython

        ipython_version = IPython.__version__
    except ImportError:
        ipython_version = "not installed"
    print(f"date:    {datetime.datetime.now().isoformat(timespec='seconds')}")
    print(f"machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs")
    print(f"python:  {platform.python_implementation()} {platform.python_version()}")
    print(f"IPython: {ipython_version}")
    print()
    header = f"{'case':<28} {'anymagic ms':>12} {'IPython ms':>12} {'ratio':>8}  note"
    print(header)
    print("-" * len(header))
    syntax = InputSyntax()
    for n_lines, runs in ((1_000, 20), (10_000, 7)):
        source = make_cell(n_lines)
        out = syntax.transform(source)
        assert out.count("\n") == source.count("\n")
        magics = out.count("__anymagic__.")
        ours = best_of(syntax.transform, source, runs)
        theirs, note = time_ipython(source)
        case = f"{n_lines:,} lines, {magics:,} magics"
        ipy = f"{theirs * 1e3:12.1f}" if theirs is not None else f"{'-':>12}"
        ratio = f"{theirs / ours:7.0f}x" if theirs is not None else f"{'-':>8}"
        print(f"{case:<28} {ours * 1e3:12.2f} {ipy} {ratio}  {note}")
    print()
    print("anymagic: InputSyntax().transform, best of several runs;")
    print("IPython: TransformerManager().transform_cell, one run.")


if __name__ == "__main__":
    main()
