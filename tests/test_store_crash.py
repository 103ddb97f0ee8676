"""``%store`` under faults: SIGKILL while storing a large value, several processes at once.

ANYMAGIC_STORE_KILLS sets how many kills the SIGKILL test makes (default 30).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from anymagic.registry.pickledb import PickleDB
from tests.conftest import ROOT, subprocess_env

SIZE = 6 << 20  # bytes per stored value: several MB, so kills land inside writes

WRITER = textwrap.dedent(
    """
    import sys
    from anymagic import BaseHost

    data_dir, start, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    session = BaseHost(data_dir=data_dir).attach()
    print("ready", flush=True)
    for i in range(start, start + 100000):
        session.user_ns["big"] = bytes([i % 251]) * size
        session.user_ns["small"] = i
        session.run_cell("%store big small")
        print("done", i, flush=True)
    """
)


def _check_entries(db: PickleDB, allowed: set[int]) -> tuple[int, int]:
    """Both entries load and hold a value that was stored completely."""
    assert db.names() == ["big", "small"]
    small = db.load("small")
    big = db.load("big")
    assert small in allowed, (small, sorted(allowed)[-3:])
    assert isinstance(big, bytes) and len(big) == SIZE
    assert big == bytes([big[0]]) * SIZE  # never a mix of two values
    assert big[0] in {k % 251 for k in allowed}
    return small, big[0]


def test_sigkill_while_storing_never_damages_an_entry(tmp_path):
    kills = int(os.environ.get("ANYMAGIC_STORE_KILLS", "30"))
    data_dir = tmp_path / "data"
    db = PickleDB(data_dir / "db")
    env = subprocess_env(PYTHONPATH=str(ROOT))
    rng = random.Random(1234)
    allowed: set[int] = set()  # every value some run stored (or may have been storing)
    mid_write = 0
    for run in range(kills):
        start = run * 100000
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(data_dir), str(start), str(SIZE)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout.readline() == "ready\n", proc.stderr.read()
        time.sleep(rng.uniform(0.02, 0.6))
        os.kill(proc.pid, signal.SIGKILL)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL, err
        done = [int(line.split()[1]) for line in out.splitlines() if line.startswith("done")]
        last = done[-1] if done else start - 1
        allowed.update(range(start, last + 2))  # + the one that may have been in flight
        if not (data_dir / "db" / "autorestore").exists():
            continue  # killed before the first store
        small, _ = _check_entries(db, allowed)
        mid_write += small != last
    # at least some kills must have hit a store in flight for the test to mean anything
    assert mid_write or kills < 10
    print(f"{kills} kills, {mid_write} during a store")
    leftovers = os.listdir(data_dir / "db" / ".anymagic-tmp")
    assert all(name.endswith(".tmp") for name in leftovers)  # crash leftovers, never entries


def test_sigkill_leftovers_are_invisible_to_ipython(tmp_path):
    """A temporary file of a killed writer never shows up as a variable for pickleshare."""
    pickleshare = pytest.importorskip("pickleshare")
    data_dir = tmp_path / "data"
    env = subprocess_env(PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(data_dir), "0", str(SIZE * 4)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline() == "ready\n"
    tmp_dir = data_dir / "db" / ".anymagic-tmp"
    deadline = time.time() + 20
    while time.time() < deadline and not (tmp_dir.exists() and os.listdir(tmp_dir)):
        time.sleep(0.001)
    assert os.listdir(tmp_dir), "the writer never started a store"
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert os.listdir(tmp_dir)  # the killed write left its temporary file behind
    keys = pickleshare.PickleShareDB(data_dir / "db").keys("autorestore/*")
    assert set(keys) <= {"autorestore/big", "autorestore/small"}


CONCURRENT = textwrap.dedent(
    """
    import os, sys, time
    from anymagic import BaseHost

    data_dir, who, go = sys.argv[1], sys.argv[2], sys.argv[3]
    session = BaseHost(data_dir=data_dir).attach()
    session.run_cell("%store")  # import everything before the start signal
    while not os.path.exists(go):
        time.sleep(0.001)
    for j in range(40):
        session.user_ns[f"{who}_{j}"] = [who, j]
        session.user_ns["shared"] = (who, j, bytes(200000))
        result = session.run_cell(f"%store {who}_{j} shared")
        assert result.success, result.error
    print("finished", who, flush=True)
    """
)

READER = textwrap.dedent(
    """
    import io, os, sys, time
    from contextlib import redirect_stderr
    from anymagic import BaseHost

    data_dir, go = sys.argv[1], sys.argv[2]
    session = BaseHost(data_dir=data_dir).attach()
    session.run_cell("%store")
    while not os.path.exists(go):
        time.sleep(0.001)
    problems = 0
    for _ in range(40):
        err = io.StringIO()
        with redirect_stderr(err):
            result = session.run_cell("%store -r")
        problems += (not result.success) or bool(err.getvalue())
        if err.getvalue():
            print(err.getvalue(), file=sys.stderr)
    print("problems", problems, flush=True)
    """
)


def test_processes_storing_at_once_corrupt_nothing(tmp_path):
    data_dir = tmp_path / "data"
    go = tmp_path / "go"
    env = subprocess_env(PYTHONPATH=str(ROOT))
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT, str(data_dir), who, str(go)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("a", "b", "c")
    ]
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(data_dir), str(go)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.0)  # let every process start
    go.write_text("")
    for proc in writers:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0 and out.splitlines()[-1].startswith("finished"), err
    out, err = reader.communicate(timeout=120)
    assert reader.returncode == 0 and out.splitlines()[-1] == "problems 0", err
    db = PickleDB(data_dir / "db")
    names = db.names()
    expected = sorted([f"{who}_{j}" for who in "abc" for j in range(40)] + ["shared"])
    assert names == expected
    for name in names:
        value = db.load(name)
        if name == "shared":
            assert value[0] in "abc" and value[2] == bytes(200000)
        else:
            who, j = name.split("_")
            assert value == [who, int(j)]
    assert os.listdir(data_dir / "db" / ".anymagic-tmp") == []
