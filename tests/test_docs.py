"""Every example in README.md and docs/**/*.md runs, and the Sphinx docs build with -W.

How examples are marked (fenced code blocks in the Markdown):

``` ```python ```
    Plain Python that runs as-is with anymagic importable.  Each block runs in a fresh
    ``python`` subprocess (its own namespace and session), with the test's private
    ``ANYMAGIC_DIR`` and ``TMPDIR``.
``` ```anymagic ```
    One cell typed at an anymagic prompt.  All ``anymagic`` blocks of a page run in order
    in one session, ``BaseHost(data_dir=tmp_path).attach().run_cell(cell, store_history=True)``,
    so a page reads like one terminal session (``Out[n]`` numbers count that page's cells).
``` ```text ``` directly after either of them (only blank lines between)
    The expected output: stdout, then stderr.  Trailing spaces and surrounding blank lines
    are ignored; a line that is exactly ``...`` matches any number of lines, and a line
    ending in ``...`` matches any line that starts with the text before it.  Without it the
    block only has to succeed.  A block whose expected output shows an error line
    (``UsageError: ...``, ``NameError: ...``) is expected to fail with that output.
Anything else (``py``, ``sh``, ``toml``, ``console``, ...)
    is shown, not run: fragments, shell commands, file contents.
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted([ROOT / "README.md", *DOCS.rglob("*.md")])
PAGES = [page for page in PAGES if "_build" not in page.parts]

FENCE = re.compile(
    r"^(?P<fence>`{3,})(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.M | re.S
)
ERROR_LINE = re.compile(r"^(?:[A-Z]\w*(?:Error|Exception)|Traceback)\b", re.M)

RUN_CMD = "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/anymagic"
TEST_CMD = (
    "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest"
)


@dataclass
class Block:
    lang: str
    body: str
    line: int  # 1-based line of the opening fence
    expected: str | None = None

    def where(self, page: Path) -> str:
        return f"{page.relative_to(ROOT)}:{self.line}"


def blocks(page: Path) -> list[Block]:
    """Fenced blocks of a page, each runnable one with the ``text`` block following it."""
    text = page.read_text("utf-8")
    found: list[Block] = []
    previous_end = None
    for match in FENCE.finditer(text):
        lang = match.group("info").strip().split()[0] if match.group("info").strip() else ""
        block = Block(lang, match.group("body"), text.count("\n", 0, match.start()) + 1)
        between = text[previous_end : match.start()] if previous_end is not None else None
        if (
            lang == "text"
            and found
            and found[-1].lang in ("python", "anymagic")
            and found[-1].expected is None
            and between is not None
            and not between.strip()
        ):
            found[-1].expected = block.body
        else:
            found.append(block)
        previous_end = match.end()
    return found


def normalize(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines()).strip("\n")


def matches(expected: str, actual: str) -> bool:
    """Line by line after :func:`normalize`; a line ``...`` stands for any number of lines."""
    want = normalize(expected).split("\n")
    got = normalize(actual).split("\n")
    # ends[j]: whether want[:i] can match got[:j]
    ends = [True] + [False] * len(got)
    for line in want:
        if line == "...":
            for j in range(1, len(got) + 1):
                ends[j] = ends[j] or ends[j - 1]
        else:
            ends = [False] + [ends[j] and _same(line, got[j]) for j in range(len(got))]
    return ends[-1]


def _same(want: str, got: str) -> bool:
    if want.endswith("...") and len(want) > 3:
        return got.startswith(want[:-3])
    return want == got


def runnable_pages() -> list[Path]:
    return [p for p in PAGES if any(b.lang in ("python", "anymagic") for b in blocks(p))]


@pytest.mark.parametrize("page", runnable_pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_examples_run(page: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    from anymagic import BaseHost

    session = None
    for block in blocks(page):
        if block.lang == "python":
            proc = subprocess.run(
                [sys.executable, "-c", block.body],
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=120,
                env={**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)},
            )
            output = proc.stdout + proc.stderr
            assert proc.returncode == 0, f"{block.where(page)} failed:\n{output}"
        elif block.lang == "anymagic":
            if session is None:
                session = BaseHost(data_dir=tmp_path / "anymagic").attach()
            capfd.readouterr()
            result = session.run_cell(block.body, store_history=True)
            out, err = capfd.readouterr()
            output = out + err
            expect_error = block.expected is not None and ERROR_LINE.search(block.expected)
            if not expect_error:
                assert result.success, f"{block.where(page)} failed:\n{output}"
        else:
            continue
        if block.expected is not None:
            assert matches(block.expected, output), (
                f"{block.where(page)}: output differs\n--- expected\n{block.expected}"
                f"--- actual\n{output}"
            )


def test_matches_helper() -> None:
    assert matches("a\nb", "a  \nb\n")
    assert matches("a\n...\nd", "a\nb\nc\nd")
    assert matches("a\n...\nd", "a\nd")
    assert matches("...\nd", "x\ny\nd")
    assert not matches("a\nd", "a\nb\nd")
    assert matches("Error: bad...", "Error: bad value 3")
    assert not matches("Error: bad...", "Error: good")


def test_readme_has_the_two_setup_commands() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    shell_blocks = [b.body.strip() for b in blocks(ROOT / "README.md") if b.lang == "sh"]
    assert shell_blocks == [RUN_CMD, TEST_CMD]
    assert "## The two set-up commands" in readme


def test_readme_custom_magic_is_ten_lines() -> None:
    first = next(b for b in blocks(ROOT / "README.md") if b.lang == "anymagic")
    assert len(first.body.strip("\n").splitlines()) == 10


def test_host_protocol_example_implements_the_protocol_directly() -> None:
    page = DOCS / "host-protocol.md"
    examples = [b for b in blocks(page) if b.lang == "python" and "class " in b.body]
    example = examples[0]
    assert len(example.body.splitlines()) < 60
    assert "BaseHost" not in example.body
    assert "isinstance(host, Host)" in example.body
    assert '"!echo' in example.body and '"%' in example.body
    assert example.expected is not None
    from anymagic.registry.host import Host

    members = set(Host.__annotations__) | {
        name
        for name, value in vars(Host).items()
        if not name.startswith("_") and (callable(value) or isinstance(value, property))
    }
    assert members == {
        "user_ns", "history", "events", "data_dir", "run_cell", "write", "display", "system",
    }  # fmt: skip
    table = page.read_text("utf-8").split("## The eight members", 1)[1].split("\n## ", 1)[0]
    for name in members:
        assert f"| `{name}" in table, name


API_MODULES = [
    "anymagic",
    "anymagic.registry.magics",
    "anymagic.registry.decorators",
    "anymagic.registry.arguments",
    "anymagic.registry.errors",
    "anymagic.registry.events",
    "anymagic.registry.host",
    "anymagic.registry.session",
    "anymagic.registry.runtime",
    "anymagic.registry.tracebacks",
    "anymagic.registry.compiling",
    "anymagic.registry.history",
    "anymagic.registry.macro",
    "anymagic.registry.pickledb",
    "anymagic.testing.conformance",
    "anymagic.registry.registry",
    "anymagic.registry.discovery",
    "anymagic.registry.extensions",
    "anymagic.registry.syntax",
    "anymagic.registry.expansion",
    "anymagic.registry.completion",
    "anymagic.registry.help",
    "anymagic.registry.config",
    "anymagic.registry.files",
]


def test_api_page_documents_every_public_module() -> None:
    api = (DOCS / "api.md").read_text("utf-8")
    for name in API_MODULES:
        importlib.import_module(name)
        assert f"automodule:: {name}\n" in api, name


def test_docs_build_without_warnings(tmp_path: Path) -> None:
    for module in ("sphinx", "myst_parser"):
        try:
            importlib.import_module(module)
        except ImportError:
            pytest.skip(f"{module} is not installed (pip install -e '.[docs]' to build the docs)")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            "docs",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "index.html").is_file()
    assert (tmp_path / "host-protocol.html").is_file()
    assert (tmp_path / "configuration.html").is_file()


def test_configuration_reference_lists_every_option() -> None:
    sys.path.insert(0, str(DOCS / "_ext"))
    import config_reference

    text = config_reference.render()
    for section in config_reference.sections():
        for name in section.cls.class_traits(config=True):
            assert f"c.{section.cls.__name__}.{name}" in text, name


def test_readme_names_every_builtin_magic() -> None:
    """The README's status paragraph keeps up with the magics anymagic registers."""
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    section = text.split('[project.entry-points."anymagic.magics"]', 1)[1].split("\n[", 1)[0]
    names = re.findall(r"^([\w.]+)\s*=", section, re.M)
    readme = (ROOT / "README.md").read_text("utf-8")
    missing = [name for name in names if f"`%{name}`" not in readme and f"%{name}`" not in readme]
    assert names and not missing, f"README.md does not mention: {missing}"
