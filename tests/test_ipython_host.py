"""``%load_ext anymagic`` inside IPython: a real InteractiveShell, and the stock ipykernel."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import kernel_run, started_kernel

pytest.importorskip("IPython")

import dists  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

from anymagic.hosts.ipython import adapter_for  # noqa: E402


@pytest.fixture
def ip(private_dirs: Path) -> Iterator[Any]:
    """IPython's shell with anymagic loaded; unloaded (and checked clean) afterwards."""
    if not InteractiveShell.initialized():  # history in memory: no file outliving the test
        from traitlets.config import Config

        InteractiveShell.instance(config=Config({"HistoryManager": {"hist_file": ":memory:"}}))
    shell = InteractiveShell.instance()
    shell.config.AnymagicIPython.override = []
    yield shell
    if adapter_for(shell) is not None:
        shell.run_line_magic("unload_ext", "anymagic")
    shell.config.AnymagicIPython.override = []


def cell(ip: Any, source: str, capsys: pytest.CaptureFixture[str]) -> tuple[Any, str, str]:
    result = ip.run_cell(source)
    out, err = capsys.readouterr()
    return result, out, err


def owner(ip: Any, kind: str, name: str) -> str:
    """Whose function IPython runs for a magic: 'anymagic', 'IPython' or None."""
    func = ip.magics_manager.magics[kind].get(name)
    if func is None:
        return "none"
    module = getattr(getattr(func, "__self__", func), "__module__", "") or ""
    return module.split(".")[0]


F = "def f(n):\n    total = 0\n    for i in range(n):\n        total += i\n    return total\n"


def test_anymagic_magics_work_in_ipython_and_ipythons_own_stay(ip, capsys) -> None:
    ip.run_line_magic("load_ext", "anymagic")
    assert owner(ip, "line", "lprun") == "anymagic"
    assert owner(ip, "line", "timeit") == "IPython"
    assert owner(ip, "line", "bookmark") == "IPython"
    ip.run_cell(F)
    result, out, err = cell(ip, "%lprun -f f f(5)", capsys)
    assert result.success, err
    assert "Line #      Hits" in out and "total += i" in out
    result, out, err = cell(ip, "%anymagic bookmark -l", capsys)  # anymagic's, though shadowed
    assert result.success and out.startswith("Current bookmarks:")
    result, out, err = cell(ip, "%anymagic", capsys)
    assert result.success
    assert "Available line magics:" in out
    assert "IPython's own magics win for" in out and "%timeit" in out.split("win for")[1]


def test_variables_are_expanded_once(ip, capsys) -> None:
    ip.run_line_magic("load_ext", "anymagic")
    adapter = adapter_for(ip)
    adapter.session.register_magic_function(lambda line: line, "line", "echo")
    adapter.sync()
    ip.run_cell("x = 5")
    assert ip.run_cell("y = %echo $x {x + 1} $$x").success
    assert ip.user_ns["y"] == "5 6 $x"


def test_override_by_config_and_by_percent_config(ip, capsys) -> None:
    ip.config.AnymagicIPython.override = ["timeit"]
    ip.run_line_magic("load_ext", "anymagic")
    assert owner(ip, "line", "timeit") == "anymagic"
    assert owner(ip, "line", "bookmark") == "IPython"
    result, out, err = cell(ip, "%timeit -n 1 -r 1 sum(range(3))", capsys)
    assert result.success and "per loop" in out
    ip.run_line_magic("config", "AnymagicIPython.override = ['*']")
    assert owner(ip, "line", "bookmark") == "anymagic"
    assert owner(ip, "cell", "timeit") == "anymagic"
    ip.run_line_magic("config", "AnymagicIPython.override = []")
    assert owner(ip, "line", "timeit") == "IPython"
    assert owner(ip, "line", "bookmark") == "IPython"
    ip.run_line_magic("config", "AnymagicIPython.override = ['pwd']")
    ip.run_line_magic("unload_ext", "anymagic")
    assert owner(ip, "line", "pwd") == "IPython"  # unloading gives IPython's back


def test_third_party_magics_from_entry_points(ip, capsys, tmp_path, monkeypatch) -> None:
    installed = dists.install_all(tmp_path / "dists", ("am-testplugin",))
    site = dists.place(installed["am-testplugin"], tmp_path / "site")
    monkeypatch.syspath_prepend(str(site))
    ip.run_line_magic("load_ext", "anymagic")
    assert "am_testplugin" not in sys.modules  # listed, not imported
    assert owner(ip, "line", "hello") == "anymagic"
    assert owner(ip, "cell", "hello") == "anymagic"  # kind unknown until first use
    result, out, err = cell(ip, "%hello -n 2 world", capsys)
    assert result.success and out == "hello world\nhello world\n"
    assert owner(ip, "cell", "hello") == "none"  # its real kinds are known now
    result, out, err = cell(ip, "%%shout\nquiet\n", capsys)
    assert result.success and out == "QUIET\n"
    for name in list(sys.modules):
        if name.startswith("am_test"):
            del sys.modules[name]


def test_errors_are_ipython_usage_errors(ip, capsys) -> None:
    ip.run_line_magic("load_ext", "anymagic")
    result, out, err = cell(ip, "%anymagic nosuch", capsys)
    assert not result.success
    assert err == "UsageError: Line magic function `%nosuch` not found.\n"
    result, out, err = cell(ip, "%lprun -f", capsys)
    assert not result.success and err.startswith("UsageError: ") and "Traceback" not in out


def test_load_twice_says_already_loaded_and_unload_removes_everything(
    ip, capsys, tmp_path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)  # %logstart writes its log here
    magics = {kind: dict(table) for kind, table in ip.magics_manager.magics.items()}
    configurables = list(ip.configurables)
    callbacks = {event: list(fns) for event, fns in ip.events.callbacks.items()}
    result, out, err = cell(ip, "%load_ext anymagic", capsys)
    assert result.success and out == err == ""
    result, out, _ = cell(ip, "%load_ext anymagic", capsys)
    assert "already loaded" in out
    result, out, _ = cell(ip, "%load_ext anymagic.hosts.ipython", capsys)  # same thing
    assert out.startswith("The anymagic extension is already loaded.")
    ip.run_line_magic("unload_ext", "anymagic.hosts.ipython")
    assert adapter_for(ip) is not None
    ip.run_cell("%anymagic logstart -q")  # anymagic's logger registers a post_run_cell callback
    assert ip.events.callbacks != callbacks
    ip.run_line_magic("unload_ext", "anymagic")
    assert adapter_for(ip) is None
    assert {kind: dict(table) for kind, table in ip.magics_manager.magics.items()} == magics
    assert ip.configurables == configurables
    assert {event: list(fns) for event, fns in ip.events.callbacks.items()} == callbacks
    assert "__anymagic__" not in ip.user_ns


def test_data_folder_is_in_the_profile_unless_anymagic_dir_is_set(ip, monkeypatch) -> None:
    ip.run_line_magic("load_ext", "anymagic")
    adapter = adapter_for(ip)
    assert adapter.host.data_dir == Path(os.environ["ANYMAGIC_DIR"])
    monkeypatch.delenv("ANYMAGIC_DIR")
    assert adapter.host.data_dir == Path(ip.profile_dir.location) / "anymagic"


def test_anymagic_load_ext_hands_ipython_extensions_the_real_shell(ip, tmp_path, monkeypatch):
    (tmp_path / "ipy_only.py").write_text(
        "def load_ipython_extension(ip):\n    global SHELL\n    SHELL = ip\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    ip.run_line_magic("load_ext", "anymagic")
    assert ip.run_cell("%anymagic load_ext ipy_only").success
    assert sys.modules.pop("ipy_only").SHELL is ip


# -- the stock IPython kernel (ipykernel) ------------------------------------------------------
@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """ipykernel's python3 kernel whose profile config loads anymagic."""
    pytest.importorskip("ipykernel")
    pytest.importorskip("jupyter_client")

    base = tmp_path_factory.mktemp("ipykernel")
    profile = base / "ipython" / "profile_default"
    profile.mkdir(parents=True)
    (profile / "ipython_kernel_config.py").write_text(
        "c.InteractiveShellApp.extensions = ['anymagic']\n"
    )
    env = dict(os.environ, IPYTHONDIR=str(base / "ipython"), ANYMAGIC_DIR=str(base / "am"))
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
        env[var] = str(base / var.lower())
    for var in ("ANYMAGIC_DISABLE", "ANYMAGIC_NO_AUTOLOAD", "JUPYTER_PATH"):
        env.pop(var, None)
    with started_kernel("python3", env) as (_, kc):
        yield kc


def test_ipykernel_runs_anymagic_magics(kernel) -> None:
    out, err, reply = kernel_run(kernel, F + "%lprun -f f f(5)")
    assert reply["status"] == "ok", err
    assert "Line #      Hits" in out and "total += i" in out
    out, err, reply = kernel_run(kernel, "%anymagic bookmark -l")
    assert reply["status"] == "ok", err
    assert out.startswith("Current bookmarks:")
    out, err, reply = kernel_run(kernel, "%anymagic store")
    assert reply["status"] == "ok", err
    code = "m = get_ipython().find_line_magic\nprint(m('timeit').__module__, m('lprun').__module__)"
    out, err, reply = kernel_run(kernel, code)
    assert out == "IPython.core.magics.execution anymagic\n"
    out, err, reply = kernel_run(kernel, "%load_ext anymagic")
    assert "already loaded" in out


def test_ipykernel_timeit_stays_ipythons(kernel) -> None:
    out, err, reply = kernel_run(kernel, "%timeit -n 1 -r 1 sum(range(3))")
    assert reply["status"] == "ok", err
    assert "per loop" in out
