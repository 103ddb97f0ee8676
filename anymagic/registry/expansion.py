"""``$var`` and ``{expr}`` expansion of magic and shell lines, as IPython does it.

* ``$name`` and ``$name.attr.attr`` become ``str()`` of the value (the local namespace is
  searched first, then the global one). When an attribute is missing, the longest chain
  that resolves is used and the rest stays as text (``$stem.txt`` -> ``report.txt``).
* ``{expr}`` becomes ``str(eval(expr))``; braces and quotes inside the expression are
  handled (``{d["}"]}``, ``{ {1: 2}[1] }``); ``{x!r}`` and ``{x:>8}`` work as in f-strings
  when the whole text is not an expression by itself.
* ``$$`` is a literal ``$`` (``$$HOME`` reaches the shell as ``$HOME``); ``{{`` and ``}}``
  are literal braces.
* Whatever cannot be evaluated (unknown name, any exception, a syntax error) stays exactly
  as written, so ``find . -exec {} \\;`` and ``echo $HOME`` pass through.

The scan is linear in the length of the text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["expand"]

_SPECIAL = re.compile(r"[${}]")
_DOLLAR_NAME = re.compile(r"[^\W\d]\w*(?:\.[^\W\d]\w*)*")
_BRACE_OR_QUOTE = re.compile(r"""[{}'"]""")
_MISSING = object()


def expand(
    text: str, namespace: Mapping[str, Any], local_ns: Mapping[str, Any] | None = None
) -> str:
    """Expand ``$name``, ``$name.attr``, ``{expr}``, ``$$``, ``{{`` and ``}}`` in ``text``."""
    if "$" not in text and "{" not in text and "}" not in text:
        return text
    return _Expander(text, namespace, local_ns).run()


class _Expander:
    def __init__(self, text: str, namespace: Mapping[str, Any], local_ns: Mapping[str, Any] | None):
        self.text = text
        self.namespace = namespace
        self.local_ns = local_ns
        self._globals: dict[str, Any] | None = None
        self._pairs: dict[int, int] | None = None
        self._quotes: list[int] | None = None  # positions of "'" (found when first needed)

    # ---------------------------------------------------------------- lookups

    def _lookup(self, name: str) -> Any:
        for ns in (self.local_ns, self.namespace):
            if ns is None:
                continue
            try:
                return ns[name]
            except Exception:  # KeyError, or a mapping whose lookup fails
                continue
        return _MISSING

    def _eval(self, expr: str) -> Any:
        if self._globals is None:
            # A copy, as IPython does: locals win, and the user's namespace is not touched.
            merged = dict(self.namespace)
            if self.local_ns is not None:
                merged.update(self.local_ns)
            self._globals = merged
        return eval(expr, self._globals)

    # ---------------------------------------------------------------- braces

    def _match_braces(self) -> dict[int, int]:
        """Map each ``{`` that opens a replacement field to its closing ``}``.

        Inside a field, quotes start strings in which braces do not count. One pass with a
        stack; unmatched braces are simply absent from the map.
        """
        text = self.text
        pairs: dict[int, int] = {}
        stack: list[int] = []
        no_more: dict[str, int] = {}  # quote char -> position after which it never occurs
        pos = 0
        n = len(text)
        search = _BRACE_OR_QUOTE.search
        while True:
            m = search(text, pos)
            if m is None:
                break
            c = m.group()
            j = m.start()
            pos = j + 1
            if c == "{":
                if not stack and text.startswith("{{", j):
                    pos = j + 2  # literal brace
                else:
                    stack.append(j)
            elif c == "}":
                if stack:
                    pairs[stack.pop()] = j
                elif text.startswith("}}", j):
                    pos = j + 2
            elif stack:  # a quote inside a field: skip the string
                if no_more.get(c, n) <= j:
                    continue
                end = text.find(c, j + 1)
                if end < 0:
                    no_more[c] = j
                    continue  # unterminated: treat the quote as a plain character
                pos = end + 1
        return pairs

    def _field(self, body: str) -> str | None:
        """The text for ``{body}``, or None to leave it as written."""
        if not body.strip():
            return None
        try:
            return str(self._eval(body))
        except SyntaxError:
            pass
        except Exception:
            return None
        # Not an expression: try an f-string style conversion and format spec.
        try:
            expr, conversion, spec = _split_field(body)
            if expr is None:
                return None
            value = self._eval(expr)
            if conversion == "r":
                value = repr(value)
            elif conversion == "a":
                value = ascii(value)
            elif conversion == "s":
                value = str(value)
            return format(value, spec)
        except Exception:
            return None

    def _in_single_quotes(self, j: int) -> bool:
        """IPython's rule: ``$`` inside '...' is the shell's (an odd number of ' follow it)."""
        if self._quotes is None:
            self._quotes = [k for k, ch in enumerate(self.text) if ch == "'"]
        from bisect import bisect_right

        return (len(self._quotes) - bisect_right(self._quotes, j)) % 2 == 1

    # ---------------------------------------------------------------- main loop

    def run(self) -> str:
        text = self.text
        out: list[str] = []
        pos = 0  # everything before pos is emitted
        i = 0
        search = _SPECIAL.search
        n = len(text)
        while True:
            m = search(text, i)
            if m is None:
                break
            j = m.start()
            c = m.group()
            if c == "$":
                if "'" in text and self._in_single_quotes(j):
                    i = j + 1  # left for the shell, '$$' included, as IPython does
                    continue
                if text.startswith("$$", j):
                    if _DOLLAR_NAME.match(text, j + 2) is None:  # "$$" alone stays (IPython)
                        i = j + 1  # the second "$" may still start "$$name"
                        continue
                    out.append(text[pos : j + 1])  # "$$name" -> "$name" for the shell
                    pos = i = j + 2
                    continue
                nm = _DOLLAR_NAME.match(text, j + 1)
                if nm is None:
                    i = j + 1
                    continue
                parts = nm.group().split(".")
                value = self._lookup(parts[0])
                if value is _MISSING:
                    i = nm.end()
                    continue
                used = len(parts[0])
                for attr in parts[1:]:
                    try:
                        value = getattr(value, attr)
                    except Exception:
                        break
                    used += 1 + len(attr)
                try:
                    s = str(value)
                except Exception:
                    i = nm.end()
                    continue
                out.append(text[pos:j])
                out.append(s)
                pos = i = j + 1 + used
            elif c == "}":
                if text.startswith("}}", j):
                    out.append(text[pos : j + 1])
                    pos = i = j + 2
                else:
                    i = j + 1
            else:  # "{"
                if text.startswith("{{", j):
                    out.append(text[pos : j + 1])
                    pos = i = j + 2
                    continue
                if self._pairs is None:
                    self._pairs = self._match_braces()
                end = self._pairs.get(j)
                if end is None:
                    i = j + 1
                    continue
                s = self._field(text[j + 1 : end])
                if s is None:
                    i = end + 1  # leave the whole field as written
                    continue
                out.append(text[pos:j])
                out.append(s)
                pos = i = end + 1
            if i >= n:
                break
        out.append(text[pos:])
        return "".join(out)


def _split_field(body: str) -> tuple[str | None, str, str]:
    """Split ``expr!conv:spec`` at the top level (outside brackets and strings)."""
    depth = 0
    quote = ""
    for k, ch in enumerate(body):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and ch == "!" and body[k + 1 : k + 2] in ("r", "s", "a"):
            rest = body[k + 2 :]
            if rest and rest[0] != ":":
                return None, "", ""
            return body[:k], body[k + 1], rest[1:]
        elif depth == 0 and ch == ":":
            return body[:k], "", body[k + 1 :]
    return None, "", ""
