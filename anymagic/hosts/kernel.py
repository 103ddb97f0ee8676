"""The anymagic Jupyter kernel: plain Python with magics, on ``ipykernel.kernelbase.Kernel``.

:class:`KernelHost` is the host protocol over Jupyter messages: ``write`` becomes ``stream``
messages, ``display`` becomes ``display_data`` / ``execute_result`` with rich mime bundles
(:mod:`anymagic.hosts.richrepr`), ``system`` streams a command's output line by line.
:class:`AnymagicKernel` answers the requests (execute, complete, inspect, is_complete,
history, kernel_info, interrupt, shutdown) through one :class:`~anymagic.Session`.
Code runs in the kernel's main thread, so an interrupt (SIGINT) stops it.

Start it with ``python -m anymagic.kernel -f CONNECTION_FILE`` (what the kernelspec does).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from ipykernel.kernelbase import Kernel

from anymagic.hosts.richrepr import mime_bundle
from anymagic.registry.errors import UsageError
from anymagic.registry.host import BaseHost
from anymagic.registry.session import (
    Runtime,
    Session,
    format_exception,
    hide_from_tracebacks,
)
from anymagic.registry.syntax import RUNTIME_NAME

hide_from_tracebacks(__file__)

_ANSI = re.compile(r"\x1b\[[\d;?]*[A-Za-z]")
_NAME_AT = re.compile(r"%{0,2}[^\W\d][\w.]*")  # Unicode identifiers too


class KernelHost(BaseHost):
    """The host protocol over a kernel's IOPub channel."""

    def __init__(
        self,
        kernel: Any = None,
        user_ns: dict[str, Any] | None = None,
        data_dir: Path | None = None,
    ) -> None:
        super().__init__(user_ns, data_dir)
        self.kernel = kernel
        #: The error of the running cell (set by the session's ``show_exception``).
        self.last_error: dict[str, Any] | None = None
        #: ``execute_reply`` payloads of the running cell (``name?`` pages).
        self.payloads: list[dict[str, Any]] = []
        self.user_ns.setdefault("display", self.display_objects)

    def attach(self, **options: Any) -> Any:
        """Create (once) the session, with the config file's settings unless given one."""
        if self.session is None:
            if "config" not in options:
                from anymagic.registry.config import load_config

                try:
                    options["config"] = load_config(self.data_dir)
                except UsageError as exc:  # no cell to send it to yet: the kernel's stderr
                    BaseHost.write(self, f"anymagic: {exc}\n", "stderr")
                    options["config"] = None
            from anymagic.hosts.setup import start_session

            start_session(self, KernelSession, **options)
        return self.session

    # -- output ---------------------------------------------------------------------------
    def write(self, text: str, stream: str = "stdout") -> None:
        out = sys.stderr if stream == "stderr" else sys.stdout
        if out is None:
            return
        out.write(text)
        out.flush()

    def _flush(self) -> None:
        for out in (sys.stdout, sys.stderr):
            if out is not None:
                out.flush()

    def _send(self, msg_type: str, content: dict[str, Any]) -> None:
        kernel = self.kernel
        if kernel is None or kernel.iopub_socket is None:  # not in a kernel: show text
            BaseHost.write(self, content.get("data", {}).get("text/plain", "") + "\n")
            return
        self._flush()  # keep stream output in order with rich output
        kernel.send_response(kernel.iopub_socket, msg_type, content, ident=kernel._topic(msg_type))

    def display(self, obj: Any, *, execution_count: int | None = None) -> None:
        pretty = bool(self.session.options["pprint"]) if self.session is not None else True
        data, metadata = mime_bundle(obj, pretty=pretty)
        self.send_bundle(data, metadata, execution_count=execution_count)

    def send_bundle(
        self,
        data: dict[str, Any],
        metadata: dict[str, Any] | None = None,
        *,
        execution_count: int | None = None,
        transient: dict[str, Any] | None = None,
    ) -> None:
        """Send a mime bundle: a cell's result with ``execution_count``, else display data."""
        content: dict[str, Any] = {"data": data, "metadata": metadata or {}}
        if execution_count is not None:
            content["execution_count"] = execution_count
            self._send("execute_result", content)
        else:
            content["transient"] = transient or {}
            self._send("display_data", content)

    def display_objects(
        self,
        *objs: Any,
        raw: bool = False,
        include: Any = None,
        exclude: Any = None,
        metadata: dict[str, Any] | None = None,
        display_id: str | None = None,
        **_: Any,
    ) -> None:
        """``display(obj, ...)`` in the user namespace, as in Jupyter (``raw=True``: bundles)."""
        pretty = bool(self.session.options["pprint"]) if self.session is not None else True
        transient = {"display_id": display_id} if display_id else None
        for obj in objs:
            if raw and isinstance(obj, dict):
                data, md = obj, dict(metadata or {})
            else:
                data, md = mime_bundle(
                    obj,
                    pretty=pretty,
                    include=set(include) if include else None,
                    exclude=set(exclude) if exclude else None,
                )
                md.update(metadata or {})
            self.send_bundle(data, md, transient=transient)

    def show_error(self, exc: BaseException) -> None:
        """An ``error`` message for ``exc`` (its traceback without anymagic's frames)."""
        if isinstance(exc, UsageError):
            content = {
                "ename": "UsageError",
                "evalue": str(exc),
                "traceback": [f"UsageError: {exc}"],
            }
        else:
            text = format_exception(exc).rstrip("\n")
            content = {
                "ename": type(exc).__name__,
                "evalue": str(exc),
                "traceback": text.split("\n"),
            }
        self.last_error = content
        if self.kernel is None or self.kernel.iopub_socket is None:
            BaseHost.write(self, "\n".join(content["traceback"]) + "\n", "stderr")
            return
        self._send("error", content)

    # -- shell commands ---------------------------------------------------------------------
    def system(self, cmd: str, *, capture: bool = False) -> int | list[str]:
        """Run ``cmd`` in a shell; its output is sent line by line as it comes."""
        self._flush()
        if capture:
            proc = subprocess.run(  # noqa: S602 - a shell command typed by the user
                cmd, shell=True, capture_output=True, text=True, stdin=subprocess.DEVNULL
            )
            return (proc.stdout + proc.stderr).splitlines()
        proc = subprocess.Popen(  # noqa: S602
            cmd,
            shell=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            bufsize=0,
        )
        assert proc.stdout is not None
        try:
            for raw in iter(proc.stdout.readline, b""):
                self.write(raw.decode("utf-8", "replace"))
            return proc.wait()
        except BaseException:  # an interrupt: stop the command too
            proc.terminate()
            try:
                proc.wait(1)
            except subprocess.TimeoutExpired:
                proc.kill()
            raise
        finally:
            proc.stdout.close()


class KernelRuntime(Runtime):
    """``name?`` in a kernel: the help text goes to the front end's pager (a page payload)."""

    __slots__ = ()

    def help(self, name: str, detail: int = 0) -> None:
        from anymagic.registry.help import help_text

        session = self._session
        text = help_text(session, name, detail, self._locals())
        payloads = getattr(session.host, "payloads", None)
        if payloads is None:
            session.write(text)
        else:
            payloads.append({"source": "page", "data": {"text/plain": text}, "start": 0})


class KernelSession(Session):
    """A session whose errors become Jupyter ``error`` messages instead of stderr text."""

    def __init__(self, host: Any, **options: Any) -> None:
        super().__init__(host, **options)
        self.runtime = KernelRuntime(self)
        self.user_ns[RUNTIME_NAME] = self.runtime

    def show_exception(self, exc: BaseException) -> None:
        show = getattr(self.host, "show_error", None)
        if show is None:
            super().show_exception(exc)
        else:
            show(exc)


def _language_info() -> dict[str, Any]:
    return {
        "name": "python",
        "version": sys.version.split()[0],
        "mimetype": "text/x-python",
        "file_extension": ".py",
        "pygments_lexer": "ipython3",
        "codemirror_mode": {"name": "ipython", "version": 3},
        "nbconvert_exporter": "python",
    }


def _version() -> str:
    try:
        from anymagic import __version__

        return str(__version__)
    except ImportError:  # pragma: no cover - always there when installed
        return "0"


class _Handlers(dict):
    """Shell handlers; an unknown ``*_request`` gets an error reply instead of silence."""

    def __init__(self, handlers: dict[str, Any], unknown: Any) -> None:
        super().__init__(handlers)
        self._unknown = unknown

    def get(self, key: Any, default: Any = None) -> Any:
        if key in self:
            return self[key]
        return self._unknown


class AnymagicKernel(Kernel):
    """A Jupyter kernel running plain Python (not IPython) with anymagic's magics."""

    implementation = "anymagic"
    implementation_version = _version()
    language = "python"
    language_version = sys.version.split()[0]
    language_info = _language_info()
    banner = (
        f"anymagic {_version()}: Python {sys.version.split()[0]} with IPython-style magics "
        "(%lsmagic lists them)"
    )
    help_links = [{"text": "Python", "url": "https://docs.python.org/3/"}]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.host = KernelHost(self)
        self.anymagic = self.host.attach()
        from anymagic.registry.history import HistoryStore

        self.history_store = HistoryStore(
            self.anymagic.data_dir / "history.sqlite",
            report=lambda text: sys.__stderr__.write(text) if sys.__stderr__ else None,
        )
        self.anymagic.history_store = self.history_store
        self.shell_handlers = _Handlers(self.shell_handlers, self._unknown_request)

    # ipykernel increments this before each non-silent execute; the session owns the count
    @property
    def execution_count(self) -> int:  # type: ignore[override]
        return self.anymagic.execution_count

    @execution_count.setter
    def execution_count(self, value: int) -> None:
        pass

    def set_parent(self, ident: Any, parent: Any, channel: str = "shell") -> None:
        """Also make ``print`` output (ipykernel's OutStreams) belong to this request."""
        super().set_parent(ident, parent, channel)
        if channel == "shell":
            for out in (sys.stdout, sys.stderr):
                if hasattr(out, "set_parent"):
                    out.set_parent(parent)

    # -- requests ---------------------------------------------------------------------------
    async def _unknown_request(self, stream: Any, ident: Any, parent: dict[str, Any]) -> None:
        msg_type = str(parent.get("header", {}).get("msg_type", ""))
        self.log.warning("Unknown message type: %r", msg_type)
        if not msg_type.endswith("_request"):
            return
        content = {"status": "error", "ename": "UnknownMessageType", "evalue": msg_type}
        content["traceback"] = [f"the anymagic kernel does not handle {msg_type!r}"]
        self.session.send(stream, msg_type[: -len("_request")] + "_reply", content, parent, ident)

    async def execute_request(self, stream: Any, ident: Any, parent: dict[str, Any]) -> None:
        content = parent.get("content")
        if not isinstance(content, dict) or not isinstance(content.get("code"), str):
            reply = {
                "status": "error",
                "ename": "BadRequest",
                "evalue": "execute_request without a 'code' string",
                "traceback": ["BadRequest: execute_request without a 'code' string"],
                "execution_count": self.execution_count,
            }
            self.session.send(stream, "execute_reply", reply, parent, ident)
            return
        await super().execute_request(stream, ident, parent)

    async def do_execute(
        self,
        code: str,
        silent: bool,
        store_history: bool = True,
        user_expressions: dict[str, str] | None = None,
        allow_stdin: bool = False,
        **_: Any,
    ) -> dict[str, Any]:
        session = self.anymagic
        host = self.host
        host.last_error = None
        host.payloads = []
        self._allow_stdin = allow_stdin
        store = store_history and not silent
        import builtins
        import getpass

        saved = builtins.input, getpass.getpass
        builtins.input = self.raw_input if allow_stdin else _no_input
        getpass.getpass = self.getpass if allow_stdin else _no_input
        try:
            result = session.run_cell(code, store_history=store, silent=silent)
        except SystemExit as exc:  # `exit()` in a cell: report it; the kernel keeps serving
            host.show_error(exc)
            result = None
        finally:
            builtins.input, getpass.getpass = saved
        count = result.execution_count if result and result.execution_count else None
        count = count if count is not None else max(session.execution_count - 1, 0)
        if host.last_error is not None:
            return {"status": "error", "execution_count": count, **host.last_error}
        return {
            "status": "ok",
            "execution_count": count,
            "payload": host.payloads,
            "user_expressions": self._user_expressions(user_expressions or {}),
        }

    def _user_expressions(self, expressions: dict[str, str]) -> dict[str, Any]:
        results: dict[str, Any] = {}
        pretty = bool(self.anymagic.options["pprint"])
        for key, expr in expressions.items():
            try:
                value = eval(expr, self.anymagic.user_ns)  # noqa: S307 - the client's own code
                data, md = mime_bundle(value, pretty=pretty)
                results[key] = {"status": "ok", "data": data, "metadata": md}
            except Exception as exc:  # noqa: BLE001 - reported per expression
                results[key] = {
                    "status": "error",
                    "ename": type(exc).__name__,
                    "evalue": str(exc),
                    "traceback": format_exception(exc).rstrip("\n").split("\n"),
                }
        return results

    async def do_complete(self, code: str, cursor_pos: int | None) -> dict[str, Any]:
        from anymagic.registry.completion import complete

        cursor_pos = len(code) if cursor_pos is None else cursor_pos
        try:
            found = complete(self.anymagic, code, cursor_pos)
        except Exception:  # noqa: BLE001 - completion never breaks the kernel
            self.log.debug("completion failed", exc_info=True)
            return {
                "status": "ok",
                "matches": [],
                "cursor_start": cursor_pos,
                "cursor_end": cursor_pos,
                "metadata": {},
            }
        return {
            "status": "ok",
            "matches": list(found.matches),
            "cursor_start": found.start,
            "cursor_end": found.end,
            "metadata": {},
        }

    async def do_inspect(
        self, code: str, cursor_pos: int | None, detail_level: int = 0, omit_sections: Any = ()
    ) -> dict[str, Any]:
        from anymagic.registry.help import help_text

        name = name_at(code, len(code) if cursor_pos is None else cursor_pos)
        reply: dict[str, Any] = {"status": "ok", "data": {}, "metadata": {}, "found": False}
        if not name:
            return reply
        try:
            text = help_text(self.anymagic, name, 1 if detail_level else 0)
        except UsageError:
            return reply
        except Exception:  # noqa: BLE001 - a broken object: nothing to show
            self.log.debug("inspect failed", exc_info=True)
            return reply
        reply["data"] = {"text/plain": text}
        reply["found"] = True
        return reply

    async def do_is_complete(self, code: str) -> dict[str, Any]:
        try:
            status, indent = self.anymagic.syntax.check_complete(code)
        except Exception:  # noqa: BLE001 - let the run show what is wrong
            return {"status": "unknown"}
        if status == "incomplete":
            return {"status": "incomplete", "indent": " " * (indent or 0)}
        return {"status": status}

    async def do_history(
        self,
        hist_access_type: str,
        output: bool,
        raw: bool,
        session: int | None = None,
        start: int | None = None,
        stop: int | None = None,
        n: int | None = None,
        pattern: str | None = None,
        unique: bool = False,
        **_: Any,
    ) -> dict[str, Any]:
        store = self.history_store
        if hist_access_type == "tail":
            entries = store.search("*", n=n or 10)
        elif hist_access_type == "search":
            entries = store.search(pattern or "*", n=n, unique=unique)
        elif hist_access_type == "range":
            entries = store.get_range(session or 0, start or 1, stop)
        else:
            return {"status": "error", "history": []}
        if output:
            out = self.anymagic.user_ns.get("Out", {})
            current = store.session_id
            history = [
                (s, line, (src, _plain(out[line]) if s == current and line in out else None))
                for s, line, src in entries
            ]
        else:
            history = [tuple(entry) for entry in entries]
        return {"status": "ok", "history": history}

    async def do_shutdown(self, restart: bool) -> dict[str, Any]:
        self.history_store.end_session()
        return {"status": "ok", "restart": restart}


def _plain(value: Any) -> str:
    from anymagic.hosts.richrepr import plain_text

    return plain_text(value)


def _no_input(prompt: str = "", *args: Any, **kwargs: Any) -> str:
    from IPython.core.error import StdinNotImplementedError

    raise StdinNotImplementedError("input() is not available: this front end sends no stdin.")


def name_at(code: str, cursor: int) -> str:
    """The (dotted, maybe ``%``-prefixed) name around ``cursor``; for ``inspect`` requests.

    When the cursor is just inside a call's parentheses (``f(|``), the called name.
    """
    line_start = code.rfind("\n", 0, cursor) + 1
    line_end = code.find("\n", cursor)
    line = code[line_start : len(code) if line_end < 0 else line_end]
    col = cursor - line_start
    for match in _NAME_AT.finditer(line):
        if match.start() <= col <= match.end():
            return match.group(0).rstrip(".")
    before = line[:col].rstrip()
    depth = 0
    for i in range(len(before) - 1, -1, -1):  # the callee of the innermost open call
        ch = before[i]
        if ch == ")":
            depth += 1
        elif ch == "(":
            if depth == 0:
                head = re.search(r"%{0,2}[A-Za-z_][\w.]*$", before[:i].rstrip())
                return head.group(0) if head else ""
            depth -= 1
    return ""


__all__ = ["AnymagicKernel", "KernelHost", "KernelSession", "name_at"]
