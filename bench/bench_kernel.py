"""Kernel start-up and round trip: the anymagic kernel beside ipykernel's ``python3`` kernel.

Run by hand (ipykernel and jupyter_client installed in the same environment)::

    python bench/bench_kernel.py [--starts 5] [--round-trips 200] [--profile]

For each kernel (both through ``jupyter_client.KernelManager`` with kernelspecs in a
temporary ``JUPYTER_PATH``, ``transport="ipc"``): the wall time from ``start_kernel()`` to
the first ``execute_reply`` (median of ``--starts`` starts, after one warm-up start), and
the median round-trip time of ``execute("1")`` until its ``execute_reply``.
``--profile`` prints where the anymagic kernel's start-up goes (``-X importtime`` of its
launcher, largest cumulative imports).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET = 0.5  # anymagic start-up <= 0.5 x ipykernel's


def ipc_path() -> str:
    """Where a kernel's IPC sockets go: a private temporary folder, never the cwd."""
    import tempfile

    return os.path.join(tempfile.mkdtemp(prefix="anymagic-ipc-"), "kernel")


def write_specs(base: Path) -> None:
    from anymagic.kernel import write_kernel_spec

    write_kernel_spec(base / "jupyter" / "kernels" / "anymagic", sys.executable)
    folder = base / "jupyter" / "kernels" / "python3"
    folder.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    (folder / "kernel.json").write_text(json.dumps(spec))


def wait_reply(kc: Any, msg_id: str, timeout: float = 60) -> None:
    """Wait for the ``execute_reply`` to ``msg_id``."""
    while kc.get_shell_msg(timeout=timeout)["parent_header"].get("msg_id") != msg_id:
        pass


def one_start(name: str) -> tuple[float, Any, Any]:
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name=name, transport="ipc", ip=ipc_path())
    km.shutdown_wait_time = 1
    start = time.perf_counter()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    msg_id = kc.execute("1")  # zmq queues the request until the kernel is listening
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        reply = kc.get_shell_msg(timeout=60)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    elapsed = time.perf_counter() - start
    return elapsed, km, kc


def measure(name: str, starts: int, round_trips: int) -> tuple[float, float]:
    times = []
    for i in range(starts + 1):
        elapsed, km, kc = one_start(name)
        if i:  # the first start warms caches
            times.append(elapsed)
        if i < starts:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    trips = []
    for _ in range(10):
        wait_reply(kc, kc.execute("1"))
    for _ in range(round_trips):
        t0 = time.perf_counter()
        wait_reply(kc, kc.execute("1"))
        trips.append(time.perf_counter() - t0)
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    return statistics.median(times), statistics.median(trips)


def profile_imports() -> None:
    """The largest cumulative imports of the anymagic kernel's launcher."""
    code = "import anymagic.kernel, ipykernel.kernelapp, anymagic.hosts.kernel"
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True
    )
    rows = []
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    rows.sort(reverse=True)
    print("\nLargest cumulative imports of the kernel (-X importtime, microseconds):")
    for cumulative, module in rows[:15]:
        print(f"  {cumulative / 1000:8.1f} ms  {module}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--round-trips", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="anymagic-bench-kernel-"))
    try:
        write_specs(base)
        os.environ["JUPYTER_PATH"] = str(base / "jupyter")
        for var, sub in (
            ("ANYMAGIC_DIR", "anymagic"),
            ("IPYTHONDIR", "ipython"),
            ("JUPYTER_CONFIG_DIR", "jupyter-config"),
            ("JUPYTER_DATA_DIR", "jupyter-data"),
            ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"),
        ):
            os.environ[var] = str(base / sub)
        print(f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
        print(f"{datetime.datetime.now():%Y-%m-%d %H:%M}")
        am_start, am_trip = measure("anymagic", args.starts, args.round_trips)
        ip_start, ip_trip = measure("python3", args.starts, args.round_trips)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    ratio = am_start / ip_start
    print(f"\n{'':28}{'anymagic':>12}{'ipykernel':>12}{'ratio':>8}")
    print(
        f"{'start to first reply (ms)':28}{am_start * 1e3:12.0f}{ip_start * 1e3:12.0f}{ratio:8.2f}"
    )
    label = "execute('1') round trip (ms)"
    print(f"{label:28}{am_trip * 1e3:12.2f}{ip_trip * 1e3:12.2f}{am_trip / ip_trip:8.2f}")
    verdict = "met" if ratio <= TARGET else "missed"
    print(f"\nstart-up target ratio <= {TARGET}: {verdict} ({ratio:.2f})")
    if args.profile or ratio > TARGET:
        profile_imports()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
