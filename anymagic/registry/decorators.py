"""Decorators that mark methods and functions as magics (IPython's names and meaning).

``@magics_class`` collects the marked methods of a :class:`Magics` subclass into its
``magics`` table; ``register_*_magic`` turn plain functions into magics of the running
session.  Marks are plain attributes, so importing this module costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

KINDS = ("line", "cell")
_MARK = "__anymagic_kinds__"  # {kind: magic name} on a decorated function


def _mark(func: Callable[..., Any], kinds: tuple[str, ...], name: str | None) -> None:
    marks = dict(getattr(func, _MARK, {}))
    for kind in kinds:
        marks[kind] = name or func.__name__
    try:
        setattr(func, _MARK, marks)
    except AttributeError:  # a bound method or builtin: record nothing on it
        pass


def magic_kinds(func: Callable[..., Any]) -> dict[str, str]:
    """The ``{kind: name}`` marks a function carries (empty when undecorated)."""
    return dict(getattr(func, _MARK, {}))


def _decorator(kinds: tuple[str, ...]) -> Callable[..., Any]:
    def decorate(arg: Any = None) -> Any:
        def apply(func: F, name: str | None = None) -> F:
            _mark(func, kinds, name)
            return func

        if callable(arg):  # used bare: @line_magic
            return apply(arg)
        return lambda func: apply(func, arg)  # used with a name: @line_magic("name")

    decorate.__name__ = "_".join(kinds) + "_magic"
    decorate.__doc__ = f"Mark a method as a {' and '.join(kinds)} magic (optionally renamed)."
    return decorate


line_magic = _decorator(("line",))
cell_magic = _decorator(("cell",))
line_cell_magic = _decorator(("line", "cell"))


def magics_class(cls: type) -> type:
    """Class decorator: record the magics defined in ``cls`` (and its bases) in ``cls.magics``."""
    table: dict[str, dict[str, str]] = {"line": {}, "cell": {}}
    for base in reversed(cls.__mro__[1:]):
        for kind, names in getattr(base, "magics", {}).items():
            table.setdefault(kind, {}).update(names)
    for attr, value in vars(cls).items():
        func = getattr(value, "__func__", value)
        for kind, name in magic_kinds(func).items():
            table[kind][name] = attr
    cls.magics = table
    cls.registered = True
    return cls


def needs_local_scope(func: F) -> F:
    """Mark a magic that receives the caller's locals as ``local_ns`` (IPython's semantics)."""
    func.needs_local_scope = True  # type: ignore[attr-defined]
    return func


def no_var_expand(func: F) -> F:
    """Mark a magic whose line is passed as typed, without ``$name``/``{expr}`` expansion."""
    func._ipython_magic_no_var_expand = True  # type: ignore[attr-defined]  # IPython's name
    return func


def wants_expansion(func: Callable[..., Any]) -> bool:
    """Whether ``$name``/``{expr}`` should be expanded in this magic's line."""
    return not (
        getattr(func, "_ipython_magic_no_var_expand", False)  # IPython's mark (and ours)
        or getattr(func, "_ipython_no_var_expand", False)  # the name anymagic 0.1 used early on
    )


def wants_local_scope(func: Callable[..., Any]) -> bool:
    return bool(getattr(func, "needs_local_scope", False))


def _register(kinds: tuple[str, ...]) -> Callable[..., Any]:
    def register(arg: Any = None) -> Any:
        def apply(func: F, name: str | None = None) -> F:
            _mark(func, kinds, name)
            from .session import current_session  # runtime lookup: no session needed to decorate

            session = current_session()
            if session is not None:
                session.register_magic_function(func, kinds, name or func.__name__)
            return func

        if callable(arg):
            return apply(arg)
        return lambda func: apply(func, arg)

    register.__name__ = "register_" + "_".join(kinds) + "_magic"
    register.__doc__ = (
        f"Make a plain function a {' and '.join(kinds)} magic of the running session "
        "(and mark it so an entry point can name it)."
    )
    return register


register_line_magic = _register(("line",))
register_cell_magic = _register(("cell",))
register_line_cell_magic = _register(("line", "cell"))
