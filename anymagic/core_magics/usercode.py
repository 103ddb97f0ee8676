"""What magics that run the user's code share: getopt-style options, parsing and compiling
the code (magics translated, cell source in linecache), the namespaces to run it in, and
running it, top-level ``await`` included.  Used by the timing and profiling groups.
"""

from __future__ import annotations

import ast
import os
import re
from typing import Any

from anymagic.registry.compiling import (
    CO_COROUTINE,
    PyCF_ALLOW_TOP_LEVEL_AWAIT,
    no_running_loop,
    run_in_thread,
)
from anymagic.registry.errors import UsageError
from anymagic.registry.tracebacks import hide_from_tracebacks

_WS = re.compile(r"\s*")
_WORD = re.compile(r"\S+")


def parse_opts(magic: str, line: str, spec: str, usage: str) -> tuple[dict[str, list[str]], str]:
    """getopt-style options at the start of ``line``; the rest is returned exactly as typed.

    ``spec`` is getopt's (``"n:r:q"``: a letter followed by ``:`` takes a value, given as
    ``-n5`` or ``-n 5``; a value may be quoted).  Flags may be grouped (``-qo``).  Option
    parsing stops at the first word that does not start with ``-`` + letter, or after
    ``--``.  Unlike ``shlex``-based parsing, quotes in the statement are kept.
    """
    opts: dict[str, list[str]] = {}
    pos = _WS.match(line).end()
    while pos < len(line) and line[pos] == "-":
        word = _WORD.match(line, pos)
        token, end = word.group(), word.end()
        if token == "--":
            pos = end
            break
        if len(token) < 2 or not token[1].isalpha():
            break  # "-1", "-x.y" etc. belong to the statement
        i = 1
        while i < len(token):
            letter = token[i]
            at = spec.find(letter)
            if at < 0 or letter == ":":
                raise UsageError(f"%{magic}: unknown option -{letter}", usage)
            if spec[at + 1 : at + 2] == ":":
                value = token[i + 1 :]
                if not value:
                    value, end = _next_value(line, end)
                    if value is None:
                        raise UsageError(f"%{magic}: option -{letter} needs a value", usage)
                opts.setdefault(letter, []).append(value)
                break
            opts.setdefault(letter, []).append("")
            i += 1
        pos = _WS.match(line, end).end()
    return opts, line[pos:].strip()


def complete_options(spec: str, token: str) -> list[str] | None:
    """Tab completion of getopt-style options: ``-n``, ``-r``... for a word starting with ``-``;
    None (the default completion) for anything else."""
    if not token.startswith("-"):
        return None
    return [f"-{c}" for c in spec.replace(":", "") if f"-{c}".startswith(token)]


def _next_value(line: str, pos: int) -> tuple[str | None, int]:
    pos = _WS.match(line, pos).end()
    if pos >= len(line):
        return None, pos
    if line[pos] in "'\"":
        close = line.find(line[pos], pos + 1)
        if close < 0:
            return line[pos + 1 :], len(line)
        return line[pos + 1 : close], close + 1
    word = _WORD.match(line, pos)
    return word.group(), word.end()


def int_option(
    magic: str, opts: dict[str, list[str]], letter: str, usage: str, minimum: int = 1
) -> int | None:
    """The last ``-letter`` value as an int >= minimum (None when absent)."""
    if letter not in opts:
        return None
    raw = opts[letter][-1]
    try:
        value = int(raw)
    except ValueError:
        raise UsageError(f"%{magic}: -{letter} needs a whole number, got {raw!r}", usage) from None
    if value < minimum:
        raise UsageError(f"%{magic}: -{letter} must be at least {minimum}, got {value}", usage)
    return value


def check_writable(magic: str, path: str, usage: str) -> str:
    """``path`` (user-expanded) if a file can be created there, else a UsageError."""
    path = os.path.expanduser(path)
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise UsageError(f"%{magic}: cannot write {path!r}: it is a directory", usage)
    if not os.path.isdir(folder):
        raise UsageError(f"%{magic}: cannot write {path!r}: no such directory {folder!r}", usage)
    if not os.access(folder, os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        raise UsageError(f"%{magic}: cannot write {path!r}: permission denied", usage)
    return path


def parse_user_code(
    shell: Any,
    magic: str,
    source: str,
    usage: str,
    what: str = "statement",
    allow_await: bool = True,
) -> ast.Module:
    """Translate magics in ``source`` and parse it; a syntax error is a UsageError.

    The code is also compiled once as a module, so what only the compiler rejects
    (``return`` or ``yield`` outside a function, ``await`` where it cannot run) is the
    same one-line error, not a strange result from the code it is wrapped in.
    """
    python = shell.syntax.transform(source)
    flags = PyCF_ALLOW_TOP_LEVEL_AWAIT if allow_await else 0
    try:
        tree = ast.parse(python, mode="exec")
        compile(tree, "<check>", "exec", flags, True)
        return tree
    except SyntaxError as exc:
        where = f" (line {exc.lineno})" if exc.lineno and source.count("\n") else ""
        text = (exc.text or "").strip()
        shown = f": {text}" if text else ""
        message = f"%{magic}: syntax error in the {what}{where}: {exc.msg}{shown}"
        raise UsageError(message, usage) from None


def compile_user_code(shell: Any, tree: ast.AST, source: str, mode: str = "exec") -> Any:
    """Compile an AST of code typed by the user; ``source`` goes into linecache for tracebacks."""
    filename = shell.cache_source(source)
    compile_ast = getattr(shell, "compile_ast", None)
    if compile_ast is not None:  # keeps the session's ``from __future__`` flags
        return compile_ast(tree, filename, mode)
    return compile(tree, filename, mode)


def run_namespaces(
    shell: Any, local_ns: dict[str, Any] | None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(globals, locals) to run user code with: locals only when the caller has its own."""
    user_ns = shell.user_ns
    if local_ns is None or local_ns is user_ns:
        return user_ns, None
    return user_ns, local_ns


def run_user_code(code: Any, glob: dict[str, Any], local: dict[str, Any] | None) -> Any:
    """Run compiled user code; a cell with top-level ``await`` (a coroutine) is awaited, as
    the session does, instead of being silently dropped."""
    value = eval(code, glob, local)  # noqa: S307 - the user's own code; exec mode returns None
    if code.co_flags & CO_COROUTINE:
        import asyncio

        value = asyncio.run(value) if no_running_loop() else run_in_thread(value)
    return value


hide_from_tracebacks(__file__)  # show the user's frames, not these helpers
