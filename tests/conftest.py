"""Shared fixtures: every test runs with private data directories, never the user's home."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


#: The variables naming every folder anymagic, IPython and Jupyter write to, and where
#: under a private base folder the tests put each.
PRIVATE_DIRS = (
    ("ANYMAGIC_DIR", "anymagic"),
    ("IPYTHONDIR", "ipython"),
    ("JUPYTER_CONFIG_DIR", "jupyter-config"),
    ("JUPYTER_DATA_DIR", "jupyter-data"),
    ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"),
)


def private_env(base: Path) -> dict[str, str]:
    """The PRIVATE_DIRS variables pointing under ``base``."""
    return {var: str(base / sub) for var, sub in PRIVATE_DIRS}


def ipc_path() -> str:
    """Where a kernel's IPC sockets go: a private temporary folder, never the cwd."""
    import tempfile

    return os.path.join(tempfile.mkdtemp(prefix="anymagic-ipc-"), "kernel")


@contextmanager
def started_kernel(kernel_name: str, env: dict[str, str]) -> Iterator[tuple[Any, Any]]:
    """A real kernel (ipc sockets in a private folder) and a ready client; both shut down."""
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name=kernel_name, transport="ipc", ip=ipc_path())
    km.shutdown_wait_time = 1  # a plain wrapper kernel can otherwise take 2.6 s to stop
    km.start_kernel(env=env)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        yield km, kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def kernel_run(kc: Any, code: str) -> tuple[str, str, dict[str, Any]]:
    """Execute ``code``: its stdout, its stderr (error tracebacks included) and the reply."""
    outputs: list[dict[str, Any]] = []
    reply = kc.execute_interactive(code, timeout=60, output_hook=outputs.append)
    streams = {"stdout": "", "stderr": ""}
    for msg in outputs:
        if msg["header"]["msg_type"] == "stream":
            streams[msg["content"]["name"]] += msg["content"]["text"]
        elif msg["header"]["msg_type"] == "error":
            streams["stderr"] += "\n".join(msg["content"]["traceback"])
    return streams["stdout"], streams["stderr"], reply["content"]


@pytest.fixture(autouse=True)
def private_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """ANYMAGIC_DIR, IPYTHONDIR, JUPYTER_* and the working folder are temporary for every test."""
    base = tmp_path_factory.mktemp("home")
    for var, value in private_env(base).items():
        monkeypatch.setenv(var, value)
    monkeypatch.delenv("ANYMAGIC_DISABLE", raising=False)
    monkeypatch.delenv("ANYMAGIC_NO_AUTOLOAD", raising=False)
    work = base / "cwd"  # files a magic writes to "the current folder" land here, not the repo
    work.mkdir()
    monkeypatch.chdir(work)
    return base / "anymagic"


class Shell:
    """An in-process session on a BaseHost whose output is captured per cell."""

    def __init__(self, data_dir: Path, **options: object) -> None:
        from anymagic import BaseHost

        self.host = BaseHost(data_dir=data_dir)
        self.session = self.host.attach(**options)

    def run(self, source: str, store_history: bool = True) -> tuple[str, str, object]:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            result = self.session.run_cell(source, store_history=store_history)
        return out.getvalue(), err.getvalue(), result

    @property
    def ns(self) -> dict:
        return self.session.user_ns


def ok(shell: Shell, cell: str) -> str:
    """Run a cell that must succeed silently on stderr; its stdout."""
    out, err, result = shell.run(cell)
    assert result.success, err
    assert not err, err
    return out


def usage_error(shell: Shell, cell: str) -> str:
    """Run a cell that must fail with a one-line UsageError (no traceback); that line."""
    _, err, result = shell.run(cell)
    assert not result.success
    assert err.startswith("UsageError: ") and "Traceback" not in err, err
    return err.splitlines()[0]


@pytest.fixture
def shell(private_dirs: Path) -> Shell:
    return Shell(private_dirs)


def subprocess_env(**extra: str) -> dict[str, str]:
    """The current environment (already private) plus ``extra``."""
    env = dict(os.environ)
    env.update(extra)
    return env
