"""Macros: named pieces of input that run again when their name is typed alone.

``%macro NAME 4-6`` binds ``NAME`` to a :class:`Macro` in the user namespace.  When a cell
is exactly that name, :meth:`Session.run_cell <anymagic.registry.session.Session.run_cell>`
runs the macro's lines instead (as IPython's prefilter does).  A macro pickles as a plain
``value`` string, so ``%store NAME`` keeps it and restores it as a macro.
"""

from __future__ import annotations

import re
from typing import Any

_CODING = re.compile(r"#\s*coding[:=]\s*([-\w.]+)")

#: Modules whose ``Macro`` class is run by name (IPython's macros restored from its db too).
MACRO_MODULES = frozenset({__name__, "IPython.core.macro"})


class Macro:
    """Input lines kept under a name; ``str(macro)`` and ``print(macro)`` show them.

    Compatible with IPython's ``IPython.core.macro.Macro``: the lines live in ``value``
    (ending in a newline), encoding declarations are dropped, and ``+`` joins macros.
    """

    def __init__(self, code: str) -> None:
        lines = [line for line in str(code).splitlines() if not _CODING.match(line)]
        self.value = "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"anymagic.Macro({self.value!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Macro) and other.value == self.value

    def __getstate__(self) -> dict[str, str]:
        return {"value": self.value}

    def __setstate__(self, state: dict[str, str]) -> None:
        self.value = state["value"]

    def __add__(self, other: Macro | str) -> Macro:
        if isinstance(other, Macro):
            return Macro(self.value + other.value)
        if isinstance(other, str):
            return Macro(self.value + other)
        return NotImplemented


def macro_source(obj: Any) -> str | None:
    """The lines of ``obj`` when it is a macro (anymagic's or IPython's), else None."""
    cls = type(obj)
    if cls.__name__ == "Macro" and cls.__module__ in MACRO_MODULES:
        value = getattr(obj, "value", None)
        if isinstance(value, str):
            return value
    return None


__all__ = ["Macro", "macro_source"]
