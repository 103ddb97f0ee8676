"""``name?``, ``name??`` and ``%magic?``: what an object or a magic is, as text.

:func:`help_text` returns the text (a kernel's ``inspect`` reply uses it);
:func:`show_help` writes it through the host.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from .errors import UsageError

if TYPE_CHECKING:
    from .session import Session

_MISSING = object()


def resolve_name(name: str, namespaces: list[dict[str, Any]]) -> Any:
    """The object a dotted name denotes, by look-ups only (nothing is called)."""
    import builtins

    head, *rest = name.split(".")
    obj: Any = _MISSING
    for ns in namespaces:
        if ns is not None and head in ns:
            obj = ns[head]
            break
    else:
        obj = getattr(builtins, head, _MISSING)
    for part in rest:
        if obj is _MISSING:
            break
        try:
            obj = inspect.getattr_static(obj, part)
            if isinstance(obj, (staticmethod, classmethod, property)):
                obj = obj.__func__ if not isinstance(obj, property) else obj
        except AttributeError:
            obj = _MISSING
    return obj


def magic_help(session: Session, name: str, kind: str) -> str:
    """Docstring and usage of a magic, with where it comes from."""
    binding = session.registry.binding(kind, name)
    if binding is None:
        raise UsageError(f"{'%%' if kind == 'cell' else '%'}{name} is not a magic.")
    func = binding.func
    doc = inspect.getdoc(func) or "(no documentation)"
    prefix = "%%" if kind == "cell" else "%"
    return (
        f"Docstring:\n{_indent(doc)}\n"
        f"Magic:      {prefix}{name} ({kind} magic)\n"
        f"Provided by: {binding.provider} ({binding.source})\n"
    )


def object_help(name: str, obj: Any, detail: int = 0) -> str:
    """IPython-style object information; ``detail=1`` adds the source."""
    rows: list[tuple[str, str]] = [("Type", type(obj).__name__)]
    if not (inspect.ismodule(obj) or inspect.isclass(obj) or inspect.isroutine(obj)):
        try:
            text = str(obj)
        except Exception as exc:  # noqa: BLE001 - a user's __str__ may raise
            text = f"<str() failed: {exc}>"
        rows.append(("String form", text if len(text) <= 200 else text[:200] + "<...>"))
        if hasattr(obj, "__len__"):
            try:
                rows.append(("Length", str(len(obj))))
            except Exception:  # noqa: BLE001
                pass
    if callable(obj):
        try:
            rows.append(("Signature", f"{name.rsplit('.', 1)[-1]}{inspect.signature(obj)}"))
        except (TypeError, ValueError):
            pass
    try:
        filename = inspect.getsourcefile(obj) or inspect.getfile(obj)
        rows.append(("File", filename))
    except TypeError:
        pass
    width = max(len(key) for key, _ in rows) + 2
    text = "".join(f"{key + ':':<{width}}{value}\n" for key, value in rows)
    source = None
    if detail:
        try:
            source = inspect.getsource(obj)
        except (OSError, TypeError):
            source = None
    if source:
        text += "Source:\n" + source
    else:
        doc = inspect.getdoc(obj)
        text += f"Docstring:\n{_indent(doc)}\n" if doc else "Docstring: <no docstring>\n"
    return text


def help_text(
    session: Session, name: str, detail: int = 0, local_ns: dict[str, Any] | None = None
) -> str:
    """Help for ``name`` (``%m``, ``%%m``, or a dotted Python name); UsageError if unknown."""
    name = name.strip()
    if name.startswith("%%"):
        return magic_help(session, name[2:], "cell")
    if name.startswith("%"):
        bare = name[1:]
        registry = session.registry
        only_cell = not registry.find("line", bare) and registry.find("cell", bare)
        return magic_help(session, bare, "cell" if only_cell else "line")
    if "[" in name:  # x[0]?: the subscript has to be evaluated, as in IPython
        try:
            obj = eval(name, session.user_ns, local_ns or {})  # noqa: S307 - the user asked
        except Exception:  # noqa: BLE001 - whatever failed, the object is not there
            raise UsageError(f"Object `{name}` not found.") from None
        return object_help(name, obj, detail)
    obj = resolve_name(name, [local_ns or {}, session.user_ns])
    if obj is not _MISSING:
        return object_help(name, obj, detail)
    if name in session.registry:
        kind = "line" if session.registry.find("line", name) else "cell"
        return magic_help(session, name, kind)
    raise UsageError(f"Object `{name}` not found.")


def show_help(
    session: Session, name: str, detail: int = 0, local_ns: dict[str, Any] | None = None
) -> None:
    session.write(help_text(session, name, detail, local_ns))


def _indent(text: str) -> str:
    return "\n".join("    " + line if line else line for line in text.splitlines())
