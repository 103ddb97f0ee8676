"""Tracebacks as a user wants them: their own frames only, one line for usage errors.

Modules whose frames are anymagic's machinery (the session, the runtime, magic groups
that run user code) call :func:`hide_from_tracebacks` with their ``__file__``.
"""

from __future__ import annotations

import traceback
from typing import Any

from .errors import PluginError, UsageError

_HIDDEN_FILES: set[str] = set()  # anymagic's own frames, left out of user tracebacks


def hide_from_tracebacks(filename: str) -> None:
    """Leave frames of ``filename`` out of tracebacks shown to the user."""
    _HIDDEN_FILES.add(filename)


def format_exception(exc: BaseException) -> str:
    """A traceback without anymagic's own frames; one line for usage and plugin errors."""
    if isinstance(exc, UsageError):
        return f"UsageError: {exc}\n"
    if isinstance(exc, PluginError):
        return (
            f"anymagic: could not load plugin {exc}\n"
            "(%lsmagic -v shows details; everything else still works)\n"
        )
    if isinstance(exc, KeyboardInterrupt) and not _user_frames(exc.__traceback__):
        return "KeyboardInterrupt\n"
    te = traceback.TracebackException(type(exc), exc, exc.__traceback__, compact=True)
    _strip_frames(te)
    return "".join(te.format())


def _user_frames(tb: Any) -> list[Any]:
    return [f for f, _ in traceback.walk_tb(tb) if f.f_code.co_filename not in _HIDDEN_FILES]


def _strip_frames(te: traceback.TracebackException) -> None:
    seen: set[int] = set()
    while te is not None and id(te) not in seen:
        seen.add(id(te))
        te.stack = traceback.StackSummary.from_list(
            [frame for frame in te.stack if frame.filename not in _HIDDEN_FILES]
        )
        te = te.__cause__ or te.__context__  # type: ignore[assignment]
