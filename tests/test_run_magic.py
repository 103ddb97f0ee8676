"""%run: scripts and modules run as __main__, their globals land in the user namespace."""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import Shell, ok, usage_error

from anymagic.registry.completion import complete


def write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


def test_plain_script_globals_name_and_argv(shell: Shell, tmp_path: Path) -> None:
    script = write(
        tmp_path / "prog.py",
        "import sys\nargs = list(sys.argv)\nname = __name__\nfile = __file__\n"
        "path0 = sys.path[0]\nprint('hello', *sys.argv[1:])\n",
    )
    shell.ns["word"] = "two words"
    argv, path = list(sys.argv), list(sys.path)
    out = ok(shell, f"%run {script} a 'b c' $word")
    assert out == "hello a b c two words\n"
    assert shell.ns["args"] == [script, "a", "b c", "two", "words"]
    assert shell.ns["name"] == "__main__"
    assert shell.ns["file"] == script
    assert shell.ns["path0"] == str(tmp_path)  # the script's folder first, like python FILE
    assert sys.argv == argv and sys.path == path  # both restored
    assert shell.ns["__name__"] == "__main__" and "__file__" not in shell.ns


def test_fresh_namespace_unless_i(shell: Shell, tmp_path: Path) -> None:
    script = write(tmp_path / "see.py", "seen = 'secret' in globals()\nsecret = 'changed'\n")
    shell.ns["secret"] = "mine"
    ok(shell, f"%run {script}")
    assert shell.ns["seen"] is False and shell.ns["secret"] == "changed"
    shell.ns["secret"] = "mine"
    ok(shell, f"%run -i {script}")
    assert shell.ns["seen"] is True and shell.ns["secret"] == "changed"
    assert "__file__" not in shell.ns and shell.ns["__name__"] == "__main__"


def test_n_keeps_name_from_main(shell: Shell, tmp_path: Path) -> None:
    script = write(
        tmp_path / "lib.py", "name = __name__\nif __name__ == '__main__':\n    ran = 1\n"
    )
    ok(shell, f"%run -n {script}")
    assert shell.ns["name"] == "lib" and "ran" not in shell.ns


def test_ipy_file_with_magics(shell: Shell, tmp_path: Path) -> None:
    script = write(tmp_path / "magic.ipy", "a = 20\n%time b = a + 1\nc = !echo hi\nprint(b, c)\n")
    out = ok(shell, f"%run {script}")
    assert "Wall time:" in out and out.endswith("21 ['hi']\n")
    assert shell.ns["b"] == 21


def test_py_file_with_magics_goes_through_the_syntax(shell: Shell, tmp_path: Path) -> None:
    script = write(tmp_path / "mixed.py", "x = 3\n%who_ls\n")
    ok(shell, f"%run {script}")
    assert shell.ns["x"] == 3


def test_sys_exit(shell: Shell, tmp_path: Path) -> None:
    zero = write(tmp_path / "zero.py", "import sys\nbefore = 1\nsys.exit(0)\nafter = 1\n")
    three = write(tmp_path / "three.py", "import sys\nsys.exit(3)\n")
    assert ok(shell, f"%run {zero}") == ""
    assert shell.ns["before"] == 1 and "after" not in shell.ns
    out, err, result = shell.run(f"%run {three}")
    assert err == "SystemExit: 3\n" and out == ""
    _, err, result = shell.run(f"%run -e {three}")
    assert err == "" and result.success
    assert ok(shell, "1 + 1").endswith(": 2\n")  # the host goes on


def test_traceback_shows_the_script(shell: Shell, tmp_path: Path) -> None:
    script = write(tmp_path / "bad.py", "def f():\n    raise ValueError('boom')\ndone = 1\nf()\n")
    _, err, result = shell.run(f"%run {script}")
    assert not result.success
    assert f'File "{script}", line 4, in <module>' in err
    assert f'File "{script}", line 2, in f' in err
    assert "raise ValueError('boom')" in err and err.rstrip().endswith("ValueError: boom")
    assert "run.py" not in err
    assert shell.ns["done"] == 1  # what ran before the error is kept, like IPython
    import inspect

    assert "raise ValueError" in inspect.getsource(shell.ns["f"])


def test_module(shell: Shell, tmp_path: Path, monkeypatch) -> None:
    pkg = tmp_path / "mods"
    pkg.mkdir()
    write(pkg / "tool.py", "import sys\nname = __name__\nargs = sys.argv[1:]\n")
    monkeypatch.syspath_prepend(str(pkg))
    ok(shell, "%run -m tool x y")
    assert shell.ns["name"] == "__main__" and shell.ns["args"] == ["x", "y"]
    assert "tool" not in sys.modules or sys.modules["tool"].__name__ == "tool"
    line = usage_error(shell, "%run -m no_such_module_here")
    assert line == "UsageError: %run: no module named no_such_module_here"


def test_timing(shell: Shell, tmp_path: Path) -> None:
    script = write(tmp_path / "quick.py", "x = 1\n")
    out = ok(shell, f"%run -t {script}")
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("CPU times: user ") and ", sys: " in lines[0]
    assert lines[1].startswith("Wall time: ")


def test_bad_input(shell: Shell, tmp_path: Path) -> None:
    assert usage_error(shell, "%run nosuch.py") == "UsageError: %run: file not found: nosuch.py"
    assert "is a directory" in usage_error(shell, f"%run {tmp_path}")
    assert "a FILE to run is required" in usage_error(shell, "%run")
    script = write(tmp_path / "never.py", "ran = 1\n")
    assert usage_error(shell, f"%run -z {script}") == "UsageError: %run: unknown option -z"
    _, err, _ = shell.run("%run")
    assert "usage: %run" in err
    assert "ran" not in shell.ns


def test_completion(shell: Shell, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text("")
    (tmp_path / "b.ipy").write_text("")
    (tmp_path / "c.txt").write_text("")
    (tmp_path / "d").mkdir()
    assert complete(shell.session, "%run ").matches == ["a.py", "b.ipy", "d/"]
    assert "c.txt" in complete(shell.session, "%run a.py ").matches  # arguments: any path
    assert complete(shell.session, "%run -").matches == ["-e", "-i", "-m", "-n", "-t"]
