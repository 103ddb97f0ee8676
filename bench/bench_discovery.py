"""Entry-point discovery with 600 extra distributions installed.

Run by hand::

    python bench/bench_discovery.py [--dists 600]

Generates ``--dists`` tiny fake ``*.dist-info`` folders (METADATA; every 10th also an
``entry_points.txt`` with ``anymagic.magics`` entries, every 3rd one with console scripts)
in a temporary folder put first on ``sys.path``, then times in this process:

* ``anymagic.registry.discovery.load(cache_file)`` with the cache warm (what every
  start-up does; target <= 2 ms) and cold (cache deleted: a full scan plus the write);
* ``importlib.metadata.entry_points(group="anymagic.magics")`` on the same ``sys.path``.
  IPython has no plugin discovery of its own: this is what IPython-based tools (and any
  package without a cache) do at start-up, so it is the reference.  Repeated in-process
  calls benefit from importlib.metadata's own path caches, so its first call in a fresh
  process (including ``import importlib.metadata``) is measured too, beside anymagic's.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from anymagic.registry import discovery  # noqa: E402

TARGET_MS = 2.0


def make_dists(folder: Path, count: int) -> None:
    for i in range(count):
        info = folder / f"fakepkg_{i:04d}-1.{i % 7}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: fakepkg-{i:04d}\nVersion: 1.{i % 7}\n"
            "Summary: a fake distribution for bench_discovery\n"
        )
        (info / "RECORD").write_text("")
        sections = []
        if i % 3 == 0:
            sections.append(f"[console_scripts]\nfake{i} = fakepkg_{i}.cli:main\n")
        if i % 10 == 0:
            sections.append(
                f"[anymagic.magics]\nfake{i}a = fakepkg_{i}:Magics\nfake{i}b = fakepkg_{i}:Magics\n"
                f"[anymagic.extensions]\nfakeext{i} = fakepkg_{i}.ext\n"
            )
        if sections:
            (info / "entry_points.txt").write_text("\n".join(sections))


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


FRESH = """
import sys, time
sys.path.insert(0, {site!r})
start = time.perf_counter()
{body}
print((time.perf_counter() - start) * 1000)
"""
FRESH_ANYMAGIC = (
    "from pathlib import Path\nfrom anymagic.registry import discovery\n"
    "found = discovery.load(Path({cache!r}))"
)
FRESH_METADATA = (
    "import importlib.metadata\nfound = importlib.metadata.entry_points(group='anymagic.magics')"
)


def fresh_ms(body: str, site: str, repeat: int) -> float:
    code = FRESH.format(site=site, body=body)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=True)  # warm
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(repeat)
    ]
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dists", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=50)
    opts = parser.parse_args()
    import importlib.metadata

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp, "site")
        site.mkdir()
        make_dists(site, opts.dists)
        sys.path.insert(0, str(site))
        cache = Path(tmp, "cache", "entry-points.json")

        def cold() -> None:
            cache.unlink(missing_ok=True)
            discovery.load(cache)

        cold_ms = median_ms(cold, max(5, opts.repeat // 5))
        discovery.load(cache)
        found = discovery.load(cache)
        warm_ms = median_ms(lambda: discovery.load(cache), opts.repeat)
        n_magics = sum(ep.group == discovery.MAGICS_GROUP for ep in found)

        eps = importlib.metadata.entry_points(group="anymagic.magics")
        meta_ms = median_ms(
            lambda: importlib.metadata.entry_points(group="anymagic.magics"),
            max(5, opts.repeat // 5),
        )
        total = sum(
            1
            for p in sys.path
            if os.path.isdir(p)
            for n in os.listdir(p)
            if n.endswith((".dist-info", ".egg-info"))
        )

        fresh_repeat = 7
        fresh_ours = fresh_ms(FRESH_ANYMAGIC.format(cache=str(cache)), str(site), fresh_repeat)
        fresh_meta = fresh_ms(FRESH_METADATA, str(site), fresh_repeat)

    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"date:    {datetime.datetime.now().isoformat(timespec='seconds')}")
    print(
        f"setup:   {opts.dists} fake distributions added; {total} distributions on sys.path; "
        f"{n_magics} anymagic.magics entry points found by anymagic, "
        f"{len(eps)} by importlib.metadata"
    )
    print("in-process, median:")
    print(
        f"  anymagic discovery.load, cache warm     {warm_ms:8.3f} ms  (target <= {TARGET_MS} ms: "
        f"{'meets' if warm_ms <= TARGET_MS else 'MISSES'})"
    )
    print(f"  anymagic discovery.load, cold (scan)    {cold_ms:8.3f} ms")
    print(
        f"  importlib.metadata.entry_points(group)  {meta_ms:8.3f} ms  (IPython has no discovery; "
        "this is what a cache-less tool does)"
    )
    print(
        f"  ratio warm / importlib.metadata: {warm_ms / meta_ms:.3f}; "
        f"cold / importlib.metadata: {cold_ms / meta_ms:.3f}"
    )
    print(
        f"fresh process (cache warmed by a first run), first call incl. imports, "
        f"median of {fresh_repeat}:"
    )
    print(f"  anymagic discovery.load, cache warm     {fresh_ours:8.3f} ms")
    print(f"  importlib.metadata.entry_points(group)  {fresh_meta:8.3f} ms")
    print(f"  ratio: {fresh_ours / fresh_meta:.3f}")


if __name__ == "__main__":
    main()
