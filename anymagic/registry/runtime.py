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
    """Captured output lines (``x = !cmd``), with IPython's ``SList`` helpers.

    ``.s`` joins with spaces, ``.n`` with newlines, ``.l`` is a plain list, ``.p`` the lines
    as paths; ``grep``, ``fields`` and ``sort`` return new LineLists.
    """

    @property
    def s(self) -> str:
        return " ".join(self)

    @property
    def n(self) -> str:
        return "\n".join(self)

    @property
    def l(self) -> list[str]:  # noqa: E743 - IPython's name
        return list(self)

    @property
    def p(self) -> list[Any]:
        """The lines as ``pathlib.Path`` objects (for ``!ls`` output)."""
        from pathlib import Path

        return [Path(line) for line in self]

    def grep(self, pattern: Any, prune: bool = False, field: int | None = None) -> LineList:
        """Lines matching ``pattern`` (a regular expression or a predicate); ``prune=True``
        keeps the others; ``field=N`` matches the Nth whitespace-separated field only."""
        import re

        if callable(pattern):
            test = pattern
        else:
            regex = re.compile(pattern, re.IGNORECASE)

            def test(text: str) -> bool:
                return regex.search(text) is not None

        def key(line: str) -> str:
            if field is None:
                return line
            parts = line.split()
            return parts[field] if -len(parts) <= field < len(parts) else ""

        return LineList(line for line in self if bool(test(key(line))) != prune)

    def fields(self, *indices: int) -> LineList:
        """The given whitespace-separated fields of each line, joined by a space (all of a
        line's fields when no index is given); lines without them are left out."""
        out = LineList()
        for line in self:
            parts = line.split()
            if not indices:
                out.append(" ".join(parts))
                continue
            picked = [parts[i] for i in indices if -len(parts) <= i < len(parts)]
            if picked:
                out.append(" ".join(picked))
        return out

    def sort(self, field: int | None = None, nums: bool = False) -> LineList:  # type: ignore[override]
        """A sorted copy, by the whole line or by one field; ``nums`` compares the digits
        of that field as a number. (IPython's ``SList.sort``: the list itself is unchanged.)"""

        def key(line: str) -> Any:
            text = line
            if field is not None:
                parts = line.split()
                text = parts[field] if -len(parts) <= field < len(parts) else ""
            if nums:
                digits = "".join(ch for ch in text if ch.isdigit())
                return int(digits) if digits else 0
            return text

        return LineList(sorted(self, key=key))


hide_from_tracebacks(__file__)
