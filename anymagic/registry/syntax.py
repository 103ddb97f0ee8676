"""Input syntax: turn a cell with ``%magics``, ``!shell`` and ``name?`` into plain Python.

The translator is a single left-to-right scan over the physical lines of a cell. It keeps
a tiny lexical state (inside which string, bracket depth, backslash continuation) so that
only lines at a *statement start* are ever offered to the rules; everything else is copied
through untouched. :meth:`InputSyntax.translate` keeps the number of lines exactly, so a
traceback line number in the generated code is the line number in the (cleaned) source.

Generated code calls methods on a runtime object stored in the user's globals under
:data:`RUNTIME_NAME`:

==========================  ==============================================
``%name args``              ``__anymagic__.line('name', 'args')``
``x = %name args``          ``x = __anymagic__.line('name', 'args')``
``%%name args`` + body      ``__anymagic__.cell('name', 'args', 'body')``
``!cmd`` / ``!!cmd``        ``__anymagic__.system('cmd')`` / ``.getoutput('cmd')``
``x = !cmd``                ``x = __anymagic__.getoutput('cmd')``
``name?`` / ``name??``      ``__anymagic__.help('name', 0)`` / ``(..., 1)``
``a*?``                     ``__anymagic__.line('psearch', 'a*')``
==========================  ==============================================

Only the standard library is used, and nothing heavy is imported at module import time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

__all__ = ["RUNTIME_NAME", "InputSyntax", "LineTransform", "Statement"]

RUNTIME_NAME = "__anymagic__"
"""Name of the runtime object the generated code calls (the host puts it in globals)."""

_RT = RUNTIME_NAME


class Statement(NamedTuple):
    """A logical line at a statement start, offered to line transforms (immutable)."""

    indent: str
    """Its leading whitespace."""
    text: str
    """The rest of the logical line (continuation lines of a magic/shell line joined)."""
    lineno: int
    """1-based line number of its first physical line in the cell."""
    first: bool
    """True if it is the first non-blank statement of the cell."""


LineTransform = Callable[[Statement], "str | None"]
"""A line transform: returns replacement text (one line, no indent) or None to pass."""

# --------------------------------------------------------------------------- patterns

_INDENT = re.compile(r"[ \t\f]*")
# Characters that change the lexical state of a Python line.
_INTERESTING = re.compile(r"""['"#()\[\]{}\\]""")
# The rest of a string literal, from just after its opening quote (unrolled loops: linear).
_STRING_END = {
    "'": re.compile(r"[^'\\]*(?:\\.[^'\\]*)*'", re.S),
    '"': re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"', re.S),
    "'''": re.compile(r"[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''", re.S),
    '"""': re.compile(r'[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""', re.S),
}
_OPEN = frozenset("([{")
_CLOSE = frozenset(")]}")

_MAGIC_NAME = re.compile(r"[A-Za-z_][\w.]*")
_HELP = re.compile(
    r"""(\?\??)?(%{0,2}[A-Za-z_][\w.]*|[A-Za-z_][\w.]*(?:\[[^\]\n]*\][\w.]*)+)(\?\??)?"""
)
_PSEARCH = re.compile(r"\??([\w.]*\*[\w.*]*)\?")
_SUBSCRIPT = r"""\[(?:[^\]'"\n]|'[^'\n]*'|"[^"\n]*")*\]"""
_ATOM = rf"\*?[^\W\d]\w*(?:\s*\.\s*[^\W\d]\w*|\s*{_SUBSCRIPT})*"
_ASSIGN = re.compile(
    rf"({_ATOM}(?:\s*,\s*{_ATOM})*\s*,?|{_ATOM}\s*:\s*[^=\n]+?)\s*=\s*(!!?|%)"
)  # targets, or one annotated target (x: list = !ls)
_IDENT = re.compile(r"[^\W\d]\w*")
# After an automagic candidate name: things that make the line Python, not a command.
_NOT_COMMAND = re.compile(r"\s*(?:[=:]|(?://|\*\*|>>|<<|[-+*/%@&|^])=|!=)|[(\[,;.]")

_KEYWORDS = frozenset(
    # keyword.kwlist + keyword.softkwlist (without importing keyword)
    "False None True and as assert async await break class continue def del elif else "
    "except finally for from global if import in is lambda nonlocal not or pass raise "
    "return try while with yield match case type _".split()
)

# Prompts of pasted sessions.
_DOCTEST_FIRST = re.compile(r">>>(?: |$)")
_DOCTEST_LINE = re.compile(r"(?:>>>|\.\.\.)(?: |$)")
_IPY_FIRST = re.compile(r"In \[\d+\]:(?: |$)")
_IPY_LINE = re.compile(r"(?:In \[\d+\]:|[ \t]*\.\.\.:)(?: |$)")

_EOF_MESSAGES = ("unexpected EOF", "was never closed", "unterminated triple-quoted")
_PyCF_ALLOW_TOP_LEVEL_AWAIT = 0x2000


# --------------------------------------------------------------------------- scanning


def _scan(line: str, quote: str | None, depth: int) -> tuple[str | None, int, bool, int]:
    """Advance the lexical state over one physical line (without its newline).

    Returns ``(quote, depth, backslash_continued, code_end)`` where ``quote`` is the string
    still open at the end of the line (or None), and ``code_end`` is where a trailing
    comment starts (or the line length).
    """
    n = len(line)
    pos = 0
    if quote is not None:
        m = _STRING_END[quote].match(line)
        if m is None:
            if len(quote) == 3 or (n - len(line.rstrip("\\"))) % 2:
                return quote, depth, False, n  # still inside the string
            return None, depth, False, n  # unterminated one-line string: an error; reset
        pos = m.end()
        quote = None
    search = _INTERESTING.search
    while True:
        m = search(line, pos)
        if m is None:
            return None, depth, False, n
        c = m.group()
        j = m.start()
        if c == "#":
            return None, depth, False, j
        if c in _OPEN:
            depth += 1
            pos = j + 1
        elif c in _CLOSE:
            if depth:
                depth -= 1
            pos = j + 1
        elif c == "\\":
            if j == n - 1:
                return None, depth, True, n
            pos = j + 2
        else:
            q = c * 3 if line.startswith(c * 3, j) else c
            m2 = _STRING_END[q].match(line, j + len(q))
            if m2 is None:
                if len(q) == 3 or (n - len(line.rstrip("\\"))) % 2:
                    return q, depth, False, n
                return None, depth, False, n
            pos = m2.end()


def _call(method: str, *args: object) -> str:
    return f"{_RT}.{method}({', '.join(repr(a) for a in args)})"


def _line_magic(rest: str) -> str:
    """``rest`` is the text after a single ``%``; a second ``%`` stays in the name."""
    prefix = ""
    if rest.startswith("%"):
        prefix, rest = "%", rest[1:]
    m = _MAGIC_NAME.match(rest)
    name = m.group() if m else ""
    args = rest[m.end() :] if m else rest
    return _call("line", prefix + name, args.strip())


def _help_or_psearch(t: str) -> str | None:
    if t in ("?", "??"):  # IPython: a lone ? explains the syntax
        return _call("line", "magic", "")
    m = _HELP.fullmatch(t)
    if m is not None:
        pre, name, post = m.groups()
        if (pre is None) != (post is None):
            return _call("help", name, len(pre or post) - 1)
        return None
    m = _PSEARCH.fullmatch(t)
    if m is not None:
        return _call("line", "psearch", m.group(1))
    return None


def _indent_width(line: str) -> int:
    return len(_INDENT.match(line).group().replace("\f", "").expandtabs(8))


def _strip_cr(line: str) -> str:
    return line[:-1] if line.endswith("\r") else line


# --------------------------------------------------------------------------- translator


class InputSyntax:
    """Translate cells with magic syntax into plain Python.

    :param is_magic: tells whether a name is a known line magic (used by automagic).
    :param is_shadowed: tells whether a name is bound in the user namespace (or builtins),
        in which case automagic leaves it alone.
    :param automagic: call magics without ``%`` (``cd ..``); may be toggled at run time.
    """

    def __init__(
        self,
        *,
        is_magic: Callable[[str], bool] = lambda name: False,
        is_shadowed: Callable[[str], bool] = lambda name: False,
        automagic: bool = False,
    ) -> None:
        self.is_magic = is_magic
        self.is_shadowed = is_shadowed
        self.automagic = automagic
        self._line_transforms: list[tuple[int, int, LineTransform]] = []
        self._cell_transforms: list[tuple[int, int, Callable[[str], str]]] = []
        self._counter = 0

    # ------------------------------------------------------------------ registration

    def add_line_transform(self, fn: LineTransform, priority: int = 500) -> None:
        """Offer every statement to ``fn`` before the built-in rules; lower priority first.

        The first transform returning a string wins; the string replaces the logical line
        (the indentation is kept, continuation lines become blank lines).
        """
        self._counter += 1
        self._line_transforms.append((priority, self._counter, fn))
        self._line_transforms.sort(key=lambda item: (item[0], item[1]))

    def remove_line_transform(self, fn: LineTransform) -> None:
        """Remove a line transform; :class:`ValueError` if it was not added."""
        self._line_transforms.remove(_find(self._line_transforms, fn))

    def add_cell_transform(self, fn: Callable[[str], str], priority: int = 500) -> None:
        """Run ``fn(source) -> source`` in :meth:`cleanup`, after prompt stripping."""
        self._counter += 1
        self._cell_transforms.append((priority, self._counter, fn))
        self._cell_transforms.sort(key=lambda item: (item[0], item[1]))

    def remove_cell_transform(self, fn: Callable[[str], str]) -> None:
        """Remove a cell transform; :class:`ValueError` if it was not added."""
        self._cell_transforms.remove(_find(self._cell_transforms, fn))

    # ------------------------------------------------------------------ cell level

    def cleanup(self, source: str) -> str:
        """Strip pasted ``>>>`` / ``In [N]:`` prompts, drop leading blank lines, run cell
        transforms (in priority order). May change the number of lines."""
        lines = source.split("\n")
        for index, raw in enumerate(lines):
            if raw.strip():
                line = _strip_cr(raw)
                if _DOCTEST_FIRST.match(line):
                    lines = _strip_prompts(lines[index:], _DOCTEST_LINE)
                elif _IPY_FIRST.match(line):
                    lines = _strip_prompts(lines[index:], _IPY_LINE)
                else:
                    lines = lines[index:]
                break
        else:
            lines = [""]
        start = 0
        while start < len(lines) - 1 and not lines[start].strip():
            start += 1
        lines = _dedent_pasted(lines[start:]) if start else _dedent_pasted(lines)
        source = "\n".join(lines)
        if not source.strip():
            source = ""
        for _, _, fn in self._cell_transforms:
            source = fn(source)
        return source

    def transform(self, source: str) -> str:
        """``translate(cleanup(source))``: what a host compiles and runs."""
        return self.translate(self.cleanup(source))

    # ------------------------------------------------------------------ line level

    def translate(self, source: str) -> str:
        """Translate magic syntax into plain Python, keeping the number of lines exactly."""
        if not source:
            return source
        lines = source.split("\n")
        n = len(lines)
        start = 0
        while start < n and not lines[start].strip():
            start += 1
        if start == n:
            return source
        head = _strip_cr(lines[start])
        indent = _INDENT.match(head).group()
        text = head[len(indent) :].rstrip()
        if text.startswith("%%") and _help_or_psearch(text) is None:
            m = _MAGIC_NAME.match(text, 2)
            name = m.group() if m else ""
            args = text[m.end() if m else 2 :].strip()
            body = "\n".join(lines[start + 1 :])
            out = lines[:start]
            out.append(indent + _call("cell", name, args, body))
            out.extend([""] * (n - start - 1))
            return "\n".join(out)

        out: list[str] = []
        append = out.append
        quote: str | None = None
        depth = 0
        cont = False
        first = True
        transforms = self._line_transforms
        i = 0
        while i < n:
            raw = lines[i]
            line = raw[:-1] if raw.endswith("\r") else raw
            if quote is None and not depth and not cont:
                m = _INDENT.match(line)
                indent = m.group()
                text = line[m.end() :]
                if text and text[0] != "#":
                    consumed = 0
                    if text[-1] == "\\" and self._joins(text):
                        text, consumed = _join(text, lines, i)
                    if transforms:
                        stmt = Statement(indent, text, i + 1, first)
                        repl = None
                        for _, _, fn in transforms:
                            repl = fn(stmt)
                            if repl is not None:
                                break
                        if repl is not None:
                            first = False
                            append(indent + repl + raw[len(line) :])
                            for j in range(i + 1, i + 1 + consumed):
                                append("\r" if lines[j].endswith("\r") else "")
                            quote, depth, cont, _ = _scan(repl, None, 0)
                            i += 1 + consumed
                            continue
                    first = False
                    repl = self._builtin(text)
                    if repl is not None:
                        append(indent + repl + raw[len(line) :])
                        for j in range(i + 1, i + 1 + consumed):
                            append("\r" if lines[j].endswith("\r") else "")
                        i += 1 + consumed
                        continue
            quote, depth, cont, _ = _scan(line, quote, depth)
            append(raw)
            i += 1
        return "\n".join(out)

    def _joins(self, text: str) -> bool:
        """Whether a statement's trailing backslash joins lines (magic/shell lines only)."""
        c = text[0]
        if c == "%" or c == "!":
            return True
        if "=" in text and _ASSIGN.match(text):
            return True
        return self._automagic_args(text) is not None

    def _builtin(self, text: str) -> str | None:
        """The built-in rules for one logical line at a statement start (no indent)."""
        c = text[0]
        t = text.rstrip()
        if c == "%":
            return _help_or_psearch(t) or _line_magic(t[1:])
        if c == "!":
            if t.startswith("!!"):
                return _call("getoutput", t[2:].strip())
            return _call("system", t[1:].strip())
        if t[-1] == "?" or c == "?":
            repl = _help_or_psearch(t)
            if repl is not None:
                return repl
        if "=" in t:
            m = _ASSIGN.match(t)
            if m is not None:
                target, op = m.groups()
                rest = t[m.end() :]
                if op == "%":
                    call = _line_magic(rest)
                else:
                    call = _call("getoutput", rest.strip())
                return f"{target.rstrip()} = {call}"
        if self.automagic:
            found = self._automagic_args(t)
            if found is not None:
                return _call("line", *found)
        return None

    def _automagic_args(self, text: str) -> tuple[str, str] | None:
        """``(name, args)`` if ``text`` is a magic called without ``%`` (automagic)."""
        if not self.automagic:
            return None
        m = _IDENT.match(text)
        if m is None:
            return None
        name = m.group()
        rest = text[m.end() :]
        if name in _KEYWORDS or (rest and _NOT_COMMAND.match(rest)):
            return None
        if not self.is_magic(name) or self.is_shadowed(name):
            return None
        return name, rest.strip()

    # ------------------------------------------------------------------ completeness

    def check_complete(self, source: str) -> tuple[str, int | None]:
        """Whether a prompt should submit ``source`` on Enter.

        Returns ``('complete', None)``, ``('invalid', None)`` or ``('incomplete', indent)``
        where ``indent`` is the number of columns to indent the next line.
        """
        try:
            return self._check_complete(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return "invalid", None

    def _check_complete(self, source: str) -> tuple[str, int | None]:
        src = self.cleanup(source)
        if not src.strip():
            return "complete", None
        lines = [_strip_cr(line) for line in src.split("\n")]
        last = lines[-1]
        head = lines[0].lstrip()
        if head.startswith("%%") and _help_or_psearch(head.rstrip()) is None:
            if last.strip():
                return "incomplete", _indent_width(last)
            return "complete", None
        if last.endswith("\\"):
            return "incomplete", _indent_width(last)
        translated = self.translate(src)
        quote: str | None = None
        depth = 0
        cont = False
        last_code = ""
        last_code_indent = 0
        for line in translated.split("\n"):
            line = _strip_cr(line)
            was_in_string = quote is not None
            quote, depth, cont, code_end = _scan(line, quote, depth)
            if not was_in_string and line[:code_end].strip():
                last_code = line[:code_end].rstrip()
                last_code_indent = _indent_width(line)
        if quote is not None or depth or cont:
            return "incomplete", _indent_width(last)
        if last_code.endswith(":"):
            return "incomplete", last_code_indent + 4
        if last_code.lstrip().startswith("@"):  # a decorator waits for its def or class
            return "incomplete", last_code_indent
        multiline = any(line[:1] in (" ", "\t") and line.strip() for line in lines[1:])
        if multiline and last.strip():
            return "incomplete", _indent_width(last)
        import warnings  # already loaded by the interpreter: free

        try:
            with warnings.catch_warnings():  # no "invalid escape sequence" noise at a prompt
                warnings.simplefilter("ignore")
                compile(translated, "<input>", "exec", _PyCF_ALLOW_TOP_LEVEL_AWAIT, True)
        except SyntaxError as exc:
            msg = str(exc.msg if exc.msg is not None else exc)
            if any(text in msg for text in _EOF_MESSAGES):
                return "incomplete", _indent_width(last)
            return "invalid", None
        return "complete", None


def _dedent_pasted(lines: list[str]) -> list[str]:
    """IPython's ``leading_indent``: code pasted with the first line indented loses that
    indentation on every line that has it (so ``  x = 1`` runs instead of failing)."""
    first = lines[0] if lines else ""
    prefix = first[: len(first) - len(first.lstrip(" \t"))]
    if not prefix or not first.strip():
        return lines
    return [line[len(prefix) :] if line.startswith(prefix) else line for line in lines]


def _find(table: list, fn: Callable) -> tuple:
    for item in table:
        if item[2] is fn or item[2] == fn:
            return item
    raise ValueError(f"transform {fn!r} is not registered")


def _join(text: str, lines: list[str], i: int) -> tuple[str, int]:
    """Join backslash-continued physical lines after ``lines[i]`` (whose text is ``text``).

    Returns the joined text and the number of extra physical lines consumed.
    """
    consumed = 0
    n = len(lines)
    while text.endswith("\\"):
        text = text[:-1].rstrip()
        if i + consumed + 1 >= n:
            break
        consumed += 1
        nxt = _strip_cr(lines[i + consumed]).strip()
        text = f"{text} {nxt}" if text and nxt else text + nxt
    return text, consumed


def _strip_prompts(lines: list[str], prompt: re.Pattern[str]) -> list[str]:
    """Keep only lines with a prompt, without it; drop the rest (pasted output)."""
    kept = []
    for raw in lines:
        m = prompt.match(raw)
        if m is not None:
            kept.append(raw[m.end() :])
    return kept
