"""Tests for anymagic.registry.expansion: ``$var`` and ``{expr}`` expansion."""

from __future__ import annotations

import time
from collections import ChainMap
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anymagic.registry.expansion import expand


class Boom:
    def __str__(self) -> str:
        raise RuntimeError("no str")

    @property
    def bad(self) -> str:
        raise RuntimeError("no attribute")


NS = {
    "x": 1,
    "name": "report",
    "path": SimpleNamespace(stem="data", parent=SimpleNamespace(name="home")),
    "d": {"}": 7, "k": 2, "{": 3},
    "items": ["a", "b"],
    "boom": Boom(),
    "HOME_DIR": "/home/me",
}
LOCALS = {"x": 10, "only_local": "L"}

CASES = [
    # $name and $name.attr
    ("echo $x", "echo 10"),
    ("echo $name", "echo report"),
    ("$only_local", "L"),
    ("$path.stem", "data"),
    ("$path.parent.name", "home"),
    ("cp $name.txt /tmp", "cp report.txt /tmp"),
    ("$path.nope", "namespace(stem='data', parent=namespace(name='home')).nope"),
    ("$x$x", "1010"),
    ("$x,$name", "10,report"),
    ("a$x-b", "a10-b"),
    ("$_", "$_"),
    # unknown names and literal dollars pass through
    ("echo $HOME", "echo $HOME"),
    ("echo $$HOME", "echo $HOME"),
    ("echo $$x", "echo $x"),
    ("$$$x", "$$x"),  # IPython: "$" then "$$x" -> "$x"
    ("$$ alone", "$$ alone"),  # "$$" not before a name is left as is (IPython)
    ("p$$$$x", "p$$$x"),
    # single quotes: "$name" is the shell's (IPython's rule); {expr} still expands
    ("echo '$x'", "echo '$x'"),
    ("awk '{print $1}'", "awk '{print $1}'"),
    ("echo '{x}' $x", "echo '10' 10"),
    ("echo $x' '$x", "echo 10' '10"),
    ("it's $x", "it's 10"),
    ("echo '$$HOME'", "echo '$$HOME'"),
    ("cost: 5$", "cost: 5$"),
    ("$ x", "$ x"),
    ("$1", "$1"),
    ("$", "$"),
    # {expr}
    ("{x + 1}", "11"),
    ("{ x }", "10"),
    ("{name.upper()}", "REPORT"),
    ("{d['}']}", "7"),
    ('{d["{"]}', "3"),
    ("{ {1: 2}[1] }", "2"),
    ("{[c for c in 'ab']}", "['a', 'b']"),
    ("{len(items)} items", "2 items"),
    ("{x!r:>4}|", "  10|"),
    ("{name!r}", "'report'"),
    ("{x:03d}", "010"),
    ("{items[0]}{items[1]}", "ab"),
    # failures stay as written
    ("find . -exec {} \\;", "find . -exec {} \\;"),
    ("{nope}", "{nope}"),
    ("{1/0}", "{1/0}"),
    ("{x +}", "{x +}"),
    ("{boom}", "{boom}"),
    ("$boom", "$boom"),
    ("$boom.bad", "$boom.bad"),
    ("awk '{print $1}'", "awk '{print $1}'"),
    ("{ {x}", "{ 10"),
    ("{'unterminated}", "{'unterminated}"),
    ("{x} {", "10 {"),
    ("}", "}"),
    # escaped braces
    ("{{x}}", "{x}"),
    ("{{ {x} }}", "{ 10 }"),
    ("a}}b", "a}b"),
    ("", ""),
    ("plain text", "plain text"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_expand(text: str, expected: str) -> None:
    assert expand(text, NS, LOCALS) == expected


def test_namespace_only_and_mapping_types() -> None:
    assert expand("$x {x}", NS) == "1 1"
    assert expand("$x {x * 2}", ChainMap({"x": 3})) == "3 6"


def test_namespace_is_not_modified() -> None:
    ns = {"y": 2}
    assert expand("{(z := y + 1)}", ns) == "3"
    assert ns == {"y": 2}


def test_linear_time_on_pathological_input() -> None:
    # Unmatched braces and quotes must not make the scan quadratic.
    text = "{ '" * 20_000 + "$nope " * 20_000
    start = time.perf_counter()
    assert expand(text, NS) == text
    assert time.perf_counter() - start < 2.0


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("${}'\"x.:!rab _\\d()[]1")), max_size=60))
def test_never_raises(text: str) -> None:
    assert isinstance(expand(text, NS, LOCALS), str)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=60).filter(lambda t: not any(c in t for c in "${}")))
def test_text_without_specials_is_unchanged(text: str) -> None:
    assert expand(text, NS, LOCALS) == text
