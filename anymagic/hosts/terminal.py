"""The host behind the ``anymagic`` command: a terminal's stdout/stderr and a shell."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from anymagic.registry.host import BaseHost, _plain_repr
from anymagic.registry.session import DEFAULTS


class TerminalHost(BaseHost):
    """Prints results as ``Out[n]: value`` (pretty-printed when long) and errors to stderr."""

    def __init__(
        self,
        user_ns: dict[str, Any] | None = None,
        data_dir: Path | None = None,
        *,
        show_out: bool = True,
    ) -> None:
        super().__init__(user_ns, data_dir)
        self.show_out = show_out

    def display(self, obj: Any, *, execution_count: int | None = None) -> None:
        options = self.session.options if self.session is not None else DEFAULTS
        text = _plain_repr(obj)
        long_container = isinstance(obj, (dict, list, tuple, set, frozenset)) and len(text) > 80
        if long_container and options["pprint"]:
            import pprint

            try:
                text = pprint.pformat(obj, width=80)
            except Exception:  # noqa: BLE001 - keep the plain repr
                pass
        if execution_count is None:
            self.write(text + "\n")
        elif self.show_out:
            prefix = options["prompt_out"].format(count=execution_count)
            sep = "\n" if "\n" in text and prefix else ""
            self.write(f"{prefix}{sep}{text}\n")

    #: Colour tracebacks (set by the interactive shell on a terminal; never in doctest mode).
    color_tracebacks = False

    def write(self, text: str, stream: str = "stdout") -> None:
        out = sys.stderr if stream == "stderr" else sys.stdout
        if stream == "stderr" and self.color_tracebacks and text.startswith("Traceback ("):
            text = self._colored(text)
        try:
            out.write(text)
            out.flush()
        except BrokenPipeError:  # `anymagic -c ... | head` must not crash
            pass

    def _colored(self, text: str) -> str:
        """A traceback highlighted with Pygments, unless doctest mode wants it plain."""
        if self.session is not None and "_doctest_saved" in self.session.options:
            return text
        try:
            from pygments import highlight
            from pygments.formatters import TerminalFormatter
            from pygments.lexers import PythonTracebackLexer

            return highlight(text, PythonTracebackLexer(), TerminalFormatter())
        except Exception:  # noqa: BLE001 - colour is a nicety; the text must get out
            return text
