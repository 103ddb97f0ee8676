"""The host protocol: the few things anymagic needs from a shell or kernel.

A host is whatever runs Python for a person: a terminal shell, a Jupyter kernel, IPython,
ptpython, a ``code`` console.  Everything else (input syntax, dispatch, help, completion,
extension bookkeeping, linecache entries) is anymagic's, written once in
:class:`~anymagic.registry.session.Session`.  :class:`BaseHost` is a complete default a new
host can subclass and override piece by piece.
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableSequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from .events import Events


@runtime_checkable
class Host(Protocol):
    """What a shell or kernel gives anymagic.  Eight members; only ``user_ns`` and
    ``write`` are required (the session supplies plain defaults for the others, and a
    magic that needs a missing one, such as ``system``, says so in one line)."""

    #: The user namespace: globals of the code the person runs.
    user_ns: dict[str, Any]
    #: Numbered input history of this session: ``history[n]`` is input ``n``; ``history[0] == ""``.
    history: MutableSequence[str]
    #: Pre/post-run events (``pre_run_cell``, ``post_run_cell``, ...).
    events: Events

    @property
    def data_dir(self) -> Path:
        """A private folder for persistent state (config, caches, history, store)."""

    def run_cell(self, source: str, *, store_history: bool = False) -> Any:
        """Run ``source`` (magics allowed) as if typed, with the host's own display of results."""

    def write(self, text: str, stream: str = "stdout") -> None:
        """Show text to the person; ``stream`` is ``"stdout"`` or ``"stderr"``."""

    def display(self, obj: Any, *, execution_count: int | None = None) -> None:
        """Show an object richly; with ``execution_count`` it is that cell's result (``Out[n]``)."""

    def system(self, cmd: str, *, capture: bool = False) -> int | list[str]:
        """Run a shell command: its exit status, or with ``capture`` its output lines."""


def default_data_dir() -> Path:
    """``$ANYMAGIC_DIR``, else ``~/.anymagic``."""
    env = os.environ.get("ANYMAGIC_DIR")
    return Path(env).expanduser() if env else Path.home() / ".anymagic"


class BaseHost:
    """A complete, plain host: a dict namespace, ``sys.stdout`` output, ``subprocess`` shell.

    Subclass it and override what your shell does differently; call :meth:`attach` (or
    build a :class:`~anymagic.registry.session.Session`) to get magics.
    """

    def __init__(self, user_ns: dict[str, Any] | None = None, data_dir: Path | None = None) -> None:
        self.user_ns: dict[str, Any] = {} if user_ns is None else user_ns
        self.user_ns.setdefault("__name__", "__main__")
        self.user_ns.setdefault("__builtins__", __builtins__)
        self.history: list[str] = [""]
        self.events = Events()
        self._data_dir = data_dir
        self.session: Any = None

    @property
    def data_dir(self) -> Path:
        return self._data_dir or default_data_dir()

    def attach(self, **options: Any) -> Any:
        """Create (once) and return this host's :class:`Session`."""
        if self.session is None:
            from .session import Session

            self.session = Session(self, **options)
        return self.session

    def run_cell(self, source: str, *, store_history: bool = False) -> Any:
        return self.attach().run_cell(source, store_history=store_history)

    def write(self, text: str, stream: str = "stdout") -> None:
        out = sys.stderr if stream == "stderr" else sys.stdout
        out.write(text)
        out.flush()

    def display(self, obj: Any, *, execution_count: int | None = None) -> None:
        text = _plain_repr(obj)
        if execution_count is None:
            self.write(text + "\n")
        else:
            self.write(f"Out[{execution_count}]: {text}\n")

    def system(self, cmd: str, *, capture: bool = False) -> int | list[str]:
        import subprocess  # only when a command runs: start-up stays lighter

        sys.stdout.flush()
        sys.stderr.flush()
        if capture:
            proc = subprocess.run(cmd, shell=True, capture_output=True, text=True)  # noqa: S602
            return (proc.stdout + proc.stderr).splitlines()
        return subprocess.call(cmd, shell=True)  # noqa: S602


def _plain_repr(obj: Any) -> str:
    """``repr`` that cannot raise (a broken ``__repr__`` is reported, not propagated)."""
    try:
        return repr(obj)
    except Exception as exc:  # noqa: BLE001 - a user's repr may raise anything
        return f"<repr of {type(obj).__name__} failed: {type(exc).__name__}: {exc}>"
