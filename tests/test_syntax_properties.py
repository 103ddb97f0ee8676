"""Property tests for anymagic.registry.syntax (hypothesis)."""

from __future__ import annotations

import keyword

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anymagic.registry.syntax import RUNTIME_NAME, InputSyntax

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text rich in the characters the translator cares about.
ALPHABET = st.sampled_from(list("%!?=*.,;:()[]{}'\"#\\@ \t\n\r\fabxyz_019é") + ["'''", '"""'])
NASTY = st.lists(ALPHABET, max_size=80).map("".join) | st.text(max_size=80)


@SETTINGS
@given(source=NASTY, automagic=st.booleans())
def test_never_raises_and_keeps_line_count(source: str, automagic: bool) -> None:
    syntax = InputSyntax(is_magic=lambda name: True, automagic=automagic)
    out = syntax.translate(source)
    assert out.count("\n") == source.count("\n")
    syntax.transform(source)
    status, indent = syntax.check_complete(source)
    assert status in {"complete", "incomplete", "invalid"}
    assert (indent is None) == (status != "incomplete")


# ------------------------------------------------------------------ valid Python

NAMES = st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True).filter(
    lambda n: not keyword.iskeyword(n) and not keyword.issoftkeyword(n)
)
MAGICISH = st.sampled_from(
    ["%time x", "!ls -l", "x?", "%%cell", "a*?", "cd ..", "$HOME", "{x}", "\\n", "#", "'", '"']
)


@st.composite
def string_literal(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(["", "r", "b", "f", "u", "R", "B", "F", "rb", "Rb", "bR"]))
    content = draw(MAGICISH)
    if "f" in prefix.lower():
        content = content.replace("{", "{{").replace("}", "}}")
    if "b" in prefix.lower():
        content = content.replace("é", "e")
    quote = draw(st.sampled_from(["'", '"', "'''", '"""']))
    if len(quote) == 3:
        content = draw(MAGICISH) + "\n" + draw(MAGICISH)
        if "f" in prefix.lower():
            content = content.replace("{", "{{").replace("}", "}}")
    literal = prefix + quote + content.replace("\\", "\\\\").replace(quote[0], "\\" + quote[0])
    return literal + quote


@st.composite
def simple_statement(draw: st.DrawFn) -> str:
    name = draw(NAMES)
    kind = draw(st.integers(0, 7))
    if kind == 0:
        return f"{name} = {draw(string_literal())}"
    if kind == 1:
        return f"{name} = (1\n%s\n)" % draw(st.sampled_from(["+ 2", "% 3 == 2", "   -x"]))
    if kind == 2:
        return f"{name} = [\n    {draw(string_literal())},  # %comment ?\n]"
    if kind == 3:
        return f"{name} = 1 + \\\n    2"
    if kind == 4:
        return f"# {draw(MAGICISH)}"
    if kind == 5:
        return f"{name}({draw(string_literal())} % (1,), k={{'a': [1, 2]}})"
    if kind == 6:
        return f"{name} != 3 and {name} <= 4 or {name} % 2"
    return f"{name}: int = 3"


@st.composite
def python_block(draw: st.DrawFn, depth: int = 0) -> str:
    statements = draw(st.lists(simple_statement(), min_size=1, max_size=4))
    if depth < 2 and draw(st.booleans()):
        body = draw(python_block(depth + 1)) + "\npass"
        body = "\n".join("    " + line if line else line for line in body.split("\n"))
        header = draw(
            st.sampled_from(
                ["def f(a, b=1):", "@decorator\ndef g():", "if x:", "for i in y:", "class C:"]
            )
        )
        statements.append(f"{header}\n{body}")
    return "\n".join(statements)


@SETTINGS
@given(source=python_block())
def test_valid_python_is_unchanged(source: str) -> None:
    compile(source, "<t>", "exec")  # the generator only makes valid Python
    assert InputSyntax().translate(source) == source
    # Automagic on but no name is a magic: still unchanged.
    assert InputSyntax(automagic=True).translate(source) == source


# ------------------------------------------------------------------ lines with magics

MAGIC_LINE = st.one_of(
    st.builds(lambda n, a: f"%{n} {a}", NAMES, st.text(max_size=20)),
    st.builds(lambda a: f"!{a}", st.text(max_size=20)),
    st.builds(lambda a: f"!!{a}", st.text(max_size=20)),
    st.builds(lambda t, n, a: f"{t} = %{n} {a}", NAMES, NAMES, st.text(max_size=20)),
    st.builds(lambda t, a: f"{t} = !{a}", NAMES, st.text(max_size=20)),
    st.builds(lambda n, q: f"{n}{q}", NAMES, st.sampled_from(["?", "??"])),
    st.builds(lambda n: f"%{n}?", NAMES),
    st.builds(lambda n: f"{n}*?", NAMES),
).filter(lambda line: not any(c in line for c in "\n\r\f") and not line.endswith("\\"))


@SETTINGS
@given(
    parts=st.lists(
        st.one_of(
            MAGIC_LINE.map(lambda line: (True, line)),
            simple_statement().map(lambda stmt: (False, stmt)),
        ),
        min_size=1,
        max_size=8,
    ),
    indent=st.booleans(),
)
def test_lines_with_magics_compile(parts: list[tuple[bool, str]], indent: bool) -> None:
    body = "\n".join(text for _, text in parts) + "\npass"  # a block of only comments is invalid
    source = "if x:\n" + "\n".join("    " + line for line in body.split("\n")) if indent else body
    out = InputSyntax().translate(source)
    assert out.count("\n") == source.count("\n")
    compile(out, "<t>", "exec")
    assert out.count(RUNTIME_NAME) == sum(is_magic for is_magic, _ in parts)


@SETTINGS
@given(name=NAMES, args=st.text(max_size=30).filter(lambda a: "\n" not in a and "\r" not in a))
def test_magic_args_round_trip(name: str, args: str) -> None:
    out = InputSyntax().translate(f"%{name} {args}")
    calls: list[tuple[str, str]] = []

    class Runtime:
        def line(self, magic: str, arguments: str) -> None:
            calls.append((magic, arguments))

    exec(compile(out, "<t>", "exec"), {RUNTIME_NAME: Runtime()})
    stripped = args.strip()
    if args.endswith("\\"):
        stripped = args[:-1].strip()
    assert calls == [(name, stripped)]
