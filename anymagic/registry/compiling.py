"""Compiling and running a cell's code: ``__future__`` flags, top-level ``await``, ``;``."""

from __future__ import annotations

from types import CodeType
from typing import Any

PyCF_ONLY_AST = 0x400
PyCF_ALLOW_TOP_LEVEL_AWAIT = 0x2000
CO_COROUTINE = 0x80

FUTURE_FLAGS = 0
for _feature in __import__("__future__").all_feature_names:
    FUTURE_FLAGS |= getattr(__import__("__future__"), _feature).compiler_flag


def ends_with_semicolon(python: str) -> bool:
    """IPython's rule: a trailing ``;`` on the last line hides the value."""
    for line in reversed(python.rstrip().splitlines()):
        stripped = line.split("#", 1)[0].rstrip()
        if stripped:
            return stripped.endswith(";")
    return False


def no_running_loop() -> bool:
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return True
    return False


def run_in_thread(coro: Any) -> Any:
    """Run a top-level ``await`` cell when the host already runs an event loop."""
    import asyncio
    import threading

    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")


def with_filename(code: CodeType, filename: str) -> CodeType:
    """``code`` (and the functions, classes and comprehensions inside it) as compiled from
    ``filename``: cached code reused for another cell reports that cell in tracebacks."""
    if code.co_filename == filename:
        return code
    consts = tuple(
        with_filename(const, filename) if isinstance(const, CodeType) else const
        for const in code.co_consts
    )
    return code.replace(co_filename=filename, co_consts=consts)
