"""Extensions in-process: ``%load_ext``, ``%unload_ext``, ``%reload_ext`` on a BaseHost session."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from tests import dists

PLUGIN_MODULES = ("am_testplugin", "am_testext")

# Registers one of everything, through anymagic's API; its unload hook does nothing.
EVERYTHING = """
from anymagic import Magics, line_magic, magics_class

calls = []


@magics_class
class Ahoy(Magics):
    @line_magic
    def ahoy(self, line):
        self.shell.write("ahoy " + line + "\\n")


def shout(line, cell):
    return cell.upper()


def after(result=None):
    calls.append("after")


def direct(result=None):
    calls.append("direct")


def bang(statement):
    if statement.text.startswith("BANG"):
        return "print('bang!')"
    return None


def double(source):
    return source.replace("@@", "2 * ")


def load_extension(host):
    host.register_magics(Ahoy)
    host.register_magic_function(shout, "cell", "shout")
    host.register_event("post_run_cell", after)
    host.events.register("post_run_cell", direct)  # IPython style: straight on the host
    host.add_input_transformer(bang)
    host.add_input_transformer(double, cell=True)


def unload_extension(host):
    pass
"""


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return dists.install_all(tmp_path_factory.mktemp("dists"), ("am-testplugin",))


@pytest.fixture
def ext_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A folder on sys.path for extension modules; modules imported from it are forgotten after."""
    folder = tmp_path / "exts"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # edited modules must reload
    for name in ("ANYMAGIC_DISABLE", "ANYMAGIC_NO_AUTOLOAD"):
        monkeypatch.delenv(name, raising=False)
    yield folder
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None) or ""
        if file.startswith(str(tmp_path)) or name.split(".")[0] in PLUGIN_MODULES:
            del sys.modules[name]


@pytest.fixture
def session(ext_dir: Path, tmp_path: Path):
    from anymagic import BaseHost

    return BaseHost(data_dir=tmp_path / "data").attach()


def write(folder: Path, name: str, source: str) -> None:
    (folder / f"{name}.py").write_text(textwrap.dedent(source))


def run(session, source: str, capsys) -> tuple[bool, str, str]:
    result = session.run_cell(source)
    out, err = capsys.readouterr()
    return result.success, out, err


# -- loading ------------------------------------------------------------------------------------
def test_load_by_module_name(session, ext_dir: Path, capsys) -> None:
    write(ext_dir, "ext_all", EVERYTHING)
    assert run(session, "%load_ext ext_all", capsys) == (True, "", "")
    assert run(session, "%ahoy sailor", capsys) == (True, "ahoy sailor\n", "")
    assert session.run_cell("%%shout\nquiet", silent=True).result == "QUIET"
    assert run(session, "BANG", capsys) == (True, "bang!\n", "")
    assert session.run_cell("@@21", silent=True).result == 42
    assert "after" in sys.modules["ext_all"].calls
    assert "direct" in sys.modules["ext_all"].calls
    assert "ext_all" in session.extensions.loaded


def test_load_by_entry_point_name(session_with_plugin, capsys) -> None:
    session = session_with_plugin
    assert "am_testext" not in sys.modules
    assert run(session, "%load_ext testext", capsys) == (True, "", "")
    assert "am_testext" in sys.modules
    assert session.run_cell("%testext_magic hi", silent=True).result == "testext:hi"
    runs = sys.modules["am_testext"].runs
    assert runs  # its post_run_cell callback fired
    # the same extension under its module name is already loaded
    ok, out, _ = run(session, "%load_ext am_testext", capsys)
    assert ok and "already loaded" in out
    assert run(session, "%unload_ext testext", capsys) == (True, "", "")
    count = len(runs)
    ok, _, err = run(session, "%testext_magic hi", capsys)
    assert not ok and "`%testext_magic` not found" in err
    assert len(runs) == count  # callback gone too


@pytest.fixture
def session_with_plugin(ext_dir: Path, tmp_path: Path, installed, monkeypatch):
    from anymagic import BaseHost

    site = dists.place(installed["am-testplugin"], tmp_path / "site")
    monkeypatch.syspath_prepend(str(site))
    return BaseHost(data_dir=tmp_path / "data").attach()


def test_list_without_importing(session_with_plugin, capsys) -> None:
    ok, out, _ = run(session_with_plugin, "%load_ext", capsys)
    assert ok
    assert out == "Installed extensions: autocall, testext\nLoaded: (none)\n"
    assert "am_testext" not in sys.modules
    run(session_with_plugin, "%load_ext testext", capsys)
    ok, out, _ = run(session_with_plugin, "%load_ext", capsys)
    assert out == "Installed extensions: autocall, testext\nLoaded: am_testext\n"


def test_load_twice_says_already_loaded(session, ext_dir: Path, capsys) -> None:
    write(ext_dir, "ext_all", EVERYTHING)
    run(session, "%load_ext ext_all", capsys)
    ok, out, err = run(session, "%load_ext ext_all", capsys)
    assert ok and err == ""
    assert (
        out
        == "The ext_all extension is already loaded. To reload it, use:\n  %reload_ext ext_all\n"
    )
    assert len(session.events.callbacks["post_run_cell"]) == 2  # not registered twice


def test_load_ipython_extension_is_accepted(session, ext_dir: Path, capsys) -> None:
    write(
        ext_dir,
        "ipy_ext",
        """
        def hi(line):
            return "hi " + line

        def load_ipython_extension(ip):
            ip.register_magic_function(hi, "line", "hi")

        def unload_ipython_extension(ip):
            ip.unloaded = True
        """,
    )
    assert run(session, "%load_ext ipy_ext", capsys) == (True, "", "")
    assert session.run_cell("%hi there", silent=True).result == "hi there"
    assert run(session, "%unload_ext ipy_ext", capsys) == (True, "", "")
    assert session.unloaded is True
    assert not session.run_cell("%hi there").success


# -- unloading and reloading ------------------------------------------------------------------
def test_unload_removes_everything_though_hook_does_nothing(session, ext_dir: Path, capsys) -> None:
    write(ext_dir, "ext_all", EVERYTHING)
    callbacks = {event: list(fns) for event, fns in session.events.callbacks.items()}
    run(session, "%load_ext ext_all", capsys)
    assert run(session, "%unload_ext ext_all", capsys) == (True, "", "")
    calls = sys.modules["ext_all"].calls
    calls.clear()
    ok, _, err = run(session, "%ahoy sailor", capsys)
    assert not ok and err == "UsageError: Line magic function `%ahoy` not found.\n"
    ok, _, err = run(session, "%%shout\nquiet", capsys)
    assert not ok and "`%%shout` not found" in err
    ok, _, err = run(session, "BANG", capsys)  # the line transform is gone: a NameError now
    assert not ok and "NameError" in err
    ok, _, err = run(session, "@@21", capsys)  # the cell transform is gone
    assert not ok and "SyntaxError" in err
    assert calls == []  # neither callback fires
    assert {event: list(fns) for event, fns in session.events.callbacks.items()} == callbacks
    assert "ext_all" not in session.extensions.loaded
    ok, _, err = run(session, "%unload_ext ext_all", capsys)
    assert not ok and err == "UsageError: The ext_all extension is not loaded.\n"


def test_unload_restores_what_was_shadowed(session, ext_dir: Path, capsys) -> None:
    write(ext_dir, "ext_all", EVERYTHING)
    session.run_cell("def ahoy(line):\n    return 'mine ' + line\n")
    session.register_magic_function(session.user_ns["ahoy"])
    run(session, "%load_ext ext_all", capsys)
    assert run(session, "%ahoy x", capsys)[1] == "ahoy x\n"
    run(session, "%unload_ext ext_all", capsys)
    assert session.run_cell("%ahoy x", silent=True).result == "mine x"


def test_reload_picks_up_an_edited_module(session, ext_dir: Path, capsys) -> None:
    source = """
        def version(line):
            return "{}"

        def load_extension(host):
            host.register_magic_function(version)
        """
    write(ext_dir, "ext_ver", source.format("one"))
    run(session, "%load_ext ext_ver", capsys)
    assert session.run_cell("%version", silent=True).result == "one"
    write(ext_dir, "ext_ver", source.format("two, edited"))
    assert run(session, "%reload_ext ext_ver", capsys) == (True, "", "")
    assert session.run_cell("%version", silent=True).result == "two, edited"
    assert len(session.registry._bindings["line"]["version"]) == 1  # the old one is gone


# -- failures -------------------------------------------------------------------------------------
def test_failing_load_hook_registers_nothing(session, ext_dir: Path, capsys) -> None:
    failing = EVERYTHING.replace(
        "    host.add_input_transformer(double, cell=True)\n",
        "    host.add_input_transformer(double, cell=True)\n    raise RuntimeError('half way')\n",
    )
    write(ext_dir, "ext_bad", failing)
    callbacks = {event: list(fns) for event, fns in session.events.callbacks.items()}
    ok, out, err = run(session, "%load_ext ext_bad", capsys)
    assert not ok and out == ""
    assert err.splitlines()[0] == (
        "anymagic: could not load plugin extension 'ext_bad': RuntimeError: half way"
    )
    assert "Traceback" not in err
    assert "ext_bad" not in session.extensions.loaded
    assert not session.run_cell("%ahoy x").success
    assert not session.run_cell("BANG").success
    assert {event: list(fns) for event, fns in session.events.callbacks.items()} == callbacks
    capsys.readouterr()
    assert run(session, "print(6 * 7)", capsys) == (True, "42\n", "")  # the session still works
    ok, out, err = run(session, "%load_ext ext_bad", capsys)  # a new attempt, not "already loaded"
    assert not ok and "half way" in err


def test_module_without_hook_is_a_usage_error(session, ext_dir: Path, capsys) -> None:
    write(ext_dir, "not_ext", "VALUE = 1\n")
    ok, _, err = run(session, "%load_ext not_ext", capsys)
    assert not ok
    assert err == "UsageError: not_ext is not an extension: it has no load_extension(host).\n"


def test_unknown_extension(session, capsys) -> None:
    ok, _, err = run(session, "%load_ext no_such_extension_here", capsys)
    assert not ok
    assert err == "UsageError: No module or extension named 'no_such_extension_here'.\n"


def test_extension_with_a_missing_dependency_is_named(session, ext_dir: Path, capsys) -> None:
    # the missing module's name is a prefix of the extension's: still the dependency's fault
    write(ext_dir, "needy_ext", "import needy\n\ndef load_extension(host):\n    pass\n")
    ok, _, err = run(session, "%load_ext needy_ext", capsys)
    assert not ok
    assert err.startswith(
        "anymagic: could not load plugin extension 'needy_ext': ModuleNotFoundError"
    )
    assert "needy" in err


def test_extension_failing_at_import_is_named(session, ext_dir: Path, capsys) -> None:
    write(ext_dir, "boom_ext", "raise ValueError('boom at import')\n")
    ok, _, err = run(session, "%load_ext boom_ext", capsys)
    assert not ok
    assert err.splitlines()[0] == (
        "anymagic: could not load plugin extension 'boom_ext': ValueError: boom at import"
    )


# -- the bundled autocall extension ---------------------------------------------------------------
def test_autocall_extension(session, capsys) -> None:
    session.run_cell("def f(*args):\n    return args\n")
    assert not session.run_cell("f 3").success  # plain Python: a SyntaxError
    capsys.readouterr()
    assert run(session, "%load_ext autocall", capsys) == (True, "", "")
    assert session.run_cell("f 3", silent=True).result == (3,)
    assert session.run_cell(",f a b", silent=True).result == ("a", "b")
    assert session.run_cell(";f a b", silent=True).result == ("a b",)
    assert session.run_cell("x = 5\nx", silent=True).result == 5  # not a callable: left alone
    assert run(session, "%unload_ext autocall", capsys) == (True, "", "")
    assert not session.run_cell("f 3").success
    assert not session.run_cell(",f a b").success
    capsys.readouterr()
    assert run(session, "%load_ext autocall", capsys) == (True, "", "")  # and back again
    assert session.run_cell("f 4", silent=True).result == (4,)


def test_a_known_extension_whose_package_is_missing_says_so(tmp_path) -> None:
    from anymagic import BaseHost, UsageError

    session = BaseHost(data_dir=tmp_path).attach()
    session.extensions.aliases["fancy"] = "no_such_package_xyz.extensions.fancy"
    result = session.run_cell("%load_ext fancy")
    assert isinstance(result.error, UsageError)
    assert str(result.error) == (
        "The fancy extension is no_such_package_xyz.extensions.fancy, "
        "and no_such_package_xyz is not installed."
    )
