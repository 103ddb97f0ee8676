"""argparse-based option parsing for magics, with IPython's ``magic_arguments`` API.

A wrong option raises :class:`UsageError` carrying the usage line, so the user sees one
line and the usage, never an argparse ``SystemExit`` or a traceback::

    @magic_arguments()
    @argument("-n", type=int, default=1, help="how many times")
    @argument("name")
    @line_magic
    def greet(self, line):
        args = parse_argstring(self.greet, line)
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Callable
from typing import Any, NoReturn

from .errors import UsageError

__all__ = [
    "MagicArgumentParser",
    "argument",
    "argument_group",
    "kwds",
    "magic_arguments",
    "parse_argstring",
    "construct_parser",
    "split_args",
]


class MagicArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser that raises :class:`UsageError` instead of exiting."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("add_help", False)  # help is `%name?`, as in IPython
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}", self.format_usage())

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        raise UsageError(message.strip() if message else f"{self.prog}: exited", None)

    def parse_argstring(self, argstring: str) -> argparse.Namespace:
        try:
            argv = split_args(argstring, self.prog)
        except UsageError as exc:
            raise UsageError(exc.args[0], self.format_usage()) from None
        return self.parse_args(argv)


def split_args(argstring: str, prog: str = "magic") -> list[str]:
    """Split a magic's line like a POSIX shell; an unclosed quote is a UsageError."""
    try:
        return shlex.split(argstring, posix=True)
    except ValueError as exc:  # "No closing quotation", "No escaped character"
        raise UsageError(f"{prog}: {str(exc).lower()} in: {argstring}") from None


def construct_parser(func: Callable[..., Any]) -> MagicArgumentParser:
    """Build the parser from the ``@argument`` decorators stacked on ``func``."""
    kwargs = dict(getattr(func, "parser_kwargs", {}))
    name = getattr(func, "_magic_name", None) or func.__name__
    kwargs.setdefault("prog", "%" + name)
    kwargs.setdefault("description", _first_paragraph(func.__doc__))
    parser = MagicArgumentParser(**kwargs)
    group: Any = parser
    for deco in reversed(getattr(func, "decorators", [])):  # decorators apply bottom-up
        group = deco.add_to_parser(parser, group)
    return parser


def _first_paragraph(doc: str | None) -> str | None:
    if not doc:
        return None
    import inspect

    return inspect.cleandoc(doc).split("\n\n", 1)[0]


def parse_argstring(magic_func: Callable[..., Any], argstring: str) -> argparse.Namespace:
    """Parse ``argstring`` with the parser built for ``magic_func``."""
    parser = getattr(magic_func, "parser", None)
    if parser is None:
        raise TypeError(f"{magic_func!r} has no @magic_arguments()")
    return parser.parse_argstring(argstring)


def real_name(func: Callable[..., Any]) -> str:
    return getattr(func, "_magic_name", None) or func.__name__


class _Decorator:
    """Base for decorators that add to a magic's parser."""

    def __call__(self, func: Callable[..., Any]) -> Callable[..., Any]:
        target = getattr(func, "__func__", func)
        if not hasattr(target, "decorators"):
            target.decorators = []
        target.decorators.append(self)
        return func

    def add_to_parser(self, parser: argparse.ArgumentParser, group: Any) -> Any:
        return group


class magic_arguments(_Decorator):  # noqa: N801 - IPython's name
    """Top decorator: build the parser and append its usage to the docstring."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name

    def __call__(self, func: Callable[..., Any]) -> Callable[..., Any]:
        if self.name:
            func._magic_name = self.name  # type: ignore[attr-defined]
        func.parser = construct_parser(func)  # type: ignore[attr-defined]
        help_text = func.parser.format_help()  # type: ignore[attr-defined]
        func.__doc__ = (
            (func.__doc__ or "").rstrip() + "\n\n" + help_text if func.__doc__ else help_text
        )
        return func


class argument(_Decorator):  # noqa: N801 - IPython's name
    """Add one ``parser.add_argument(*args, **kwargs)``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = args
        self.kwargs = kwargs

    def add_to_parser(self, parser: argparse.ArgumentParser, group: Any) -> Any:
        (group or parser).add_argument(*self.args, **self.kwargs)
        return group


class argument_group(_Decorator):  # noqa: N801 - IPython's name
    """Start a titled group; the ``@argument`` lines below it belong to it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = args
        self.kwargs = kwargs

    def add_to_parser(self, parser: argparse.ArgumentParser, group: Any) -> Any:
        return parser.add_argument_group(*self.args, **self.kwargs)


class kwds(_Decorator):  # noqa: N801 - IPython's name
    """Pass keyword arguments to the ArgumentParser itself (e.g. ``epilog=``)."""

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs

    def __call__(self, func: Callable[..., Any]) -> Callable[..., Any]:
        func.parser_kwargs = self.kwargs  # type: ignore[attr-defined]
        return func
