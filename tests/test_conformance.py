"""Every host anymagic ships passes the host-protocol conformance kit (anymagic.testing).

Each class below applies :class:`anymagic.testing.HostConformance` to one host: the kit's
``test_*`` methods run once per class.  A new host is one more class here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from anymagic.testing import HostConformance


class TestBaseHost(HostConformance):
    def make_host(self, tmp_path: Path) -> Any:
        from anymagic import BaseHost

        host = BaseHost(data_dir=tmp_path / "anymagic")
        host.attach()
        return host


class TestTerminalHost(HostConformance):
    def make_host(self, tmp_path: Path) -> Any:
        from anymagic.hosts.terminal import TerminalHost

        host = TerminalHost(data_dir=tmp_path / "anymagic")
        host.attach()
        return host


class TestPtpythonHost(HostConformance):
    """The ptpython host in-process: a pipe for input, results printed into a buffer."""

    def make_host(self, tmp_path: Path) -> Any:
        pytest.importorskip("ptpython")
        import contextlib
        import io

        from prompt_toolkit.input import create_pipe_input
        from prompt_toolkit.output.plain_text import PlainTextOutput

        from anymagic.hosts.ptpython import AnymagicRepl

        self.shown = io.StringIO()
        self.stack = contextlib.ExitStack()
        pipe = self.stack.enter_context(create_pipe_input())
        namespace: dict[str, Any] = {"__name__": "__main__"}
        repl = AnymagicRepl(
            get_globals=lambda: namespace,
            input=pipe,
            output=PlainTextOutput(self.shown),
            data_dir=tmp_path / "anymagic",
        )
        return repl.session.host

    def read_output(self, host: Any) -> str:
        text = super().read_output(host) + self.shown.getvalue()
        self.shown.seek(0)
        self.shown.truncate()
        return text

    def close_host(self, host: Any) -> None:
        self.stack.close()


class TestConsoleHost(HostConformance):
    """The host behind anymagic.hosts.console.AnymagicConsole (a code.InteractiveConsole)."""

    def make_host(self, tmp_path: Path) -> Any:
        from anymagic.hosts.console import AnymagicConsole

        return AnymagicConsole(data_dir=tmp_path / "anymagic").host


class TestConsoleEnableHost(HostConformance):
    """anymagic.hosts.console.enable() on a stock code.InteractiveConsole."""

    def make_host(self, tmp_path: Path) -> Any:
        import code

        from anymagic.hosts.console import enable

        return enable(code.InteractiveConsole(), data_dir=tmp_path / "anymagic").host


class RecordingHost:
    """The protocol implemented directly (no BaseHost), output kept in a list."""

    def __init__(self, data_dir: Path, *, drop_stderr: bool = False) -> None:
        from anymagic import Events, Session

        self.user_ns: dict[str, Any] = {"__name__": "__main__"}
        self.history: list[str] = [""]
        self.events = Events()
        self.shown: list[str] = []
        self.drop_stderr = drop_stderr
        self._data_dir = data_dir
        self.session = Session(self)

    @property
    def data_dir(self) -> Path:
        return self._data_dir

    def run_cell(self, source: str, *, store_history: bool = False) -> Any:
        return self.session.run_cell(source, store_history=store_history)

    def write(self, text: str, stream: str = "stdout") -> None:
        if not (self.drop_stderr and stream == "stderr"):
            self.shown.append(text)

    def display(self, obj: Any, *, execution_count: int | None = None) -> None:
        self.write(repr(obj) + "\n")

    def system(self, cmd: str, *, capture: bool = False) -> int | list[str]:
        import subprocess

        proc = subprocess.run(cmd, shell=True, capture_output=True, text=True)  # noqa: S602
        if capture:
            return (proc.stdout + proc.stderr).splitlines()
        self.write(proc.stdout)
        self.write(proc.stderr, "stderr")
        return proc.returncode


class TestRecordingHost(HostConformance):
    def make_host(self, tmp_path: Path) -> Any:
        return RecordingHost(tmp_path / "anymagic")

    def read_output(self, host: Any) -> str:
        text = super().read_output(host) + "".join(host.shown)  # print() still reaches fd 1
        host.shown.clear()
        return text


def test_the_kit_fails_a_host_that_breaks_the_protocol(tmp_path: Path) -> None:
    from anymagic.testing.conformance import ConformanceMagics

    class Silent(TestRecordingHost):
        def make_host(self, tmp_path: Path) -> Any:
            return RecordingHost(tmp_path, drop_stderr=True)

        def read_output(self, host: Any) -> str:
            text = "".join(host.shown)
            host.shown.clear()
            return text

    kit = Silent()
    host = kit.make_host(tmp_path)
    host.session.register_magics(ConformanceMagics)
    with pytest.raises(AssertionError):
        kit.test_usage_error_is_one_line(host)
    with pytest.raises(AssertionError):
        kit.test_error_traceback(host)
    host.history = []  # history[0] must be ""
    with pytest.raises((AssertionError, IndexError)):
        kit.test_history(host)


class TestIPythonHost(HostConformance):
    """anymagic loaded into IPython's in-process InteractiveShell."""

    def make_host(self, tmp_path: Path) -> Any:
        from IPython.core.interactiveshell import InteractiveShell

        from anymagic.hosts.ipython import adapter_for

        self.ip = InteractiveShell.instance()
        self.ip.run_line_magic("load_ext", "anymagic")
        return adapter_for(self.ip).host

    def sync(self, host: Any) -> None:  # the adapter mirrors the registry into IPython
        from anymagic.hosts.ipython import adapter_for

        adapter_for(self.ip).sync()

    def close_host(self, host: Any) -> None:
        self.ip.run_line_magic("unload_ext", "anymagic")


class RecordingKernel:
    """Just what KernelHost sends through: IOPub messages are recorded as text."""

    iopub_socket = object()

    def __init__(self) -> None:
        self.shown: list[str] = []

    def _topic(self, msg_type: str) -> bytes:
        return msg_type.encode()

    def send_response(self, socket: Any, msg_type: str, content: dict, ident: Any = None) -> None:
        if msg_type == "stream":
            self.shown.append(content["text"])
        elif msg_type in ("execute_result", "display_data"):
            self.shown.append(content["data"].get("text/plain", "") + "\n")
        elif msg_type == "error":
            self.shown.append("\n".join(content["traceback"]) + "\n")


class TestKernelHost(HostConformance):
    """The kernel's host in-process, its IOPub messages recorded (no ZMQ); the real kernel
    is driven through jupyter_client in tests/test_kernel.py."""

    def make_host(self, tmp_path: Path) -> Any:
        from anymagic.hosts.kernel import KernelHost

        self.kernel = RecordingKernel()
        host = KernelHost(self.kernel, data_dir=tmp_path / "anymagic")
        host.attach()
        return host

    def read_output(self, host: Any) -> str:
        pages = [p.get("data", {}).get("text/plain", "") for p in host.payloads]
        text = super().read_output(host) + "".join(self.kernel.shown) + "\n".join(pages)
        self.kernel.shown.clear()
        host.payloads.clear()
        return text
