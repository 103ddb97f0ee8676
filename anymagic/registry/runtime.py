"""The object generated code calls: ``__anymagic__.line(...)``, ``.cell``, ``.system``...

It sits in the user namespace under :data:`~anymagic.registry.syntax.RUNTIME_NAME` and
reads the calling frame, so magics inside a function see that function's locals.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from .tracebacks import hide_from_tracebacks

if TYPE_CHECKING:
    from .session import Session


class Runtime:
    """The object generated code calls (``__anymagic__.line(...)``); reads the caller's frame."""

    __slots__ = ("_session",)

    def __init__(self, session: Session) -> None:
        self._session = session

    def __repr__(self) -> str:
        return "<anymagic runtime>"

    @staticmethod
    def _locals() -> dict[str, Any] | None:
        frame = sys._getframe(2)
        return frame.f_locals if frame.f_locals is not frame.f_globals else None

    def line(self, name: str, line: str) -> Any:
        return self._session.run_line_magic(name, line, local_ns=self._locals())

    def cell(self, name: str, line: str, cell: str) -> Any:
        return self._session.run_cell_magic(name, line, cell, local_ns=self._locals())

    def system(self, cmd: str) -> None:
        from .expansion import expand

        session = self._session
        status = session.system(expand(cmd, session.user_ns, self._locals()))
        session.user_ns["_exit_code"] = status

    def getoutput(self, cmd: str) -> list[str]:
        from .expansion import expand

        session = self._session
        lines = session.system(expand(cmd, session.user_ns, self._locals()), capture=True)
        return LineList(lines if isinstance(lines, list) else [])

    def help(self, name: str, detail: int = 0) -> None:
        from .help import show_help

        show_help(self._session, name, detail, self._locals())


class LineList(list):
    """Captured output lines; ``.s``, ``.n`` and ``.l`` as in IPython's SList."""

    @property
    def s(self) -> str:
        return " ".join(self)

    @property
    def n(self) -> str:
        return "\n".join(self)

    @property
    def l(self) -> list[str]:  # noqa: E743 - IPython's name
        return list(self)


hide_from_tracebacks(__file__)
