"""%logstart / %logstop / %logoff / %logon / %logstate: options, modes, replay, crash safety."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import Shell, subprocess_env

ANYMAGIC = os.path.join(os.path.dirname(sys.executable), "anymagic")
ROOT = Path(__file__).resolve().parent.parent


def run_all(shell: Shell, *cells: str) -> tuple[str, str]:
    outs, errs = [], []
    for cell in cells:
        out, err, _ = shell.run(cell)
        outs.append(out)
        errs.append(err)
    return "".join(outs), "".join(errs)


def body(path: Path) -> str:
    """The log without its two header lines and the blank line after them."""
    text = path.read_text("utf-8")
    lines = text.splitlines(keepends=True)
    assert lines[0] == "# anymagic log file\n", text
    assert lines[1].startswith("# ") and lines[2] == "\n", text
    return "".join(lines[3:])


def test_translated_log_with_history_outputs_and_replay(shell: Shell, tmp_path: Path) -> None:
    log = tmp_path / "session.py"
    out, err = run_all(
        shell,
        "a = 1",
        "a + 1",
        f"%logstart {log}",
        "b = a * 2",
        "def f(x):\n    return x + b\n",
        "%automagic off",
        "%psearch f*",
        'print("restored", a, b, f(1))',
        "%logstop",
        "c = 3",
    )
    assert err == ""
    assert "Activating auto-logging. Current session state plus future input saved." in out
    assert f"Filename       : {log}\nMode           : backup\n" in out
    assert body(log) == textwrap.dedent(
        """\
        a = 1
        a + 1
        b = a * 2
        def f(x):
            return x + b
        __anymagic__.line('automagic', 'off')
        __anymagic__.line('psearch', 'f*')
        print("restored", a, b, f(1))
        """
    )
    replay = tmp_path / "replay-home"
    proc = subprocess.run(
        [ANYMAGIC, str(log)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=subprocess_env(ANYMAGIC_DIR=str(replay)),
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert "Automagic is OFF" in proc.stdout
    assert "\nf\n" in proc.stdout  # %psearch ran
    assert proc.stdout.endswith("restored 1 2 3\n")
    assert not list(tmp_path.glob("session.py~*"))  # the replay did not log again


def test_raw_log_replays_too(shell: Shell, tmp_path: Path) -> None:
    log = tmp_path / "raw.py"
    run_all(
        shell,
        f"%logstart -r -q {log}",
        "x = [1, 2]",
        "%automagic off",
        "%%timeit -n1 -r1\ny = 1",
        "if x:\n    %logoff\n    %logon\n",
        "print('x is', x)",
    )
    assert body(log) == textwrap.dedent(
        """\
        x = [1, 2]
        %automagic off
        # %%timeit -n1 -r1
        # y = 1
        __anymagic__.cell('timeit', '-n1 -r1', 'y = 1')
        if x:
            pass  # %logoff
            pass  # %logon
        print('x is', x)
        """
    )
    proc = subprocess.run(
        [ANYMAGIC, str(log)],
        capture_output=True,
        text=True,
        timeout=60,
        env=subprocess_env(ANYMAGIC_DIR=str(tmp_path / "replay")),
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.endswith("x is [1, 2]\n")


def test_output_and_timestamps(shell: Shell, tmp_path: Path) -> None:
    log = tmp_path / "out.py"
    run_all(shell, "7", f"%logstart -o -t -q {log}", "n = 6", "n * 7", "'two\\nlines'", "n;")
    text = body(log)
    stamp = r"# \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d\n"
    import re

    expected = (
        "7\n#\\[Out\\]# 7\n"  # history before %logstart: outputs, no timestamps
        f"{stamp}n = 6\n"
        f"{stamp}n \\* 7\n#\\[Out\\]# 42\n"
        f"{stamp}'two\\\\nlines'\n#\\[Out\\]# 'two\\\\nlines'\n"
        f"{stamp}n;\n"  # a hidden value is not logged
    )
    assert re.fullmatch(expected, text), text


def test_failed_cells_are_comments_and_logging_magics_neutralized(
    shell: Shell, tmp_path: Path
) -> None:
    log = tmp_path / "err.py"
    out, err = run_all(
        shell,
        "x = (",  # a SyntaxError before %logstart
        f"%logstart -q {log}",
        "1 / 0",
        "%logstate",
        "ok = True",
    )
    assert "ZeroDivisionError" in err
    assert body(log) == textwrap.dedent(
        """\
        # In[1] raised SyntaxError; kept as a comment so the log replays:
        # x = (
        # In[3] raised ZeroDivisionError; kept as a comment so the log replays:
        # 1 / 0
        ok = True
        """
    )
    compile(log.read_text("utf-8"), str(log), "exec")


def test_logoff_logon_and_logstate(shell: Shell, tmp_path: Path) -> None:
    log = tmp_path / "onoff.py"
    out, _ = run_all(shell, "%logstate")
    assert out == "Logging has not been activated.\n"
    out, err = run_all(
        shell,
        f"%logstart -q {log} over",
        "a = 1",
        "%logoff",
        "hidden = 2",
        "%logoff",
        "%logstate",
        "%logon",
        "%logon",
        "b = 3",
    )
    assert err == ""
    assert out == (
        "Switching logging OFF\n"
        "Logging is already OFF\n"
        f"Filename       : {log}\n"
        "Mode           : over\n"
        "Output logging : False\n"
        "Raw input log  : False\n"
        "Timestamping   : False\n"
        "State          : temporarily suspended\n"
        "Switching logging ON\n"
        "Logging is already ON\n"
    )
    assert body(log) == "a = 1\nb = 3\n"  # cells of logging magics only are left out


def test_default_file_is_rotated_in_the_cwd(
    shell: Shell, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for number in range(3):
        run_all(shell, "%logstart -q", f"gen = {number}", "%logstop")
    log = tmp_path / "anymagic_log.py"
    assert body(log) == "gen = 0\ngen = 1\ngen = 2\n"  # earlier cells are logged too
    assert body(tmp_path / "anymagic_log.py.1~") == "gen = 0\ngen = 1\n"
    assert body(tmp_path / "anymagic_log.py.2~") == "gen = 0\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "anymagic_log.py",
        "anymagic_log.py.1~",
        "anymagic_log.py.2~",
    ]
    out, _ = run_all(shell, "%logstart", "%logstop")
    assert "Mode           : rotate\n" in out
    assert (tmp_path / "anymagic_log.py.3~").exists()


def test_backup_over_and_append_modes(shell: Shell, tmp_path: Path) -> None:
    log = tmp_path / "m.py"
    log.write_text("old = 1\n")
    run_all(shell, f"%logstart -q {log}", "new = 1", "%logstop")  # backup is the default
    assert (tmp_path / "m.py~").read_text() == "old = 1\n"
    assert body(log) == "new = 1\n"

    run_all(shell, f"%logstart -q {log} append", "more = 2", "%logstop")
    text = log.read_text()
    assert text.startswith("# anymagic log file\n")
    stamp = text.splitlines()[-3]
    assert stamp.startswith("# ")
    assert text.endswith(f"new = 1\n\n# anymagic log resumed\n{stamp}\n\nmore = 2\n")

    run_all(shell, f"%logstart -q {log} over", "fresh = 3", "%logstop")
    assert body(log) == "new = 1\nmore = 2\nfresh = 3\n"  # a new file: the whole session
    assert (tmp_path / "m.py~").read_text() == "old = 1\n"  # over keeps no backup


def test_global_mode_uses_the_data_directory(shell: Shell, tmp_path: Path) -> None:
    run_all(shell, "%logstart -q shared_log.py global", "g = 1", "%logstop")
    run_all(shell, "%logstart -q shared_log.py global", "g = 2", "%logstop")
    # the second %logstart does not repeat the cells this session already wrote there
    path = shell.session.data_dir / "shared_log.py"
    text = path.read_text()
    assert text.count("g = 1\n") == 1 and text.endswith("\ng = 2\n")
    assert "# anymagic log resumed\n" in text
    assert not (Path.cwd() / "shared_log.py").exists()


def test_errors_change_nothing(shell: Shell, tmp_path: Path) -> None:
    out, err = run_all(shell, "%logstop")
    assert err.startswith("UsageError: %logstop: logging has not been started (use %logstart)\n")
    assert "usage: %logstop" in err
    for magic in ("logon", "logoff"):
        _, err, result = shell.run(f"%{magic}")
        assert err.startswith(f"UsageError: %{magic}: logging has not been started"), err
        assert not result.success

    log = tmp_path / "e.py"
    log.write_text("keep\n")
    _, err, _ = shell.run(f"%logstart {log} sideways")
    assert err.splitlines()[0] == (
        "UsageError: %logstart: unknown mode 'sideways'; "
        "choose from append, backup, global, over, rotate"
    )
    assert "usage: %logstart [-o] [-r] [-t] [-q] [logfile] [mode]" in err
    assert log.read_text() == "keep\n" and not (tmp_path / "e.py~").exists()

    _, err, _ = shell.run("%logstart /nonexistent/dir/log.py")
    assert err.splitlines()[0] == (
        "UsageError: %logstart: cannot open log file /nonexistent/dir/log.py: "
        "No such file or directory"
    )
    _, err, _ = shell.run(f"%logstart {tmp_path}")  # a folder
    assert err.startswith("UsageError: %logstart: cannot open log file")
    _, err, _ = shell.run("%logstart -x")
    assert err.startswith("UsageError: %logstart: unrecognized arguments: -x")
    out, _, _ = shell.run("%logstate")
    assert out == "Logging has not been activated.\n"

    first = tmp_path / "first.py"
    run_all(shell, f"%logstart -q {first}", "one = 1")
    _, err, _ = shell.run(f"%logstart {tmp_path / 'second.py'}")
    assert err.startswith(f"UsageError: %logstart: already logging to {first} (%logstop first)")
    assert not (tmp_path / "second.py").exists()
    run_all(shell, "two = 2", "%logstop")
    assert body(first) == "one = 1\ntwo = 2\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.py", "first.py"]


def test_log_is_owner_only(shell: Shell, tmp_path: Path) -> None:
    for mode in ("backup", "over", "rotate", "append"):
        log = tmp_path / f"{mode}.py"
        run_all(shell, f"%logstart -q {log} {mode}", "%logstop")
        assert stat.S_IMODE(log.stat().st_mode) == 0o600, mode
        run_all(shell, f"%logstart -q {log} {mode}", "%logstop")  # over an existing log
        assert stat.S_IMODE(log.stat().st_mode) == 0o600, mode


def test_unstored_cells_are_not_logged_and_each_cell_is_fsynced(
    shell: Shell, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "s.py"
    run_all(shell, f"%logstart -q {log}")
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    shell.run("stored = 1")
    shell.run("unstored = 2", store_history=False)
    shell.session.run_cell("silent = 3", store_history=True, silent=True)
    assert len(synced) == 1
    assert body(log) == "stored = 1\n"


def test_fsync_can_be_turned_off(shell: Shell, tmp_path: Path, monkeypatch) -> None:
    log = tmp_path / "nf.py"
    run_all(shell, "%logstate", "%config LoggingMagics.fsync = False", f"%logstart -q {log}")
    monkeypatch.setattr(os, "fsync", lambda fd: pytest.fail("fsync called"))
    shell.run("x = 1")
    assert body(log).endswith("\nx = 1\n")


CRASH_SCRIPT = """
import os, sys
from anymagic import BaseHost
session = BaseHost().attach()
session.run_cell("%logstart -q " + sys.argv[1], store_history=True)
for n in range(20):
    session.run_cell(f"v{n} = {n}", store_history=True)
sys.stdout.write("ready\\n")
sys.stdout.flush()
session.run_cell("import time\\nwhile True: time.sleep(1)", store_history=True)
"""


def test_a_killed_process_loses_no_completed_cell(tmp_path: Path) -> None:
    log = tmp_path / "crash.py"
    proc = subprocess.Popen(
        [sys.executable, "-c", CRASH_SCRIPT, str(log)],
        stdout=subprocess.PIPE,
        text=True,
        env=subprocess_env(ANYMAGIC_DIR=str(tmp_path / "home"), PYTHONPATH=str(ROOT)),
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "ready\n"
        time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    assert body(log) == "".join(f"v{n} = {n}\n" for n in range(20))


def test_logstart_help_names_the_modes(shell: Shell) -> None:
    out, _, _ = shell.run("%logstart?")
    for mode in ("append", "backup", "global", "over", "rotate"):
        assert f"{mode}:" in out
