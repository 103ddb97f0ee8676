"""Magics in ``code``-module consoles: AnymagicConsole and enable() on an existing console."""

from __future__ import annotations

import code
import subprocess
import sys
from pathlib import Path

import pytest

from anymagic.hosts.console import AnymagicConsole, enable

SCRIPT = "from anymagic.hosts.console import AnymagicConsole; AnymagicConsole().interact()"


def run_console(lines: list[str], script: str = SCRIPT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", script],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_console_through_a_pipe() -> None:
    proc = run_console(
        [
            "%automagic",
            "%%timeit -n1 -r1",
            "x = sum(range(10))",
            "",
            "!echo hello $USER_WORD",
            "word = 'pipe'",
            "!echo from the $word",
            "for i in range(3):",
            "    print('loop', i)",
            "",
            "1/0",
            "40 + 2",
            "lines = !printf 'a\\nb\\n'",
            "lines",
        ]
    )
    out, err = proc.stdout, proc.stderr
    assert proc.returncode == 0, err
    assert "Automagic is OFF." in out
    assert "per loop" in out
    assert "from the pipe" in out
    assert "loop 0" in out and "loop 2" in out
    assert "ZeroDivisionError: division by zero" in err
    assert "registry/session.py" not in err  # anymagic's frames are hidden
    assert "\n42\n" in out.replace(">>> ", "\n").replace("... ", "\n")
    assert "['a', 'b']" in out
    assert out.count("... ") >= 3  # continuation prompts of the cell magic and the loop


def test_incomplete_input_asks_for_more() -> None:
    console = AnymagicConsole()
    assert console.push("%%timeit -n1 -r1") is True
    assert console.push("y = 1") is True
    assert console.push("def f():") is True
    console.resetbuffer()
    assert console.push("%lsmagic") is False


def test_exit_status_propagates() -> None:
    proc = run_console(["import sys", "sys.exit(4)", "print('never')"])
    assert proc.returncode == 4
    assert "never" not in proc.stdout


def test_enable_on_an_existing_console(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    namespace = {"app": "the app"}
    console = code.InteractiveConsole(namespace)
    session = enable(console, data_dir=tmp_path)
    assert enable(console) is session  # a second call changes nothing
    console.push("%automagic")
    console.push("shown = !echo $app")
    console.push("%%timeit -n1 -r1")
    console.push("pass")
    console.push("")
    out, err = capfd.readouterr()
    assert "Automagic is OFF." in out and "per loop" in out
    assert namespace["shown"] == ["the app"]
    assert session.history[1:] == ["%automagic", "shown = !echo $app", "%%timeit -n1 -r1\npass"]


def test_errors_use_the_console_write(tmp_path: Path) -> None:
    written: list[str] = []

    class FrameworkConsole(code.InteractiveConsole):
        def write(self, data: str) -> None:
            written.append(data)

    console = FrameworkConsole()
    enable(console, data_dir=tmp_path)
    console.push("%nosuch")
    console.push("undefined_name")
    text = "".join(written)
    assert "UsageError: Line magic function `%nosuch` not found." in text
    assert "NameError" in text


def test_enable_one_line_in_a_program() -> None:
    script = (
        "import code, anymagic.hosts.console as c\n"
        "con = code.InteractiveConsole({'n': 21})\n"
        "c.enable(con)\n"
        "con.interact(banner='', exitmsg='')\n"
    )
    proc = run_console(["n * 2", "%automagic", "!echo ok"], script)
    assert proc.returncode == 0, proc.stderr
    assert "42" in proc.stdout and "Automagic is OFF." in proc.stdout and "ok" in proc.stdout


def test_console_reads_the_config_file_and_loads_ipython_extensions(
    private_dirs: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    private_dirs.mkdir(parents=True, exist_ok=True)
    (private_dirs / "anymagic_config.py").write_text("c.Anymagic.automagic = False\n")
    console = AnymagicConsole()
    assert console.session.syntax.automagic is False  # the user's config applies
    console.push("%load_ext autoreload")  # an extension written for IPython
    console.push("%autoreload 2")
    captured = capfd.readouterr()
    assert "Error" not in captured.out + captured.err
    assert "IPython.extensions.autoreload" in console.session.extensions.loaded


def test_a_broken_config_file_is_reported_and_the_console_starts(
    private_dirs: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    private_dirs.mkdir(parents=True, exist_ok=True)
    (private_dirs / "anymagic_config.py").write_text("c.Anymagic.automagic = (\n")
    console = AnymagicConsole()
    assert "could not be loaded" in capfd.readouterr().err
    assert console.push("x = 1") is False and console.locals["x"] == 1
