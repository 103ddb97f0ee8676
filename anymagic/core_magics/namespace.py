"""The interactive namespace: ``%who``, ``%who_ls``, ``%whos``, ``%reset``, ``%xdel``.

IPython's magics, with one difference: ``%reset`` cannot ask "Proceed (y/[n])?" through a
host (the protocol has no input), so it refuses without ``-f``.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from anymagic.registry.decorators import line_magic, magics_class
from anymagic.registry.errors import UsageError
from anymagic.registry.magics import Magics
from anymagic.registry.syntax import RUNTIME_NAME

#: Names a host or the session puts in the namespace that %who does not list (besides
#: every name starting with ``_``).
HIDDEN = frozenset({"In", "Out", "exit", "quit", "get_ipython"})

#: Names ``%reset -f`` keeps (besides ``__dunder__`` names): the history, the directory
#: history and what hosts define for the user.
KEPT = frozenset({"In", "Out", "_ih", "_oh", "_dh", "exit", "quit", "get_ipython", RUNTIME_NAME})

SEQUENCE_TYPES = ("dict", "list", "tuple")

WHO_USAGE = "usage: %who [TYPE ...]   (TYPE: a type's name, e.g. int function module)"
RESET_USAGE = "usage: %reset -f [-s] [in|out|dhist|array ...]"
RESET_TARGETS = ("in", "out", "dhist", "array")
XDEL_USAGE = "usage: %xdel [-n] NAME"


def interactive_names(ns: dict[str, Any], types: list[str] | None = None) -> list[str]:
    """The user's variables, sorted: no ``_`` names, no names hosts define; only the
    given type names (``type(value).__name__``) when ``types`` is not empty."""
    names = sorted(n for n in ns if not n.startswith("_") and n not in HIDDEN)
    if types:
        wanted = set(types)
        names = [n for n in names if type(ns[n]).__name__ in wanted]
    return names


def _is_ndarray(value: Any) -> bool:
    numpy = sys.modules.get("numpy")
    return numpy is not None and isinstance(value, numpy.ndarray)


def describe(value: Any) -> str:
    """``%whos``'s Data/Info column, as IPython shows it."""
    kind = type(value).__name__
    if kind in SEQUENCE_TYPES and isinstance(value, (dict, list, tuple)):
        return f"n={len(value)}"
    if _is_ndarray(value):
        shape = "x".join(str(n) for n in value.shape)
        size = value.size * value.itemsize
        text = f"{shape}: {value.size} elems, type `{value.dtype}`, {size} bytes"
        if size >= 100_000:
            text += f" ({size / 1024} kb)" if size < 1024**2 else f" ({size / 1024**2} Mb)"
        return text
    try:
        text = repr(value) if isinstance(value, str) else str(value)
    except Exception:  # noqa: BLE001 - a user's __str__ may raise anything
        text = f"<object with id {id(value)} (str() failed)>"
    text = text.replace("\n", "\\n")
    return text if len(text) < 50 else text[:25] + "<...>" + text[-25:]


@magics_class
class NamespaceMagics(Magics):
    """``%who``, ``%who_ls``, ``%whos``, ``%reset``, ``%xdel``."""

    def _names(self, line: str, magic: str) -> list[str]:
        types = line.split()
        for word in types:
            if word.startswith("-"):
                raise UsageError(f"%{magic}: unknown option {word}", WHO_USAGE)
        return interactive_names(self.shell.user_ns, types)

    def _empty(self, line: str) -> None:
        if line.split():
            self.shell.write("No variables match your requested type.\n")
        else:
            self.shell.write("Interactive namespace is empty.\n")

    @line_magic
    def who(self, line: str = "") -> None:
        """List the interactive variables, sorted, on one line; `%who int str` only those types.

        Names starting with `_` and what the session or host defines (`In`, `Out`,
        `exit`, `quit`, `get_ipython`) are left out.  A TYPE is a type's name as
        `type(x).__name__` gives it: `int`, `str`, `function`, `module`, `DataFrame`...
        """
        names = self._names(line, "who")
        if not names:
            self._empty(line)
            return
        self.shell.write("\t".join(names) + "\n")

    @line_magic
    def who_ls(self, line: str = "") -> list[str]:
        """Return the sorted list of interactive variables (only those TYPEs if given)."""
        return self._names(line, "who_ls")

    @line_magic
    def whos(self, line: str = "") -> None:
        """Like %who, as a table: each variable's name, type and value (shortened).

        Lists, tuples and dicts show their length (`n=3`), numpy arrays their shape, size
        and dtype, strings their repr, anything else its str(), cut to about 50 characters.
        """
        names = self._names(line, "whos")
        if not names:
            self._empty(line)
            return
        ns = self.shell.user_ns
        kinds = [type(ns[n]).__name__ for n in names]
        name_width = max(max(map(len, names)), len("Variable")) + 3
        type_width = max(max(map(len, kinds)), len("Type")) + 3
        rows = [
            "Variable".ljust(name_width) + "Type".ljust(type_width) + " Data/Info",
            "-" * (name_width + type_width + len("Data/Info") + 1),
        ]
        for name, kind in zip(names, kinds, strict=True):
            rows.append(f"{name.ljust(name_width)}{kind.ljust(type_width)} {describe(ns[name])}")
        self.shell.write("\n".join(rows) + "\n")

    @line_magic
    def reset(self, line: str = "") -> None:
        """Delete the interactive variables (`-f` is required: there is no confirmation).

        Usage:
          %reset -f [-s] [in|out|dhist|array ...]

        Options:
          -f      really do it (IPython asks "Proceed (y/[n])?"; anymagic cannot ask)
          -s      soft: only the variables %who lists; history and Out are kept
        Targets (instead of everything):
          in      the input history variables (_i, _ii, _iii, _iN) and the inputs in In
          out     the output history (Out, _N, _, __, ___)
          dhist   the directory history (_dh)
          array   numpy arrays only

        Without -s or a target every variable goes, including `_` names; the input
        history (In), the directory history and what the host defines stay.
        """
        flags: set[str] = set()
        targets: list[str] = []
        for word in line.split():
            if word.startswith("-") and len(word) > 1:
                for letter in word[1:]:
                    if letter not in "fs":
                        raise UsageError(f"%reset: unknown option -{letter}", RESET_USAGE)
                    flags.add(letter)
            elif word.lower() in RESET_TARGETS:
                targets.append(word.lower())
            else:
                choices = ", ".join(RESET_TARGETS)
                raise UsageError(
                    f"%reset: don't know how to reset {word!r} (choose from {choices})",
                    RESET_USAGE,
                )
        if "f" not in flags:
            raise UsageError(
                "%reset: deleted variables cannot be recovered; use %reset -f to confirm "
                "(anymagic cannot ask)",
                RESET_USAGE,
            )
        ns = self.shell.user_ns
        if "s" in flags:
            for name in interactive_names(ns):
                del ns[name]
        elif not targets:
            self._reset_all(ns)
        for target in targets:
            getattr(self, f"_reset_{target}")(ns)

    def _reset_all(self, ns: dict[str, Any]) -> None:
        for name in list(ns):
            if name in KEPT or (name.startswith("__") and name.endswith("__") and len(name) > 4):
                continue
            del ns[name]
        out = ns.get("Out")
        if isinstance(out, dict):
            out.clear()

    def _reset_out(self, ns: dict[str, Any]) -> None:
        out = ns.get("Out")
        size = len(out) if isinstance(out, dict) else 0
        self.shell.write(f"Flushing output cache ({size} entries)\n")
        if isinstance(out, dict):
            out.clear()
        for name in list(ns):
            if name[:1] == "_" and name[1:].isdigit():
                del ns[name]
        for name in ("_", "__", "___"):
            if name in ns:
                ns[name] = ""

    def _reset_in(self, ns: dict[str, Any]) -> None:
        self.shell.write("Flushing input history\n")
        for name in list(ns):
            if name[:2] == "_i" and name[2:].isdigit():
                del ns[name]
        ns.update(_i="", _ii="", _iii="", _i00="")
        history = self.shell.history
        if isinstance(history, list):  # the numbers stay (the execution count goes on)
            history[:] = [""] * len(history)

    def _reset_dhist(self, ns: dict[str, Any]) -> None:
        self.shell.write("Flushing directory history\n")
        dhist = ns.get("_dh")
        if isinstance(dhist, list):
            del dhist[:]
        else:
            ns["_dh"] = []
        if not ns["_dh"]:
            ns["_dh"].append(os.getcwd())

    def _reset_array(self, ns: dict[str, Any]) -> None:
        if "numpy" not in sys.modules:
            return  # no numpy loaded: no arrays to delete
        for name, value in list(ns.items()):
            if _is_ndarray(value):
                del ns[name]

    @line_magic
    def xdel(self, line: str = "") -> None:
        """Delete a variable and every reference the session holds to its value.

        Usage:
          %xdel [-n] NAME

        The output history's references to the same object (`_`, `__`, `___`, `_N` and
        the `Out` entries) are deleted too, so the object can be freed.  With -n only the
        name itself goes.  (IPython also deletes your other names for the object.)
        """
        words = line.split()
        by_name = "-n" in words
        words = [w for w in words if w != "-n"]
        if len(words) != 1 or words[0].startswith("-"):
            raise UsageError("%xdel: one variable NAME is required", XDEL_USAGE)
        name = words[0]
        if name in ("__builtins__", "__builtin__", RUNTIME_NAME):
            raise UsageError(f"%xdel: refusing to delete {name}", XDEL_USAGE)
        ns = self.shell.user_ns
        if name not in ns:
            raise UsageError(f"%xdel: name {name!r} is not defined", XDEL_USAGE)
        if by_name:
            del ns[name]
            return
        obj = ns.pop(name)
        held = [k for k in ns if k in ("_", "__", "___") or (k[:1] == "_" and k[1:].isdigit())]
        for key in held:
            if ns[key] is obj:
                del ns[key]
        out = ns.get("Out")
        if isinstance(out, dict):
            for key in [k for k, v in out.items() if v is obj]:
                del out[key]
