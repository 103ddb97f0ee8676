"""Magics for :mod:`code`-based consoles (``code.interact``, framework and debug shells).

Two ways in:

* :class:`AnymagicConsole`, a :class:`code.InteractiveConsole` whose input accepts
  ``%magic``, ``%%cell magic``, ``!cmd``, ``x = !cmd`` and ``name?``::

      from anymagic.hosts.console import AnymagicConsole
      AnymagicConsole(locals={"app": app}).interact()

* :func:`enable`, one line for a program that already builds its own console::

      console = code.InteractiveConsole(namespace)
      anymagic.hosts.console.enable(console)
      console.interact()

Either way ``runsource`` decides whether input is complete with
``session.syntax.check_complete`` (so a ``%%cell`` magic reads lines until a blank one)
and sends each complete input through ``session.run_cell(..., store_history=True)``.
Values are shown as the plain console shows them (their ``repr``, no ``Out[n]:``);
errors go through the console's own ``write`` (standard error by default).
"""

from __future__ import annotations

import code
import sys
from pathlib import Path
from typing import Any

from anymagic.hosts.setup import start_session
from anymagic.registry.host import BaseHost, _plain_repr

__all__ = ["AnymagicConsole", "ConsoleHost", "enable", "main"]


class ConsoleHost(BaseHost):
    """The host behind a console: its ``locals`` are the namespace, errors use its ``write``."""

    def __init__(self, console: code.InteractiveConsole, data_dir: Path | None = None) -> None:
        super().__init__(console.locals, data_dir)
        self.console = console

    def write(self, text: str, stream: str = "stdout") -> None:
        if stream == "stderr":
            self.console.write(text)  # a console subclass may send its errors elsewhere
            return
        sys.stdout.write(text)
        sys.stdout.flush()

    def display(self, obj: Any, *, execution_count: int | None = None) -> None:
        self.write(_plain_repr(obj) + "\n")


def _runsource(console: code.InteractiveConsole, session: Any, source: str) -> bool:
    """``runsource`` for anymagic: True asks for another line; complete input runs."""
    try:
        status, _ = session.syntax.check_complete(source)
    except Exception:  # noqa: BLE001 - let the run report whatever is wrong
        status = "invalid"
    if status == "incomplete":
        return True
    lines = source.split("\n")
    while lines and not lines[-1].strip():  # the blank line that ended a block
        lines.pop()
    if lines:
        session.run_cell("\n".join(lines), store_history=True)
    return False


def enable(
    console: code.InteractiveConsole, *, data_dir: Path | None = None, **options: Any
) -> Any:
    """Give an existing console magics: wrap its ``runsource``; return the new session.

    ``data_dir`` defaults to ``$ANYMAGIC_DIR`` (else ``~/.anymagic``); ``options`` are
    :class:`~anymagic.Session` options such as ``automagic=False``.
    """
    existing = getattr(console, "anymagic_session", None)
    if existing is not None:
        return existing
    host = ConsoleHost(console, data_dir)
    session = start_session(host, **options)

    def runsource(source: str, filename: str = "<input>", symbol: str = "single") -> bool:
        return _runsource(console, session, source)

    console.runsource = runsource  # type: ignore[method-assign]
    console.anymagic_session = session  # type: ignore[attr-defined]
    return session


class AnymagicConsole(code.InteractiveConsole):
    """:class:`code.InteractiveConsole` with anymagic's input syntax and magics."""

    def __init__(
        self,
        locals: dict[str, Any] | None = None,  # noqa: A002 - the code module's name
        filename: str = "<console>",
        *,
        data_dir: Path | None = None,
        **options: Any,
    ) -> None:
        super().__init__(locals, filename)
        self.host = ConsoleHost(self, data_dir)
        self.session = start_session(self.host, **options)
        self.anymagic_session = self.session

    def runsource(self, source: str, filename: str = "<input>", symbol: str = "single") -> bool:
        return _runsource(self, self.session, source)


def main(argv: list[str] | None = None) -> int:
    """``python -m anymagic.hosts.console``: a plain console with magics."""
    console = AnymagicConsole({"__name__": "__main__", "__builtins__": __builtins__})
    py = f"{sys.version_info.major}.{sys.version_info.minor}"
    try:
        console.interact(banner=f"Python {py} console with anymagic (%lsmagic lists the magics)")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
