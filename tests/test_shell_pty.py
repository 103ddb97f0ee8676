"""The real ``anymagic`` command: the interactive shell under a pseudo-terminal (pexpect),
and the non-interactive modes (-c, FILE, standard input, python -m) through subprocesses."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import time

import pytest

pexpect = pytest.importorskip("pexpect")

ANYMAGIC = os.path.join(os.path.dirname(sys.executable), "anymagic")
TIMEOUT = 10
# prompt_toolkit puts colour and cursor escapes between the characters of a prompt.
ANSI = r"(?:\x1b\[[\d;?]*[A-Za-z])*"


def prompt(number: int | None = None) -> str:
    num = r"\d+" if number is None else str(number)
    return rf"In {ANSI}\[{ANSI}{num}{ANSI}\]{ANSI}: "


CONTINUATION = r"\.\.\.: "


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "anymagic-data"


def child_env(data_dir) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        ANYMAGIC_DIR=str(data_dir),
        TERM="xterm-256color",
        PROMPT_TOOLKIT_NO_CPR="1",
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture
def spawn(data_dir):
    children = []

    def start(*args: str):
        child = pexpect.spawn(
            ANYMAGIC,
            list(args),
            env=child_env(data_dir),
            dimensions=(24, 120),
            encoding="utf-8",
            timeout=TIMEOUT,
        )
        children.append(child)
        child.expect(prompt(1))
        return child

    yield start
    for child in children:
        if child.isalive():
            child.terminate(force=True)


def finish(child) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


# -- interactive ---------------------------------------------------------------------------
def test_banner_prompt_and_print(spawn):
    child = spawn()
    assert "anymagic 0.1.0 on Python" in child.before and "Ctrl-D exits" in child.before
    child.send("print('hello ' + 'shell')\r")
    child.expect("hello shell\r\n")
    child.expect(prompt(2))
    child.sendeof()
    assert finish(child) == 0


def test_expression_value_is_shown_as_out(spawn):
    child = spawn()
    child.send("1+1\r")
    child.expect(r"Out\[1\]: 2\r\n")
    child.expect(prompt(2))
    child.send("exit\r")
    assert finish(child) == 0


def test_line_magic(spawn):
    child = spawn()
    child.send("%lsmagic\r")
    child.expect("Available line magics")
    child.expect("%load_ext")
    child.expect(prompt(2))
    child.send("quit()\r")
    assert finish(child) == 0


def test_doctest_mode_prompts_and_back(spawn):
    child = spawn()
    child.send("%doctest_mode\r")
    child.expect("Doctest mode is: ON")
    child.expect(rf"\r\n{ANSI}>>> ")
    child.send("for i in range(2):\r")
    child.expect(rf"{ANSI}\.\.\. ")
    child.send("pass\r\r")
    child.expect(rf"{ANSI}>>> ")
    child.send("6 * 7\r")
    child.expect("42\r\n")
    assert "Out" not in child.before.rsplit("7", 1)[-1]  # no Out[n]: prefix before the value
    child.expect(rf"{ANSI}>>> ")
    child.send("%doctest_mode\r")
    child.expect("Doctest mode is: OFF")
    child.expect(prompt(5))
    child.send("6 * 7\r")
    child.expect(r"Out\[5\]: 42")
    child.expect(prompt(6))
    child.sendeof()
    assert finish(child) == 0


def test_multiline_block_runs_after_a_blank_line(spawn):
    child = spawn()
    child.send("for i in range(3):\r")
    child.expect(CONTINUATION)
    child.send("print(i * 10)\r")  # auto-indented under the for
    child.expect(CONTINUATION)
    assert child.expect([r"\r\n0\r\n", pexpect.TIMEOUT], timeout=0.5) == 1  # not run yet
    child.send("\r")
    child.expect(r"0\r\n10\r\n20\r\n")
    child.expect(prompt(2))


def test_meta_enter_submits_at_once(spawn):
    child = spawn()
    child.send("for i in range(2):\r")
    child.expect(CONTINUATION)
    child.send("print('row', i)\x1b\r")  # Esc Enter: no blank line needed
    child.expect(r"row 0\r\nrow 1\r\n")
    child.expect(prompt(2))


def test_tab_completes_a_magic_name(spawn):
    child = spawn()
    child.send("%lsm\t")
    child.expect("agic")  # what Tab inserted (drawn in pieces, so not "lsmagic" in one run)
    child.send("\r")
    child.expect("Available line magics")
    child.expect(prompt(2))


def test_ctrl_c_at_the_prompt_cancels_the_line(spawn):
    child = spawn()
    child.send("1/0")
    child.expect("0")
    child.sendintr()
    child.expect(prompt(1))
    child.send("2+3\r")
    child.expect(r"Out\[1\]: 5\r\n")  # same number: the cancelled line never ran
    assert "ZeroDivisionError" not in child.before


def test_ctrl_c_interrupts_running_code(spawn):
    child = spawn()
    child.send("while True: pass\r")
    child.expect(rf"pass{ANSI}\r\r\n")  # the prompt has accepted the cell
    time.sleep(0.5)  # let the loop start, with the terminal back in cooked mode
    child.sendintr()
    child.expect("KeyboardInterrupt")
    child.expect(prompt(2))
    child.send("print(41+1)\r")
    child.expect(r"42\r\n")
    child.expect(prompt(3))


def test_ctrl_d_exits_with_status_0(spawn):
    child = spawn()
    child.sendeof()
    assert finish(child) == 0


def test_sys_exit_sets_the_status(spawn):
    child = spawn()
    child.send("import sys; sys.exit(5)\r")
    assert finish(child) == 5


def test_history_survives_a_restart(spawn, data_dir):
    child = spawn()
    child.send("x_marker = 123; print('marker', x_marker * 2)\r")
    child.expect(r"marker 246\r\n")
    child.expect(prompt(2))
    child.send("exit\r")
    assert finish(child) == 0
    db = data_dir / "history.sqlite"
    assert stat.S_IMODE(db.stat().st_mode) == 0o600

    child = spawn()
    child.send("\x1b[A")  # Up: the last input of the previous session
    child.expect("x_marker")
    child.send("\r")
    child.expect(r"marker 246\r\n")
    child.expect(prompt(2))
    child.send("print(x_marker + 1)\r")
    child.expect(r"124\r\n")
    child.expect(prompt(3))  # Ctrl-D typed while code runs would be the tty's, not ours
    child.sendeof()
    assert finish(child) == 0


# -- non-interactive -------------------------------------------------------------------------
def run(
    args: list[str], data_dir, stdin: str | None = None, **kwargs
) -> subprocess.CompletedProcess:
    env = child_env(data_dir)
    env.pop("TERM")
    return subprocess.run(
        args,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        env=env,
        timeout=TIMEOUT * 3,
        **kwargs,
    )


def test_c_runs_code_with_magics(data_dir):
    proc = run([ANYMAGIC, "-c", "print('hi')\n%lsmagic\n1+1"], data_dir)
    assert proc.returncode == 0, proc.stderr
    assert "hi\n" in proc.stdout and "%load_ext" in proc.stdout and "Out[1]: 2\n" in proc.stdout


def test_c_error_gives_traceback_and_status_1(data_dir):
    proc = run([ANYMAGIC, "-c", "x = 1\n1/0"], data_dir)
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr and "ZeroDivisionError: division by zero" in proc.stderr


def test_c_sys_exit_status(data_dir):
    assert run([ANYMAGIC, "-c", "import sys; sys.exit(3)"], data_dir).returncode == 3


def test_c_does_not_import_prompt_toolkit_or_pygments(data_dir):
    code = (
        "import sys; heavy = {'prompt_toolkit', 'pygments'}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))"
    )
    proc = run([ANYMAGIC, "-c", code], data_dir)
    assert proc.stdout == "[]\n", proc.stderr


def test_file_with_magics(data_dir, tmp_path):
    script = tmp_path / "script.py"
    script.write_text("%automagic off\nimport sys\nprint('args', sys.argv[1:])\n")
    proc = run([ANYMAGIC, str(script), "a", "b"], data_dir)
    assert proc.returncode == 0, proc.stderr
    assert "Automagic is OFF" in proc.stdout and "args ['a', 'b']\n" in proc.stdout


def test_piped_standard_input(data_dir):
    proc = run([ANYMAGIC], data_dir, stdin="%lsmagic\nfor i in range(2):\n    print(i * 7)\n")
    assert proc.returncode == 0, proc.stderr
    assert "%load_ext" in proc.stdout and "0\n7\n" in proc.stdout
    assert "In [" not in proc.stdout and "\x1b" not in proc.stdout


def test_python_m_anymagic(data_dir):
    proc = run([sys.executable, "-m", "anymagic", "-c", "%automagic\nprint(6 * 7)"], data_dir)
    assert proc.returncode == 0, proc.stderr
    assert "42\n" in proc.stdout


def test_interactive_without_a_terminal_reads_lines(data_dir):
    stdin = "print(x * 2)\nfor i in range(2):\n    print('row', i)\n\nexit\nprint('never')\n"
    proc = run([ANYMAGIC, "-i", "-c", "x = 21"], data_dir, stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    # -c is not an interactive input (IPython: the first prompt after -i -c is In [1])
    assert "In [1]: 42\n" in proc.stdout and "row 0\nrow 1\n" in proc.stdout
    assert "never" not in proc.stdout


def test_embed_sees_the_callers_variables_and_returns(tmp_path, data_dir):
    script = tmp_path / "embedding.py"
    script.write_text(
        "import anymagic\n"
        "def work():\n"
        "    local_value = 41\n"
        "    anymagic.embed(header='embedded here')\n"
        "    print('back in the caller', local_value)\n"
        "work()\n"
    )
    child = pexpect.spawn(
        sys.executable,
        [str(script)],
        env=child_env(data_dir),
        dimensions=(24, 120),
        encoding="utf-8",
        timeout=TIMEOUT,
    )
    try:
        child.expect("embedded here")
        child.expect(prompt(1))
        child.send("local_value + 1\r")
        child.expect(r"Out\[1\]: 42")
        child.expect(prompt(2))
        child.send("%psearch local_*\r")  # magics work in an embedded shell
        child.expect("local_value")
        child.expect(prompt(3))
        child.sendeof()
        child.expect("back in the caller 41")
        assert finish(child) == 0
    finally:
        if child.isalive():
            child.terminate(force=True)


def test_tab_indents_at_the_start_of_a_line(spawn):
    child = spawn()
    child.send("if True:\r")
    child.expect(CONTINUATION)
    child.send("\x15")  # Ctrl-U: drop the automatic indentation
    child.send("\tprint('indented by tab')\r\r")
    child.expect("indented by tab\r\n")
    child.expect(prompt(2))
    child.sendeof()
    assert finish(child) == 0


def test_modules_in_the_current_folder_import_as_with_python_c(tmp_path, data_dir):
    (tmp_path / "localext.py").write_text(
        "def load_extension(session):\n    session.write('local extension loaded\\n')\n"
    )
    proc = run([ANYMAGIC, "-c", "%load_ext localext"], data_dir, cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (0, "local extension loaded\n"), proc.stderr
    proc = run([ANYMAGIC], data_dir, stdin="import localext\nprint('imported')\n", cwd=tmp_path)
    assert proc.stdout == "imported\n", proc.stderr


def test_interactive_after_a_script_shows_values(tmp_path, data_dir):
    script = tmp_path / "setup_vars.py"
    script.write_text("y = 2\n")
    proc = run([ANYMAGIC, "-i", str(script)], data_dir, stdin="y * 21\n")
    assert "Out[1]: 42" in proc.stdout, proc.stdout + proc.stderr


def test_tracebacks_are_coloured_at_a_terminal_and_plain_in_doctest_mode(spawn):
    child = spawn()
    child.send("1/0\r")
    child.expect(prompt(2))
    assert re.search(r"\x1b\[[\d;]*mZeroDivisionError\x1b\[[\d;]*m: division by zero", child.before)
    child.send("%doctest_mode on\r")
    child.expect(rf"{ANSI}>>> ")
    child.send("1/0\r")
    child.expect(r"(\x1b\[[\d;]*m)?ZeroDivisionError(\x1b\[[\d;]*m)?: division by zero")
    assert child.match.group(1) is None and child.match.group(2) is None  # plain
    child.expect(rf"{ANSI}>>> ")  # Ctrl-D only once the prompt is back (else it is lost)
    child.sendeof()
    assert finish(child) == 0


def test_history_suggestion_is_accepted_with_the_right_arrow(spawn):
    child = spawn()
    child.send("hits = []\r")
    child.expect(prompt(2))
    child.send("hits.append('x')\r")
    child.expect(prompt(3))
    child.send("hits.ap")
    child.expect("pend")  # the rest of the earlier input, drawn as a suggestion
    child.send("\x1b[C")  # Right arrow: take the suggestion
    child.send("\r")
    child.expect(prompt(4))
    child.send("print(len(hits))\r")  # 2 only if the suggested line ran again
    child.expect(r"[^\d]2\r\n")
    child.expect(prompt(5))
    child.sendeof()
    assert finish(child) == 0
