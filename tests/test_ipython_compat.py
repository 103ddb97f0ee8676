"""Extensions written for IPython, unmodified from PyPI, in anymagic's shell and kernel.

One compatibility shim (``anymagic.extensions.ipython_compat``) serves every host: the tests
load line_profiler, memory_profiler and IPython's bundled autoreload in-process (the session
the ``anymagic`` command builds), once through the ``anymagic -c`` command, and through the
anymagic Jupyter kernel with a real jupyter_client.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import kernel_run, started_kernel

pytest.importorskip("IPython")

from anymagic.extensions import ipython_compat  # noqa: E402

F = "def f(n):\n    total = 0\n    for i in range(n):\n        total += i\n    return total\n"


@pytest.fixture
def mods(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on sys.path for modules the tests write; they are forgotten afterwards."""
    folder = tmp_path / "mods"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    yield folder
    for name, module in list(sys.modules.items()):
        if (getattr(module, "__file__", None) or "").startswith(str(folder)):
            del sys.modules[name]


@pytest.fixture
def session(private_dirs: Path, mods: Path) -> Iterator[Any]:
    from anymagic.hosts.cli import Options, make_session

    session = make_session(Options())
    yield session
    for name in list(session.extensions.loaded):
        session.extensions.unload(name)


def write(folder: Path, name: str, source: str) -> Path:
    path = folder / f"{name}.py"
    path.write_text(textwrap.dedent(source))
    return path


def run(session: Any, source: str, capsys: pytest.CaptureFixture[str]) -> tuple[bool, str, str]:
    result = session.run_cell(source, store_history=True)
    out, err = capsys.readouterr()
    return result.success, out, err


def touch_later(path: Path) -> None:
    """Make an edit visible to mtime checks even within the same second."""
    later = time.time() + 5
    os.utime(path, (later, later))


# -- wiring ---------------------------------------------------------------------------------------
def test_hosts_wire_the_shim_only_when_ipython_is_installed(session, monkeypatch) -> None:
    assert session.extensions.ipython_shell_factory is ipython_compat.shell_for
    assert session.extensions.resolve("autoreload") == "IPython.extensions.autoreload"
    from anymagic import BaseHost

    plain = BaseHost().attach()
    assert plain.extensions.ipython_shell_factory is None  # the registry alone: no shim
    monkeypatch.setattr(ipython_compat, "available", lambda: False)
    ipython_compat.install(plain)
    assert plain.extensions.ipython_shell_factory is None


def test_importing_the_shim_is_cheap() -> None:
    code = "import sys, anymagic.extensions.ipython_compat; print('traitlets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- line_profiler --------------------------------------------------------------------------------
def test_line_profiler_shadows_anymagics_lprun_while_loaded(session, mods, capsys) -> None:
    write(mods, "work", F)
    session.run_cell("from work import f")
    assert run(session, "%load_ext line_profiler", capsys) == (True, "", "")
    assert session.registry.binding("line", "lprun").provider == "extension:line_profiler"
    ok, out, err = run(session, "%lprun -f f f(50)", capsys)
    assert ok, err
    assert "Timer unit:" in out and "Function: f at line 1" in out
    assert "total += i" in out  # the source, read from the module's file
    ok, _, err = run(session, "%lprun -f nosuch f(1)", capsys)
    assert not ok and err.startswith("UsageError: Could not find function nosuch.")  # one line
    assert run(session, "%unload_ext line_profiler", capsys) == (True, "", "")
    assert session.registry.binding("line", "lprun").provider == "anymagic"  # anymagic's again
    ok, out, _ = run(session, "%lprun -f f f(5)", capsys)
    assert ok and "total += i" in out


def test_line_profiler_on_a_function_typed_at_the_prompt(session, capsys) -> None:
    session.run_cell(F, store_history=True)
    run(session, "%load_ext line_profiler", capsys)
    ok, out, err = run(session, "%lprun -f f f(20)", capsys)
    assert ok, err
    assert "Line #      Hits" in out
    assert "    21 " in out  # the loop line's hits: the timings are there
    # line_profiler shows the source of cells (it knows <generated...> names) even though
    # it empties linecache: the session puts cells back
    assert "total += i" in out and "Could not find file" not in out
    import inspect

    assert "total += i" in inspect.getsource(session.user_ns["f"])


# -- memory_profiler ------------------------------------------------------------------------------
def test_memory_profiler_memit_and_mprun(session, mods, capsys) -> None:
    write(mods, "alloc", "def grow(n):\n    block = [0] * n\n    return len(block)\n")
    assert run(session, "%load_ext memory_profiler", capsys) == (True, "", "")
    ok, out, err = run(session, "%memit sum(range(1000))", capsys)
    assert ok, err
    assert out.startswith("peak memory:") and "increment:" in out
    session.run_cell("import alloc")
    ok, out, err = run(session, "%mprun -f alloc.grow alloc.grow(100000)", capsys)
    assert ok, err
    assert "Mem usage" in out and "block = [0] * n" in out
    ok, out, _ = run(session, "%%memit x = 10\nx * 2", capsys)
    assert ok and "peak memory:" in out
    assert run(session, "%unload_ext memory_profiler", capsys) == (True, "", "")
    assert session.find_magic("memit") is None


# -- IPython's autoreload -------------------------------------------------------------------------
def test_autoreload_reloads_an_edited_module_before_the_next_cell(session, mods, capsys) -> None:
    path = write(mods, "edited", "def version():\n    return 1\n")
    assert run(session, "%load_ext autoreload", capsys) == (True, "", "")
    assert run(session, "%autoreload 2", capsys) == (True, "", "")
    session.run_cell("import edited\nfrom edited import version")
    assert session.run_cell("edited.version()", silent=False).result == 1
    write(mods, "edited", "def version():\n    return 2\n")
    touch_later(path)
    ok, _, err = run(session, "x = edited.version(), version()", capsys)
    assert ok and err == ""
    assert session.user_ns["x"] == (2, 2)
    assert run(session, "%unload_ext autoreload", capsys) == (True, "", "")
    callbacks = [fn for fns in session.events.callbacks.values() for fn in fns]
    assert all("autoreload" not in repr(fn) for fn in callbacks)


def test_autoreload_3_sees_the_translated_cell(session, mods, capsys) -> None:
    write(mods, "newnames", "A = 1\n")
    run(session, "%load_ext autoreload", capsys)
    ok, _, err = run(session, "%autoreload 3", capsys)
    assert ok, err
    ok, _, err = run(session, "from newnames import A\n%pwd", capsys)
    assert ok and err == ""  # post_execute read info.transformed_cell: plain Python


# -- the shim's own contract ----------------------------------------------------------------------
FAKE = """
from IPython.core.error import UsageError
from IPython.core.getipython import get_ipython
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class, needs_local_scope

seen = []

@magics_class
class Fake(Magics):
    @line_magic
    def who_am_i(self, line):
        return (get_ipython() is self.shell, self.shell.user_global_ns is self.shell.user_ns)

    @line_magic
    def strict(self, line):
        opts, rest = self.parse_options(line, "n:")
        if not rest:
            raise UsageError("strict needs an argument")
        return int(opts.get("n", 1)), rest

    @needs_local_scope
    @line_magic
    def peek(self, line, local_ns=None):
        return local_ns[line]

    @cell_magic
    def lower(self, line, cell):
        self.shell.push({"lowered": cell.lower()})

    @line_magic
    def nextinput(self, line):
        self.shell.set_next_input(line)

def pre(info):
    seen.append(("pre", info.raw_cell, info.store_history))

def post(result):
    seen.append(("post", result.info.raw_cell, result.success, result.execution_count))

def load_ipython_extension(ip):
    ip.register_magics(Fake)
    ip.register_magic_function(lambda line: line[::-1], "line", "backwards")
    ip.events.register("pre_run_cell", pre)
    ip.events.register("post_run_cell", post)
    ip.ex("fake_loaded = True")
    assert ip.ev("fake_loaded")

def unload_ipython_extension(ip):
    ip.drop_by_id({"fake_loaded": True})
"""


def test_an_ipython_extension_sees_an_ipython_like_shell(session, mods, capsys) -> None:
    write(mods, "fake_ext", FAKE)
    assert run(session, "%load_ext fake_ext", capsys) == (True, "", "")
    from IPython.core.interactiveshell import InteractiveShell

    real_ipython = InteractiveShell.initialized()  # then get_ipython() stays the real shell
    assert session.run_cell("%who_am_i", silent=True).result == (not real_ipython, True)
    assert session.run_cell("%backwards abc", silent=True).result == "cba"
    assert session.run_cell("%strict -n 3 go", silent=True).result == (3, "go")
    ok, _, err = run(session, "%strict", capsys)
    assert not ok and err == "UsageError: strict needs an argument\n"
    session.run_cell("def g():\n    secret = 7\n    found = %peek secret\n    return found\n")
    assert session.run_cell("g()", silent=True).result == 7
    run(session, "%%lower\nABC", capsys)
    assert session.user_ns["lowered"].strip() == "abc"
    seen = sys.modules["fake_ext"].seen
    seen.clear()
    run(session, "1 + 1", capsys)
    count = session.execution_count - 1
    assert seen == [("pre", "1 + 1", True), ("post", "1 + 1", True, count)]
    assert run(session, "%unload_ext fake_ext", capsys) == (True, "", "")
    assert "fake_loaded" not in session.user_ns
    seen.clear()
    run(session, "2 + 2", capsys)
    assert seen == []  # its callbacks went with it
    assert session.find_magic("who_am_i") is None


def test_a_missing_shell_feature_is_named_with_the_extension(session, mods, capsys) -> None:
    write(mods, "fake_ext", FAKE)
    run(session, "%load_ext fake_ext", capsys)
    ok, _, err = run(session, "%nextinput x = 1", capsys)
    assert not ok
    assert (
        "MissingShellFeature: anymagic's IPython compatibility does not provide "
        "InteractiveShell.set_next_input (needed by extension fake_ext)" in err
    )
    write(
        mods,
        "needy_ext",
        "def load_ipython_extension(ip):\n    ip.set_custom_exc((ValueError,), print)\n",
    )
    ok, _, err = run(session, "%load_ext needy_ext", capsys)
    assert not ok
    assert "InteractiveShell.set_custom_exc (needed by extension needy_ext)" in err
    assert "needy_ext" not in session.extensions.loaded
    shim = ipython_compat.shell_for(session)
    assert not hasattr(shim, "kernel")  # hasattr probes still work: it is an AttributeError
    for name in ipython_compat.PROVIDED:
        assert hasattr(shim, name.split(".")[0]), name


# -- through the anymagic command ------------------------------------------------------------------
def test_anymagic_command_loads_ipython_extensions(mods: Path, private_dirs: Path) -> None:
    write(mods, "work", F)
    code = "from work import f\n%load_ext line_profiler\n%lprun -f f f(10)\n"
    code += "%load_ext memory_profiler\n%memit f(10)\n"
    env = dict(os.environ, PYTHONPATH=str(mods))
    proc = subprocess.run(
        [sys.executable, "-m", "anymagic", "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Function: f at line 1" in proc.stdout and "total += i" in proc.stdout
    assert "peak memory:" in proc.stdout


# -- through the anymagic kernel -------------------------------------------------------------------
@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Path]]:
    pytest.importorskip("jupyter_client")
    pytest.importorskip("anymagic.hosts.kernel")
    from anymagic.kernel import write_kernel_spec

    base = tmp_path_factory.mktemp("compat-kernel")
    write_kernel_spec(base / "jupyter" / "kernels" / "anymagic", sys.executable)
    mods = base / "mods"
    mods.mkdir()
    env = dict(os.environ, JUPYTER_PATH=str(base / "jupyter"), PYTHONPATH=str(mods))
    for var in ("ANYMAGIC_DIR", "IPYTHONDIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR"):
        env[var] = str(base / var.lower())
    env["JUPYTER_RUNTIME_DIR"] = str(base / "runtime")
    for var in ("ANYMAGIC_DISABLE", "ANYMAGIC_NO_AUTOLOAD"):
        env.pop(var, None)
    with pytest.MonkeyPatch.context() as mp:  # the kernelspec is looked up in this process
        mp.setenv("JUPYTER_PATH", env["JUPYTER_PATH"])
        with started_kernel("anymagic", env) as (_, kc):
            yield kc, mods


def test_kernel_line_profiler_and_memory_profiler(kernel) -> None:
    kc, mods = kernel
    write(mods, "kwork", F)
    out, err, reply = kernel_run(kc, "from kwork import f\n%load_ext line_profiler")
    assert reply["status"] == "ok", err
    out, err, reply = kernel_run(kc, "%lprun -f f f(10)")
    assert reply["status"] == "ok", err
    assert "Function: f at line 1" in out and "total += i" in out
    out, err, reply = kernel_run(kc, "%load_ext memory_profiler\n%memit f(10)")
    assert reply["status"] == "ok", err
    assert "peak memory:" in out
    out, err, reply = kernel_run(kc, "%mprun -f f f(10)")
    assert reply["status"] == "ok", err
    assert "Mem usage" in out and "total += i" in out
    out, err, reply = kernel_run(kc, "%unload_ext line_profiler")
    assert reply["status"] == "ok", err


def test_kernel_autoreload(kernel) -> None:
    kc, mods = kernel
    path = write(mods, "kedited", "def version():\n    return 1\n")
    out, err, reply = kernel_run(kc, "%load_ext autoreload\n%autoreload 2\nimport kedited")
    assert reply["status"] == "ok", err
    write(mods, "kedited", "def version():\n    return 2\n")
    touch_later(path)
    out, err, reply = kernel_run(kc, "print(kedited.version())")
    assert reply["status"] == "ok", err
    assert out == "2\n"
