"""Compiling and running a cell's code: ``__future__`` flags, top-level ``await``, ``;``."""

from __future__ import annotations

from types import CodeType
from typing import Any

from .tracebacks import hide_from_tracebacks

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
    """Run a top-level ``await`` cell when the host already runs an event loop (a kernel).

    The coroutine runs as a task on a fresh loop in a worker thread; Ctrl-C (an interrupt
    of the waiting thread) cancels the task, so nothing keeps running behind the prompt.
    """
    import asyncio
    import threading

    loop = asyncio.new_event_loop()
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["task"] = task = loop.create_task(coro)
            box["value"] = loop.run_until_complete(task)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = exc
        finally:
            loop.close()

    thread = threading.Thread(target=target, name="anymagic-await", daemon=True)
    thread.start()
    try:
        thread.join()
    except KeyboardInterrupt:
        task = box.get("task")
        if task is not None:
            loop.call_soon_threadsafe(task.cancel)
        thread.join(2)
        raise KeyboardInterrupt from None
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


hide_from_tracebacks(__file__)  # its frames are not the user's
