"""Tab completion for every host: magic names, magic options, paths, Python names.

:func:`complete` returns where the replaced text starts and the candidates; hosts adapt
that to their UI (prompt_toolkit, a kernel's ``complete_reply``).  Names are found by
look-up only: no user code runs (no property or ``__getattr__`` is called on a dotted path
except plain attribute access of existing objects via ``dir``).
"""

from __future__ import annotations

import keyword
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .session import Session

_NAME_TOKEN = re.compile(r"[^\W\d][\w.]*$|$")  # identifiers are Unicode: ñame, é.upper
_MAGIC_LINE = re.compile(r"^\s*(?:[\w.]+\s*=\s*)?(%%?)([\w.]*)(\s.*)?$", re.S)  # x = %ti


@dataclass
class Completions:
    """Candidates replacing ``text[start:end]``."""

    start: int
    end: int
    matches: list[str] = field(default_factory=list)


def complete(session: Session, text: str, cursor: int | None = None) -> Completions:
    """Completions at ``cursor`` (default: the end) of ``text``, which may span lines."""
    cursor = len(text) if cursor is None else cursor
    line = text[:cursor].rsplit("\n", 1)[-1]
    magic = _MAGIC_LINE.match(line)
    if magic and magic.group(3) is None:  # still typing the magic's name
        prefix, partial = magic.group(1), magic.group(2)
        kind = "cell" if prefix == "%%" else None
        names = _magic_names(session, kind)
        matches = [prefix + n for n in names if n.startswith(partial)]
        return Completions(cursor - len(prefix) - len(partial), cursor, matches)
    token = re.split(r"[\s'\"=(,]", line)[-1]
    if magic or line.lstrip().startswith("!") or _automagic_line(session, line) or _in_string(line):
        name = magic.group(2) if magic else line.split()[0].lstrip("!") if line.split() else ""
        if magic or _automagic_line(session, line):
            custom = _group_completions(session, name, token, line)
            if custom is not None:
                return Completions(cursor - len(token), cursor, custom)
        if token.startswith("-") and magic:
            return Completions(cursor - len(token), cursor, _magic_options(session, name, token))
        return Completions(cursor - len(token), cursor, complete_path(token))
    word = _NAME_TOKEN.search(line).group(0)  # type: ignore[union-attr]
    return Completions(cursor - len(word), cursor, _python_names(session, word, line))


def _magic_names(session: Session, kind: str | None) -> list[str]:
    registry = session.registry
    if kind is None:
        return registry.names()
    loaded_line = set(registry.loaded_names("line"))
    loaded_cell = set(registry.loaded_names("cell"))
    pending = [n for n in registry.names() if registry.plugin_for(n) is not None]
    return sorted(loaded_cell | (set(pending) - loaded_line))


def _magic_options(session: Session, name: str, token: str) -> list[str]:
    func = None
    for kind in ("line", "cell"):
        try:
            func = session.registry.find(kind, name)
        except Exception:  # noqa: BLE001 - a broken plugin completes nothing
            return []
        if func is not None:
            break
    parser = getattr(func, "parser", None)
    if parser is None:
        return []
    options = [opt for action in parser._actions for opt in action.option_strings]
    return sorted(opt for opt in options if opt.startswith(token))


def _group_completions(session: Session, name: str, token: str, line: str) -> list[str] | None:
    """What the magic's group offers: its ``complete_<name>(token, line)`` method, if any.

    ``token`` is the word being completed, ``line`` the line up to the cursor; the method
    returns the candidates replacing ``token``, or None for the default completion.
    """
    try:
        func = session.registry.find("line", name) or session.registry.find("cell", name)
    except Exception:  # noqa: BLE001 - a broken plugin completes nothing special
        return None
    method = getattr(getattr(func, "__self__", None), f"complete_{name}", None)
    if not callable(method):
        return None
    try:
        found = method(token, line)
    except Exception:  # noqa: BLE001 - a completer must never break the prompt
        return None
    return None if found is None else sorted(found)


def _automagic_line(session: Session, line: str) -> bool:
    words = line.lstrip().split(None, 1)
    return (
        (len(words) == 2 or line.endswith(" "))
        and bool(words)
        and session.syntax.automagic
        and words[0] in session.registry
        and not (session._is_shadowed(words[0]))
    )


def _in_string(line: str) -> bool:
    """Whether the cursor sits inside a quoted string (counting unescaped quotes)."""
    stripped = re.sub(r"\\.", "", line)
    return stripped.count("'") % 2 == 1 or stripped.count('"') % 2 == 1


def complete_path(token: str) -> list[str]:
    """Files and folders whose path starts with ``token``; folders end with ``/``."""
    expanded = os.path.expanduser(token)
    folder, partial = os.path.split(expanded)
    try:
        entries = os.listdir(folder or ".")
    except OSError:
        return []
    shown_folder = token[: len(token) - len(partial)]
    matches = []
    for entry in entries:
        if not entry.startswith(partial) or (entry.startswith(".") and not partial.startswith(".")):
            continue
        full = os.path.join(folder, entry)
        matches.append(shown_folder + entry + ("/" if os.path.isdir(full) else ""))
    return sorted(matches)


def _python_names(session: Session, word: str, line: str) -> list[str]:
    import builtins

    if "." in word:
        from .help import _MISSING, resolve_name

        base, _, partial = word.rpartition(".")
        obj = resolve_name(base, [session.user_ns])
        if obj is _MISSING:
            return []
        try:
            attrs = dir(obj)
        except Exception:  # noqa: BLE001 - a user's __dir__ may raise
            return []
        hide_private = not partial.startswith("_")
        return sorted(
            f"{base}.{a}"
            for a in attrs
            if a.startswith(partial) and not (hide_private and a.startswith("_"))
        )
    names: set[str] = set()
    for source in (session.user_ns, vars(builtins)):
        names.update(n for n in source if n.startswith(word))
    names.update(k for k in keyword.kwlist if k.startswith(word))
    if not word.startswith("_"):
        names = {n for n in names if not n.startswith("_")}
    if line.strip() == word and session.syntax.automagic:
        names.update("%" + n for n in session.registry.names() if n.startswith(word))
    return sorted(names, key=lambda n: (n.startswith("%"), n))


__all__ = ["Completions", "complete", "complete_path"]
