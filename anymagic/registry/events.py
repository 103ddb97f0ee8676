"""Pre- and post-run events (IPython's names), with callbacks that cannot break a host."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from typing import Any

EVENTS = ("pre_execute", "pre_run_cell", "post_execute", "post_run_cell", "shell_initialized")


class Events:
    """Callbacks by event name; a failing callback is reported by name and the rest still run."""

    def __init__(self, names: tuple[str, ...] = EVENTS) -> None:
        self.callbacks: dict[str, list[Callable[..., Any]]] = {name: [] for name in names}

    def _list(self, event: str) -> list[Callable[..., Any]]:
        try:
            return self.callbacks[event]
        except KeyError:
            known = ", ".join(self.callbacks)
            raise KeyError(f"unknown event {event!r}; known events: {known}") from None

    def register(self, event: str, function: Callable[..., Any]) -> None:
        if not callable(function):
            raise TypeError(f"need a callable, got {function!r}")
        callbacks = self._list(event)
        if function not in callbacks:
            callbacks.append(function)

    def unregister(self, event: str, function: Callable[..., Any]) -> None:
        callbacks = self._list(event)
        if function in callbacks:
            callbacks.remove(function)
        else:
            raise ValueError(f"{function!r} is not registered for {event!r}")

    def trigger(self, event: str, *args: Any, **kwargs: Any) -> None:
        for function in list(self._list(event)):
            try:
                function(*args, **kwargs)
            except (KeyboardInterrupt, SystemExit):
                raise
            except Exception:
                name = getattr(function, "__qualname__", repr(function))
                print(f"Error in callback {name} (for {event}):", file=sys.stderr)
                traceback.print_exc()
