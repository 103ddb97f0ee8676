"""``%doctest_mode``: read and print like a doctest, and switch back exactly."""

from __future__ import annotations

from typing import Any

from anymagic.registry.decorators import line_magic, magics_class
from anymagic.registry.errors import UsageError
from anymagic.registry.magics import Magics

#: What doctest mode sets; everything else is left alone.
DOCTEST_SETTINGS: dict[str, Any] = {
    "prompt_in": ">>> ",
    "prompt_cont": "... ",
    "prompt_out": "",
    "pprint": False,
}


@magics_class
class DoctestModeMagics(Magics):
    """Toggle doctest mode."""

    @line_magic
    def doctest_mode(self, line: str) -> None:
        """Toggle doctest mode: `>>> ` and `... ` prompts, values without `Out[n]:`, plain repr.

        Tracebacks lose their colours (the shell colours them on a terminal).
        `%doctest_mode on|off` sets it explicitly;
        switching off restores every setting exactly as it was before (also settings you
        changed with %config).  A pasted doctest (`>>> ` lines with expected output) runs
        as-is in either mode.  Hosts without prompts (a kernel) only change how values show.
        """
        arg = line.strip().lower()
        options = self.shell.options
        saved = options.get("_doctest_saved")
        if arg not in ("", "on", "off"):
            raise UsageError(
                f"%doctest_mode: expected on or off, got {arg!r}", "usage: %doctest_mode [on|off]"
            )
        turn_on = saved is None if arg == "" else arg == "on"
        if turn_on and saved is None:
            options["_doctest_saved"] = {key: options[key] for key in DOCTEST_SETTINGS}
            options.update(DOCTEST_SETTINGS)
        elif not turn_on and saved is not None:
            options.update(saved)
            del options["_doctest_saved"]
        state = "ON" if "_doctest_saved" in options else "OFF"
        mode = "Plain" if state == "ON" else "Context"  # IPython's words for the two
        self.shell.write(f"Exception reporting mode: {mode}\nDoctest mode is: {state}\n")
