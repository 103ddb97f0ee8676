"""Tests for anymagic.registry.syntax: the input-syntax translator."""

from __future__ import annotations

import pytest

from anymagic.registry.syntax import RUNTIME_NAME, InputSyntax, Statement

R = RUNTIME_NAME
MAGICS = {"cd", "ls", "time", "who", "pwd", "timeit"}


def make(automagic: bool = False, shadowed: frozenset[str] = frozenset({"ls"})) -> InputSyntax:
    return InputSyntax(
        is_magic=MAGICS.__contains__, is_shadowed=shadowed.__contains__, automagic=automagic
    )


def test_runtime_name() -> None:
    assert RUNTIME_NAME == "__anymagic__"


TRANSLATE = [
    # ---- line magics
    ("%time x", f"{R}.line('time', 'x')"),
    ("%time   x + 1  ", f"{R}.line('time', 'x + 1')"),
    ("%cd", f"{R}.line('cd', '')"),
    ("%load_ext my.ext", f"{R}.line('load_ext', 'my.ext')"),
    ("%my.dotted.magic a", f"{R}.line('my.dotted.magic', 'a')"),
    ("%", f"{R}.line('', '')"),
    ("% abc", f"{R}.line('', 'abc')"),
    ("%1x", f"{R}.line('', '1x')"),
    ("%echo 'it's \"raw\"", f"{R}.line('echo', " + repr("'it's \"raw\"") + ")"),
    ("%time x # comment", f"{R}.line('time', 'x # comment')"),
    ("if x:\n    %time y\n", f"if x:\n    {R}.line('time', 'y')\n"),
    ("if x:\n\t%time y", f"if x:\n\t{R}.line('time', 'y')"),
    ("def f():\n    x = 1\n    %who\n", f"def f():\n    x = 1\n    {R}.line('who', '')\n"),
    # ---- assignments
    ("x = %who", f"x = {R}.line('who', '')"),
    ("x=%who ls", f"x = {R}.line('who', 'ls')"),
    ("a, b = %foo", f"a, b = {R}.line('foo', '')"),
    ("obj.attr = %foo", f"obj.attr = {R}.line('foo', '')"),
    ("d['k'] = %foo bar", f"d['k'] = {R}.line('foo', 'bar')"),
    ("d[']=%'] = 1", "d[']=%'] = 1"),
    ("x = !ls -l", f"x = {R}.getoutput('ls -l')"),
    ("x = !!ls", f"x = {R}.getoutput('ls')"),
    ("  files = !ls", f"  files = {R}.getoutput('ls')"),
    ("x == %a", "x == %a"),
    ("x != !a", "x != !a"),
    ("x <= %a", "x <= %a"),
    ("x %= 3", "x %= 3"),
    ("f('a=%s' % x)", "f('a=%s' % x)"),
    ("x = '%d' % 3", "x = '%d' % 3"),
    # ---- cell magics
    ("%%timeit\nx = 1\ny = 2", f"{R}.cell('timeit', '', 'x = 1\\ny = 2')\n\n"),
    ("%%timeit -n1 \nx\n", f"{R}.cell('timeit', '-n1', 'x\\n')\n\n"),
    ("%%bash", f"{R}.cell('bash', '', '')"),
    ("\n\n%%bash\necho", f"\n\n{R}.cell('bash', '', 'echo')\n"),
    ("x = 1\n%%timeit a\ny", f"x = 1\n{R}.line('%timeit', 'a')\ny"),
    ("x = %%foo", f"x = {R}.line('%foo', '')"),
    # ---- shell
    ("!ls -l", f"{R}.system('ls -l')"),
    ("! ls", f"{R}.system('ls')"),
    ("!!ls", f"{R}.getoutput('ls')"),
    ("for f in x:\n    !echo $f", f"for f in x:\n    {R}.system('echo $f')"),
    ("!echo 'unterminated\nx = 1", f'{R}.system("echo \'unterminated")\nx = 1'),
    # ---- help
    ("x?", f"{R}.help('x', 0)"),
    ("x??", f"{R}.help('x', 1)"),
    ("?x", f"{R}.help('x', 0)"),
    ("??x", f"{R}.help('x', 1)"),
    ("os.path.join?", f"{R}.help('os.path.join', 0)"),
    ("  os.path??  ", f"  {R}.help('os.path', 1)"),
    ("%timeit?", f"{R}.help('%timeit', 0)"),
    ("%timeit??", f"{R}.help('%timeit', 1)"),
    ("%%timeit?", f"{R}.help('%%timeit', 0)"),
    ("x = 1\n%%timeit?", f"x = 1\n{R}.help('%%timeit', 0)"),
    ("?%cd", f"{R}.help('%cd', 0)"),
    # ---- psearch
    ("a*?", f"{R}.line('psearch', 'a*')"),
    ("os.*path*?", f"{R}.line('psearch', 'os.*path*')"),
    ("*?", f"{R}.line('psearch', '*')"),
    # ---- strings, comments, brackets, continuation: never syntax
    ('s = """\n%foo\n!ls\nx?\n"""', 's = """\n%foo\n!ls\nx?\n"""'),
    ("s = '''a\n%foo'''\n%bar", f"s = '''a\n%foo'''\n{R}.line('bar', '')"),
    ("s = rb'''\\'''\n%foo\n'''", "s = rb'''\\'''\n%foo\n'''"),
    ('s = F"""{x}\n%foo"""', 's = F"""{x}\n%foo"""'),
    ("s = 'a\\\n%foo'", "s = 'a\\\n%foo'"),
    ("s = 'it\\'s' # %no\n%yes", f"s = 'it\\'s' # %no\n{R}.line('yes', '')"),
    ("# %comment\n%yes", f"# %comment\n{R}.line('yes', '')"),
    ("f(\n%foo)", "f(\n%foo)"),
    ("f([\n  1,\n  {\n%foo\n}])\n%bar", f"f([\n  1,\n  {{\n%foo\n}}])\n{R}.line('bar', '')"),
    ("x = 1 + \\\n%foo", "x = 1 + \\\n%foo"),
    ("@decorator\ndef f():\n    pass", "@decorator\ndef f():\n    pass"),
    ("@dec(\n%x)\ndef f(): pass", "@dec(\n%x)\ndef f(): pass"),
    ("x = (1 # (\n)\n%foo", f"x = (1 # (\n)\n{R}.line('foo', '')"),
    ("print('%s' % 1)", "print('%s' % 1)"),
    ("x = a if b else c ? d", "x = a if b else c ? d"),
    # ---- magic line continuation
    ("%foo a \\\n  b\ny", f"{R}.line('foo', 'a b')\n\ny"),
    ("!ls \\\n -l \\\n -a\nz", f"{R}.system('ls -l -a')\n\n\nz"),
    ("x = !ls \\\n-l", f"x = {R}.getoutput('ls -l')\n"),
    ("%foo \\", f"{R}.line('foo', '')"),
    # ---- line endings, odd whitespace, non-ASCII
    ("print(1)\r\n!ls\r\n", f"print(1)\r\n{R}.system('ls')\r\n"),
    ("!ls a\\\r\nb\r\n", f"{R}.system('ls a b')\r\n\r\n"),
    ("\f%foo", f"\f{R}.line('foo', '')"),
    ("%echo ünïcødé", f"{R}.line('echo', 'ünïcødé')"),
    ("café?", f"{R}.help('café', 0)"),
    ("", ""),
    ("\n\n", "\n\n"),
    # ---- automagic is off by default
    ("cd ..", "cd .."),
]


@pytest.mark.parametrize(("source", "expected"), TRANSLATE)
def test_translate(source: str, expected: str) -> None:
    out = make().translate(source)
    assert out == expected
    assert out.count("\n") == source.count("\n")


AUTOMAGIC = [
    ("cd ..", f"{R}.line('cd', '..')"),
    ("cd", f"{R}.line('cd', '')"),
    ("  pwd", f"  {R}.line('pwd', '')"),
    ("if x:\n    cd /tmp", f"if x:\n    {R}.line('cd', '/tmp')"),
    ("cd -b proj", f"{R}.line('cd', '-b proj')"),
    ("time x + 1", f"{R}.line('time', 'x + 1')"),
    # Python, not commands
    ("cd = 1", "cd = 1"),
    ("cd=1", "cd=1"),
    ("cd == 1", "cd == 1"),
    ("cd += 1", "cd += 1"),
    ("cd -= 1", "cd -= 1"),
    ("cd //= 1", "cd //= 1"),
    ("cd **= 1", "cd **= 1"),
    ("cd >>= 1", "cd >>= 1"),
    ("cd <<= 1", "cd <<= 1"),
    ("cd @= 1", "cd @= 1"),
    ("cd |= 1", "cd |= 1"),
    ("cd ^= 1", "cd ^= 1"),
    ("cd &= 1", "cd &= 1"),
    ("cd %= 1", "cd %= 1"),
    ("(cd := 1)", "(cd := 1)"),
    ("cd := 1", "cd := 1"),
    ("cd(1)", "cd(1)"),
    ("cd[0]", "cd[0]"),
    ("cd, x = 1, 2", "cd, x = 1, 2"),
    ("cd; x", "cd; x"),
    ("cd.x", "cd.x"),
    ("cd: int = 3", "cd: int = 3"),
    ("ls -l", "ls -l"),  # shadowed by a variable
    ("notamagic x", "notamagic x"),
    ("s = '''\ncd ..\n'''", "s = '''\ncd ..\n'''"),
    ("f(\ncd)", "f(\ncd)"),
    ("x = 1 + \\\ncd", "x = 1 + \\\ncd"),
    ("cd ..\\\n/tmp", f"{R}.line('cd', '.. /tmp')\n"),
]


@pytest.mark.parametrize(("source", "expected"), AUTOMAGIC)
def test_automagic(source: str, expected: str) -> None:
    assert make(automagic=True).translate(source) == expected


def test_automagic_keywords_are_never_magics() -> None:
    syntax = InputSyntax(is_magic=lambda name: True, automagic=True)
    for line in ["pass", "return x", "import os", "match x:", "del x", "global x", "_ x"]:
        assert syntax.translate(line) == line


def test_automagic_toggle_at_run_time() -> None:
    syntax = make()
    assert syntax.translate("cd ..") == "cd .."
    syntax.automagic = True
    assert syntax.translate("cd ..") == f"{R}.line('cd', '..')"
    syntax.automagic = False
    assert syntax.translate("cd ..") == "cd .."


def test_automagic_shadowing_is_asked_at_translate_time() -> None:
    bound: set[str] = set()
    syntax = InputSyntax(
        is_magic=MAGICS.__contains__, is_shadowed=bound.__contains__, automagic=True
    )
    assert syntax.translate("pwd") == f"{R}.line('pwd', '')"
    bound.add("pwd")
    assert syntax.translate("pwd") == "pwd"


CLEANUP = [
    (">>> x = 1\n>>> x\n1\n", "x = 1\nx"),
    (">>> if x:\n...     y\n...\n>>> z\nout\n", "if x:\n    y\n\nz"),
    (">>>\n>>> x", "x"),
    ("\n\n>>> x = 1", "x = 1"),
    ("In [1]: x = 1\n", "x = 1"),
    (
        "In [1]: def f():\n   ...:     return 1\n   ...:\n\nIn [2]: f()\nOut[2]: 1\n",
        "def f():\n    return 1\n\nf()",
    ),
    ("In [12]: %time x\n      ...: y", "%time x\ny"),
    ("\n  \n\nx = 1\n\ny", "x = 1\n\ny"),
    ("x = 1\n>>> y", "x = 1\n>>> y"),
    ("", ""),
    ("   \n \n", ""),
    (">>> x = 1\r\n>>> y\r\n", "x = 1\r\ny\r"),
]


@pytest.mark.parametrize(("source", "expected"), CLEANUP)
def test_cleanup(source: str, expected: str) -> None:
    assert make().cleanup(source) == expected


def test_transform_strips_prompts_then_translates() -> None:
    out = make().transform(">>> %time x\n1\n>>> !ls\n")
    assert out == f"{R}.line('time', 'x')\n{R}.system('ls')"
    out = make().transform("\n\n%%timeit\nx\n")
    assert out == f"{R}.cell('timeit', '', 'x\\n')\n\n"


CHECK = [
    ("", ("complete", None)),
    ("x = 1", ("complete", None)),
    ("%time x", ("complete", None)),
    ("!ls", ("complete", None)),
    ("x?", ("complete", None)),
    ("if x:", ("incomplete", 4)),
    ("if x:  # comment", ("incomplete", 4)),
    ("for a in b:\n    if c:", ("incomplete", 8)),
    ("if x:\n    y = 1", ("incomplete", 4)),
    ("if x:\n    y = 1\n", ("complete", None)),
    ("def f():\n  return 1\n", ("complete", None)),
    ("(1,", ("incomplete", 0)),
    ("x = [\n    1,", ("incomplete", 4)),
    ("'''abc", ("incomplete", 0)),
    ("x = 1 + \\", ("incomplete", 0)),
    ("%foo a \\", ("incomplete", 0)),
    ("%%timeit", ("incomplete", 0)),
    ("%%timeit\nx", ("incomplete", 0)),
    ("%%timeit\n  x", ("incomplete", 2)),
    ("%%timeit\nx\n", ("complete", None)),
    (")", ("invalid", None)),
    ("x = = 1", ("invalid", None)),
    ("return 1", ("invalid", None)),
    ("a b c", ("invalid", None)),
    ("await x", ("complete", None)),
    (">>> if x:", ("incomplete", 4)),
    ("x = 'abc", ("invalid", None)),
]


@pytest.mark.parametrize(("source", "expected"), CHECK)
def test_check_complete(source: str, expected: tuple[str, int | None]) -> None:
    assert make().check_complete(source) == expected


# ------------------------------------------------------------------ line/cell transforms


def test_line_transforms_priority_and_removal() -> None:
    calls: list[str] = []

    def upper(stmt: Statement) -> str | None:
        calls.append("upper")
        return stmt.text.upper() if stmt.text.startswith("say ") else None

    def quiet(stmt: Statement) -> str | None:
        calls.append("quiet")
        return "pass" if stmt.text.startswith("say ") else None

    syntax = make()
    syntax.add_line_transform(upper, priority=600)
    syntax.add_line_transform(quiet, priority=100)
    assert syntax.translate("say hi") == "pass"
    assert calls == ["quiet"]
    calls.clear()
    assert syntax.translate("x = 1") == "x = 1"
    assert calls == ["quiet", "upper"]
    syntax.remove_line_transform(quiet)
    assert syntax.translate("  say hi") == "  SAY HI"
    syntax.remove_line_transform(upper)
    assert syntax.translate("say hi") == "say hi"
    with pytest.raises(ValueError):
        syntax.remove_line_transform(upper)


def test_line_transforms_run_before_builtin_rules_and_see_statements() -> None:
    seen: list[Statement] = []

    def spy(stmt: Statement) -> str | None:
        seen.append(stmt)
        return "'mine'" if stmt.text.startswith("%mine") else None

    syntax = make()
    syntax.add_line_transform(spy)
    source = "# c\n\nx = (1,\n 2)\nif x:\n    %mine a \\\n b\n    %time y\ns = '''\n%no\n'''"
    out = syntax.translate(source)
    assert out.split("\n") == [
        "# c",
        "",
        "x = (1,",
        " 2)",
        "if x:",
        "    'mine'",
        "",
        f"    {R}.line('time', 'y')",
        "s = '''",
        "%no",
        "'''",
    ]
    assert seen == [
        Statement("", "x = (1,", 3, True),
        Statement("", "if x:", 5, False),
        Statement("    ", "%mine a b", 6, False),
        Statement("    ", "%time y", 8, False),
        Statement("", "s = '''", 9, False),
    ]


def test_equal_priority_keeps_insertion_order() -> None:
    syntax = make()
    syntax.add_line_transform(lambda s: "1")
    syntax.add_line_transform(lambda s: "2")
    assert syntax.translate("x") == "1"


def test_cell_transforms_run_in_priority_order_after_prompt_stripping() -> None:
    syntax = make()

    def late(src: str) -> str:
        return src + "\n# late"

    def early(src: str) -> str:
        assert not src.startswith(">>>")
        return src.replace("x", "y")

    syntax.add_cell_transform(late, priority=900)
    syntax.add_cell_transform(early, priority=10)
    assert syntax.cleanup(">>> x = 1") == "y = 1\n# late"
    syntax.remove_cell_transform(early)
    assert syntax.cleanup("x") == "x\n# late"
    with pytest.raises(ValueError):
        syntax.remove_cell_transform(early)


# ------------------------------------------------------------------ robustness and scale


@pytest.mark.parametrize(
    "source",
    [
        "'unterminated",
        '"""unterminated\n%foo',
        "(((\n%foo",
        ")))\n%foo",
        "\\",
        "x = \\",
        "\t\t%foo\n\t!ls",
        "\x00%foo",
        "%foo\x00",
        "a\rb\r\n%c",
        "?",
        "??",
        "=%",
        "= !",
        "%%",
        "%%%",
        "!!!",
        "x =",
        "x = %",
        "@",
    ],
)
def test_odd_input_never_raises(source: str) -> None:
    for automagic in (False, True):
        syntax = InputSyntax(is_magic=lambda n: True, automagic=automagic)
        out = syntax.translate(source)
        assert out.count("\n") == source.count("\n")
        syntax.transform(source)
        assert syntax.check_complete(source)[0] in {"complete", "incomplete", "invalid"}


def test_valid_python_with_automagic_off_is_unchanged() -> None:
    source = (
        "import os\n"
        "@property\n"
        "def f(a, b=2, *c, **d):\n"
        '    """Doc with %magic and !shell and x?"""\n'
        "    s = f'{a!r:>10} %d' % (b,)\n"
        "    t = [\n"
        "        1,\n"
        "        # %comment\n"
        "    ]\n"
        "    u = a != b and a <= b\n"
        "    return s % t\n"
        "class C:\n"
        "    x: int = 3\n"
    )
    assert InputSyntax(is_magic=lambda n: True).translate(source) == source


BLOCK = [  # 10 lines, 4 magics, plus magic-looking text in strings and brackets
    "%time x = {i}",
    "def f{i}(a):",
    "    !echo {i}",
    "    s = '''%not {i}",
    "%still not'''",
    "    return a",
    "y = %who",
    "z = [7",
    "     %3]",
    "%cd /tmp",
]


def big_cell(n_blocks: int) -> str:
    return "\n".join(line.format(i=i) for i in range(n_blocks) for line in BLOCK)


def test_large_cell_is_translated_correctly() -> None:
    source = big_cell(1_000)
    out = make().transform(source)
    assert out.count("\n") == source.count("\n") == 9_999
    assert out.count(f"{R}.line(") == 3_000
    assert out.count(f"{R}.system(") == 1_000
    assert out.count("%not ") == 1_000 and out.count("\n     %3]") == 1_000
    compile(out, "<big>", "exec")


# -- found in review: IPython behaviours ------------------------------------------------------
@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("  x = 1\n  print(x)", "x = 1\nprint(x)"),  # pasted indented code (leading_indent)
        ("  if x:\n      y\n  z", "if x:\n    y\nz"),
        ("x[0]?", "__anymagic__.help('x[0]', 0)"),
        ("x: list = !ls", "x: list = __anymagic__.getoutput('ls')"),
        ("n: int = %pwd", "n: int = __anymagic__.line('pwd', '')"),
        ("?", "__anymagic__.line('magic', '')"),
        ("y: dict[str, int] = {}", "y: dict[str, int] = {}"),
    ],
)
def test_ipython_forms_found_in_review(source: str, expected: str) -> None:
    assert InputSyntax().transform(source) == expected


@pytest.mark.parametrize(
    ("source", "state"),
    [
        ("@functools.lru_cache", ("incomplete", 0)),  # a decorator waits for its def
        ("class A:\n    @property", ("incomplete", 4)),
        ("@dec\ndef f(): pass", ("complete", None)),
        ("  x = 1", ("complete", None)),
    ],
)
def test_check_complete_found_in_review(source: str, state: tuple) -> None:
    assert InputSyntax().check_complete(source) == state
