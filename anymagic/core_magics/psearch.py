"""``%psearch``: find names by wildcard pattern, optionally by type (also ``a*?``)."""

from __future__ import annotations

import builtins
import re
import types
from collections.abc import Iterator
from typing import Any

from anymagic.registry.arguments import argument, magic_arguments, parse_argstring
from anymagic.registry.decorators import line_magic, magics_class
from anymagic.registry.errors import UsageError
from anymagic.registry.magics import Magics

NAMESPACES = ("user", "user_global", "builtin", "alias")
DEFAULT_SEARCH = ("user", "user_global", "builtin")


def type_names() -> dict[str, type]:
    """Type filter names: ``types`` module names without ``Type`` (``function``, ``module``...)
    plus the built-in types (``dict``, ``list``, ``str``...), lower-case."""
    table: dict[str, type] = {}
    for name in dir(types):
        value = getattr(types, name)
        if name.endswith("Type") and isinstance(value, type) and name != "LambdaType":
            table[name[:-4].lower()] = value
    for name in dir(builtins):
        value = getattr(builtins, name)
        if isinstance(value, type) and not issubclass(value, BaseException):
            table.setdefault(name.lower(), value)
    return dict(sorted(table.items()))


def _segment_regex(segment: str, case: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in segment)
    return re.compile(body + r"\Z", 0 if case else re.IGNORECASE)


def search(
    namespaces: list[dict[str, Any]],
    pattern: str,
    type_filter: type | None,
    case: bool,
    show_all: bool,
) -> list[str]:
    """Names matching a dotted wildcard pattern in the given namespaces, sorted."""
    segments = pattern.split(".")
    regexes = [_segment_regex(s, case) for s in segments]
    found: set[str] = set()

    def walk(items: Iterator[tuple[str, Any]], depth: int, prefix: str) -> None:
        regex = regexes[depth]
        for name, obj in items:
            if not show_all and name.startswith("_") and not segments[depth].startswith("_"):
                continue
            if not regex.match(name):
                continue
            full = prefix + name
            if depth + 1 < len(regexes):
                walk(_attributes(obj), depth + 1, full + ".")
            elif type_filter is None or isinstance(obj, type_filter):
                found.add(full)

    for ns in namespaces:
        walk(iter(list(ns.items())), 0, "")
    return sorted(found)


def _attributes(obj: Any) -> Iterator[tuple[str, Any]]:
    try:
        names = dir(obj)
    except Exception:  # noqa: BLE001 - a user's __dir__ may raise
        return
    for name in names:
        try:
            yield name, getattr(obj, name)
        except Exception:  # noqa: BLE001 - properties may raise
            continue


@magics_class
class PsearchMagics(Magics):
    """Search namespaces by wildcard."""

    @magic_arguments()
    @argument("-a", action="store_true", help="include names starting with _")
    @argument(
        "-c", dest="case", action="store_const", const=True, default=False, help="case-sensitive"
    )
    @argument(
        "-i", dest="case", action="store_const", const=False, help="case-insensitive (default)"
    )
    @argument(
        "-e",
        action="append",
        default=[],
        metavar="NS",
        help=f"exclude a namespace ({', '.join(NAMESPACES)})",
    )
    @argument(
        "-s",
        action="append",
        default=[],
        metavar="NS",
        help="search a namespace (added to the defaults)",
    )
    @argument("-l", action="store_true", help="list the type names usable as TYPE")
    @argument(
        "pattern",
        nargs="?",
        help="names with * and ? wildcards; dots search attributes (os.*path*)",
    )
    @argument("type", nargs="?", help="only objects of this type (see -l)")
    @line_magic
    def psearch(self, line: str) -> None:
        """Search for names by wildcard, optionally of one type: `%psearch -a _* function`.

        Searches the user, user_global and builtin namespaces by default; `-s NS` adds one
        (e.g. alias), `-e NS` leaves one out.  Case-insensitive unless `-c`.  `a*?` typed at a
        prompt does the same as `%psearch a*`.
        """
        args = parse_argstring(self.psearch, line)
        usage = self.psearch.parser.format_usage()
        types_table = type_names()
        if args.l:
            self.shell.write("\n".join(types_table) + "\n")
            return
        if not args.pattern:
            raise UsageError("%psearch: a PATTERN is required", usage)
        type_filter = None
        if args.type:
            type_filter = types_table.get(args.type.lower())
            if type_filter is None:
                raise UsageError(
                    f"%psearch: unknown type {args.type!r} (%psearch -l lists them)", usage
                )
        for ns_name in args.e + args.s:
            if ns_name not in NAMESPACES:
                raise UsageError(
                    f"%psearch: unknown namespace {ns_name!r}; choose from {', '.join(NAMESPACES)}",
                    usage,
                )
        chosen = [ns for ns in (*DEFAULT_SEARCH, *args.s) if ns not in args.e]
        if "alias" in chosen and not hasattr(self.shell, "alias_table"):
            try:
                self.shell.find_magic("alias")  # loading the alias group sets alias_table
            except Exception:  # noqa: BLE001 - a broken plugin just means no aliases
                pass
        spaces = {
            "user": self.shell.user_ns,
            "user_global": self.shell.user_ns,
            "builtin": vars(builtins),
            "alias": dict(getattr(self.shell, "alias_table", {}) or {}),
        }
        namespaces = [spaces[ns] for ns in dict.fromkeys(chosen)]
        names = search(namespaces, args.pattern, type_filter, args.case, args.a)
        if names:
            self.shell.write("\n".join(names) + "\n")
