"""IPython's auto-call and auto-quoting, as an input transformer (off until asked for).

``%autocall 1`` (smart): ``f 3`` runs ``f(3)`` when ``f`` is a callable in the namespace and
the rest of the line is not an operator or assignment; ``%autocall 2`` (full) also runs a
bare ``f`` as ``f()``.  Auto-quoting works whenever the transformer is installed:
``,f a b`` runs ``f("a", "b")``, ``;f a b`` runs ``f("a b")`` and ``/f a b`` runs ``f(a, b)``.
``%load_ext autocall`` installs it in smart mode; ``%unload_ext autocall`` removes it.
"""

from __future__ import annotations

import keyword
import re
from typing import Any

from anymagic.registry.decorators import line_magic, magics_class
from anymagic.registry.errors import UsageError
from anymagic.registry.magics import Magics
from anymagic.registry.syntax import Statement

_CALL = re.compile(r"^([,;/]?)([A-Za-z_][\w.]*)(?:(\s+)(.*))?$", re.S)
_EXCLUDE = re.compile(r"^(?:[,&^|*/+\-%<>=!@.(\[:]|is\s|not\s|in\s|and\s|or\s|if\s|else\b|for\s)")
MODES = {0: "OFF", 1: "Smart", 2: "Full"}


class Autocall:
    """The line transform; ``mode`` is 0, 1 or 2 as in IPython's ``%autocall``."""

    def __init__(self, session: Any, mode: int = 1) -> None:
        self.session = session
        self.mode = mode

    def __call__(self, statement: Statement) -> str | None:
        match = _CALL.match(statement.text.rstrip())
        if match is None:
            return None
        escape, name, space, rest = match.groups()
        rest = (rest or "").strip()
        if escape == ",":
            args = ", ".join(repr(word) for word in rest.split())
            return f"{name}({args})"
        if escape == ";":
            return f"{name}({rest!r})" if rest else f"{name}()"
        if escape == "/":
            return f"{name}({', '.join(rest.split())})"
        if self.mode == 0 or keyword.iskeyword(name.split(".")[0]):
            return None
        obj = self._lookup(name)
        if obj is None or not callable(obj):
            return None
        if not rest:
            return f"{name}()" if self.mode == 2 and not isinstance(obj, type) else None
        if not space or _EXCLUDE.match(rest) or rest.startswith("#"):
            return None
        return f"{name}({rest})"

    def _lookup(self, dotted: str) -> Any:
        import builtins

        head, *parts = dotted.split(".")
        ns = self.session.user_ns
        obj = ns[head] if head in ns else getattr(builtins, head, None)
        for part in parts:
            obj = getattr(obj, part, None) if obj is not None else None
        return obj


def install(session: Any, mode: int = 1) -> Autocall:
    """Install (once per session) the transformer and set its mode."""
    transform = getattr(session, "_autocall", None)
    if transform is None:
        transform = session._autocall = Autocall(session, mode)
        session.add_input_transformer(transform, priority=900)
    transform.mode = mode
    return transform


@magics_class
class AutocallMagics(Magics):
    """``%autocall``: switch IPython-style auto-calling."""

    @line_magic
    def autocall(self, line: str) -> None:
        """Set auto-calling: `%autocall 0` off, `1` smart, `2` full; no argument toggles 0/1."""
        arg = line.strip()
        current = getattr(self.shell, "_autocall", None)
        if not arg:
            mode = 0 if current is not None and current.mode else 1
        elif arg in ("0", "1", "2"):
            mode = int(arg)
        else:
            raise UsageError(
                f"%autocall: expected 0, 1 or 2, got {arg!r}", "usage: %autocall [0|1|2]"
            )
        install(self.shell, mode)
        self.shell.write(f"Automatic calling is: {MODES[mode]}\n")


def load_extension(session: Any) -> None:
    """``%load_ext autocall``: install the transformer in smart mode and ``%autocall``."""
    session._autocall = None
    install(session, 1)
    session.register_magics(AutocallMagics)


def unload_extension(session: Any) -> None:
    session._autocall = None  # the transformer itself is removed by anymagic's bookkeeping
