"""ptpython with anymagic: in-process through a pipe, and the real command under a pty."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("ptpython")

from prompt_toolkit.document import Document  # noqa: E402
from prompt_toolkit.input import create_pipe_input  # noqa: E402
from prompt_toolkit.output.plain_text import PlainTextOutput  # noqa: E402
from prompt_toolkit.validation import ValidationError  # noqa: E402

ANSI = r"(?:\x1b\[[\d;?]*[A-Za-z])*"
PROMPT = rf">{ANSI}>{ANSI}>"  # ptpython draws ">>>" then moves the cursor past the space


class Repl:
    """An AnymagicRepl reading from a pipe and printing results into a string buffer."""

    def __init__(self, repl: Any, pipe: Any, shown: io.StringIO) -> None:
        self.repl, self.pipe, self.shown = repl, pipe, shown
        self.ns = repl.session.user_ns

    def run(self, *keys: str) -> str:
        """Type ``keys`` (then ``exit``), run the REPL until it leaves; return what it printed."""
        for key in keys:
            self.pipe.send_text(key)
        self.pipe.send_text("exit\r")
        self.repl.run()
        return self.shown.getvalue()


@pytest.fixture
def repl(tmp_path: Path) -> Iterator[Repl]:
    from anymagic.hosts.ptpython import AnymagicRepl

    shown = io.StringIO()
    with create_pipe_input() as pipe:
        namespace: dict[str, Any] = {"__name__": "__main__"}
        instance = AnymagicRepl(
            get_globals=lambda: namespace,
            input=pipe,
            output=PlainTextOutput(shown),
            data_dir=tmp_path / "anymagic",
        )
        yield Repl(instance, pipe, shown)


def test_line_magic_and_assignment(repl: Repl, capfd: pytest.CaptureFixture[str]) -> None:
    repl.run("%automagic\r", "x = !echo piped\r", "x\r")
    out, err = capfd.readouterr()
    assert "Automagic is OFF." in out
    assert repl.ns["x"] == ["piped"]
    assert "['piped']" in repl.shown.getvalue()  # the value, shown by ptpython's printer
    assert repl.repl.session.history[1:] == ["%automagic", "x = !echo piped", "x"]


def test_cell_magic_submits_on_a_blank_line(repl: Repl, capfd: pytest.CaptureFixture[str]) -> None:
    repl.run("%%timeit -n1 -r1\r", "y = 1\r", "z = 2\r", "\r", "after = 3\r")
    assert "per loop" in capfd.readouterr().out
    assert repl.repl.session.history[1] == "%%timeit -n1 -r1\ny = 1\nz = 2"
    assert repl.ns["after"] == 3


def test_cell_magic_meta_enter_submits(repl: Repl, capfd: pytest.CaptureFixture[str]) -> None:
    repl.run("%%timeit -n1 -r1\r", "y = 1", "\x1b\r")
    assert "per loop" in capfd.readouterr().out
    assert repl.repl.session.history[1] == "%%timeit -n1 -r1\ny = 1"


def test_python_blocks_errors_and_exit(repl: Repl, capfd: pytest.CaptureFixture[str]) -> None:
    repl.run("for i in range(3):\r", "total = i\r", "\r", "1/0\r", "ok = 1\r")
    out, err = capfd.readouterr()
    assert repl.ns["total"] == 2 and repl.ns["ok"] == 1
    assert "ZeroDivisionError" in err and "registry/session.py" not in err
    assert len(repl.repl.session.history) == 4  # exit is not a cell


def test_exit_call_inside_a_function_leaves(repl: Repl) -> None:
    repl.run("def leave():\r", "exit()\r", "\r", "leave()\r", "never = 1\r")
    assert "never" not in repl.ns


def test_statement_numbers_follow_the_session(repl: Repl) -> None:
    repl.repl.prompt_style = "ipython"
    repl.run("a = 1\r", "%automagic\r", "a\r")
    assert repl.repl.current_statement_index == repl.repl.session.execution_count == 4
    assert "Out[3]" in repl.shown.getvalue()


def test_validator_accepts_magics_and_rejects_bad_python(repl: Repl) -> None:
    validator = repl.repl._validator
    for text in ("%lsmagic", "%%timeit\nx = (", "!ls", "x = !ls", "len?", "a = %time 1"):
        validator.validate(Document(text))
    with pytest.raises(ValidationError):
        validator.validate(Document("def f(:\n    pass"))


def completions(repl: Repl, text: str) -> list[str]:
    from prompt_toolkit.completion import CompleteEvent

    document = Document(text, len(text))
    found = repl.repl.completer.get_completions(document, CompleteEvent(completion_requested=True))
    return [text[: len(text) + c.start_position] + c.text for c in found]


def test_completion_merges_magics_and_jedi(repl: Repl, tmp_path: Path) -> None:
    assert "%lsmagic" in completions(repl, "%lsm")
    assert "%%timeit" in completions(repl, "%%tim")
    assert "%lsmagic -v" in completions(repl, "%lsmagic -")
    (tmp_path / "data.csv").write_text("")
    assert f"!cat {tmp_path}/data.csv" in completions(repl, f"!cat {tmp_path}/da")
    repl.ns["my_variable"] = 1
    python = completions(repl, "my_var")
    assert "my_variable" in python  # Jedi, through ptpython's own completer
    assert "%lsmagic" in completions(repl, "lsm")  # automagic names at the start of a line


def test_configure_an_existing_repl(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    from ptpython.repl import PythonRepl

    from anymagic.hosts.ptpython import configure

    namespace: dict[str, Any] = {"__name__": "__main__"}
    with create_pipe_input() as pipe:
        repl = PythonRepl(
            get_globals=lambda: namespace, input=pipe, output=PlainTextOutput(io.StringIO())
        )
        session = configure(repl, data_dir=tmp_path)
        assert configure(repl) is session  # a second call changes nothing
        pipe.send_text("%automagic\r")
        pipe.send_text("exit\r")
        repl.run()
    assert "Automagic is OFF." in capfd.readouterr().out
    assert namespace["__anymagic__"] is session.runtime
    # extensions written for IPython load here too (the compatibility shim is installed)
    assert session.run_cell("%load_ext autoreload").success
    assert "IPython.extensions.autoreload" in session.extensions.loaded


# -- the real command under a pseudo-terminal ----------------------------------------------
@pytest.fixture
def child(tmp_path: Path) -> Iterator[Any]:
    pexpect = pytest.importorskip("pexpect")
    env = dict(
        os.environ,
        TERM="xterm-256color",
        PROMPT_TOOLKIT_NO_CPR="1",
        HOME=str(tmp_path),
        PTPYTHON_CONFIG_HOME=str(tmp_path / "ptpython"),
    )
    proc = pexpect.spawn(
        sys.executable,
        ["-m", "anymagic.hosts.ptpython", "--no-config"],
        env=env,
        cwd=str(tmp_path),
        encoding="utf-8",
        timeout=20,
        dimensions=(40, 120),
    )
    proc.expect(PROMPT)
    try:
        yield proc
    finally:
        with contextlib.suppress(Exception):
            proc.close(force=True)


def test_pty_session(child: Any, tmp_path: Path) -> None:
    import pexpect

    child.send("%automagic\r")
    child.expect("Automagic is OFF")
    child.expect(PROMPT)
    child.send("%%timeit -n1 -r1\r")
    child.send("total = sum(range(5))\r")
    child.send("\r")
    child.expect("per loop")
    child.expect(PROMPT)
    child.send("!echo pty-$((40+2))\r")
    child.expect("pty-42")
    child.expect(PROMPT)
    child.send("%lsm")
    time.sleep(0.3)  # let the typed text land before Tab (completion runs in a thread)
    child.send("\t")
    child.expect("lsmagic")
    time.sleep(0.5)
    child.send("\r")
    child.expect("Available line magics")
    child.expect(PROMPT)
    child.send("for i in range(2):\r")
    child.send("print('loop', i)\r")
    child.send("\r")
    child.expect("loop 1")
    child.expect(PROMPT)
    child.send("exit()\r")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert (Path(os.environ["ANYMAGIC_DIR"]) / "ptpython_history").is_file()
    assert not (tmp_path / ".local").exists()  # nothing of ptpython's lands in the home


def test_pty_sys_exit_status(child: Any) -> None:
    import pexpect

    child.send("import sys; sys.exit(3)\r")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 3


def test_without_ptpython_a_one_line_message(monkeypatch, capsys) -> None:
    import importlib.util

    from anymagic.hosts.cli import ptpython_main

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "ptpython" else real(name)
    )
    assert ptpython_main() == 2
    assert capsys.readouterr().err == (
        "anymagic-ptpython: needs ptpython: pip install 'anymagic[ptpython]'\n"
    )
