"""magic_arguments: every way a call can be wrong is one UsageError with the usage."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anymagic import (
    Magics,
    UsageError,
    argument,
    argument_group,
    line_magic,
    magic_arguments,
    magics_class,
    parse_argstring,
)
from anymagic.registry.arguments import kwds


@magics_class
class Opts(Magics):
    @magic_arguments()
    @argument("-n", "--number", type=int, default=1, help="how many")
    @argument("--mode", choices=["fast", "slow"], default="fast")
    @argument_group("Output")
    @argument("-q", "--quiet", action="store_true")
    @argument("names", nargs="+", help="who")
    @line_magic
    def greet(self, line):
        """Greet people."""
        args = parse_argstring(self.greet, line)
        return args

    @magic_arguments("other_name")
    @kwds(epilog="the end")
    @argument("x")
    @line_magic
    def renamed(self, line):
        return parse_argstring(self.renamed, line)


@pytest.fixture
def greet():
    return Opts().greet


def test_parses_options(greet):
    args = greet("-n 3 --mode slow -q 'Ada Lovelace' Bob")
    assert (args.number, args.mode, args.quiet, args.names) == (
        3,
        "slow",
        True,
        ["Ada Lovelace", "Bob"],
    )


def test_docstring_carries_usage(greet):
    assert greet.__doc__.startswith("Greet people.")
    assert "usage: %greet [-n NUMBER] [--mode {fast,slow}] [-q] names [names ...]" in greet.__doc__
    assert "Output:" in greet.__doc__


def test_name_and_parser_kwargs():
    func = Opts.renamed
    assert func.parser.prog == "%other_name"
    assert "the end" in func.parser.format_help()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("", "the following arguments are required: names"),
        ("-n x a", "argument -n/--number: invalid int value: 'x'"),
        ("--mode medium a", "argument --mode: invalid choice: 'medium'"),
        ("--bogus a", "unrecognized arguments: --bogus"),
        ("-n", "argument -n/--number: expected one argument"),
        ("'unclosed a", "no closing quotation"),
        ("-h", "the following arguments are required: names"),
    ],
)
def test_every_wrong_call_is_one_usage_error(greet, line, message):
    with pytest.raises(UsageError) as info:
        greet(line)
    text = str(info.value)
    assert message in text.splitlines()[0]
    assert text.splitlines()[1].startswith("usage: %greet")
    assert len(text.splitlines()) == 2


def test_through_a_session_no_traceback(shell):
    shell.session.register_magics(Opts)
    out, err, result = shell.run("%greet --number=x a")
    assert err == (
        "UsageError: %greet: argument -n/--number: invalid int value: 'x'\n"
        "usage: %greet [-n NUMBER] [--mode {fast,slow}] [-q] names [names ...]\n"
    )


def test_function_without_arguments_decorator():
    with pytest.raises(TypeError, match="no @magic_arguments"):
        parse_argstring(lambda line: line, "x")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("-nq 'ab\"\\=x3--mode=fast\t")), max_size=30))
def test_fuzzed_lines_give_a_namespace_or_a_usage_error(line):
    greet = Opts().greet
    try:
        args = greet(line)
    except UsageError as exc:
        assert str(exc).strip()
    else:
        assert args.names and isinstance(args.number, int)
