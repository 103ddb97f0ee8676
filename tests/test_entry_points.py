"""Entry-point discovery through real ``pip install``s, seen from fresh ``anymagic`` processes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests import dists

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

REGISTRY = "from anymagic.registry.session import current_session as _s\nreg = _s().registry\n"


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return dists.install_all(tmp_path_factory.mktemp("dists"))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "anymagic-dir"
    path.mkdir()
    return path


@pytest.fixture
def site(tmp_path: Path, installed: dict[str, Path]) -> Path:
    """A private site folder holding am-testplugin."""
    return dists.place(installed["am-testplugin"], tmp_path / "site")


def run(code: str, data_dir: Path, *sites: Path, **env: str):
    return dists.run_anymagic("-c", code, data_dir=data_dir, sites=sites, env=env)


def cache_file(data_dir: Path) -> Path:
    return data_dir / "cache" / "entry-points.json"


def cached_rows(data: dict) -> list[list[str]]:
    """Rows of the most recent cache entry (the cache keeps a few keys, newest first)."""
    return data["slots"][0]["entry_points"] if "slots" in data else data["entry_points"]


def add_fake_row(cache: Path) -> None:
    """Make the cache distinguishable from a scan: a row no distribution declares."""
    data = json.loads(cache.read_text())
    for slot in data.get("slots", [data]):
        slot["entry_points"].append(["anymagic.magics", "cachedonly", "am_nowhere:f", "am-nowhere"])
    cache.write_text(json.dumps(data))


# -- installed magics: listed, lazy, working ------------------------------------------------------
def test_installed_magics_are_listed(site: Path, data_dir: Path) -> None:
    proc = run("%lsmagic", data_dir, site)
    assert proc.returncode == 0, proc.stderr
    assert "  am-testplugin: %common  %hello  %twice\n" in proc.stdout
    assert "  am-testplugin: %%shout\n" in proc.stdout
    assert "  anymagic: %alias  %autocall" in proc.stdout
    assert proc.stderr == ""


def test_start_up_imports_no_plugin(site: Path, data_dir: Path) -> None:
    code = REGISTRY + (
        "import sys\n"
        "print(sorted(m for m in sys.modules if m.startswith('am_')))\n"
        "print('hello' in reg, 'shout' in reg, 'twice' in reg)\n"
    )
    proc = run(code, data_dir, site)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "[]\nTrue True True\n"


def test_plugin_imported_on_first_use_only(site: Path, data_dir: Path) -> None:
    code = (
        "import sys\n"
        "print('am_testplugin' in sys.modules)\n"
        "%hello -n 2 world\n"
        "print('am_testplugin' in sys.modules, 'am_testplugin.tools' in sys.modules)\n"
        "%twice ab\n"
    )
    proc = run(code, data_dir, site)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "False\nhello world\nhello world\nTrue False\nOut[1]: 'abab'\n"


def test_cell_magic_and_magic_arguments(site: Path, data_dir: Path) -> None:
    proc = run("%%shout\nquiet words\n", data_dir, site)
    assert (proc.returncode, proc.stdout) == (0, "QUIET WORDS\n")
    proc = run("%hello --bogus", data_dir, site)
    assert proc.returncode == 1
    assert "UsageError" in proc.stderr and "Traceback" not in proc.stderr
    proc = run("%hello?", data_dir, site)
    assert "-n TIMES, --times TIMES" in proc.stdout or "--times" in proc.stdout


def test_uninstalled_plugin_vanishes(site: Path, data_dir: Path) -> None:
    assert run("%hello you", data_dir, site).stdout == "hello you\n"
    dists.uninstall(site, "am-testplugin")
    assert sorted(p.name for p in site.iterdir()) == []
    proc = run("%hello you", data_dir, site)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr == "UsageError: Line magic function `%hello` not found.\n"
    assert "am-testplugin" not in run("%lsmagic -v", data_dir, site).stdout


# -- the cache ------------------------------------------------------------------------------------
def test_unchanged_install_is_not_rescanned(site: Path, data_dir: Path) -> None:
    assert run("pass", data_dir, site).returncode == 0
    cache = cache_file(data_dir)
    data = json.loads(cache.read_text())
    assert ["anymagic.magics", "hello", "am_testplugin:Greetings", "am-testplugin"] in cached_rows(
        data
    )
    before = cache.stat().st_mtime_ns
    assert run("pass", data_dir, site).returncode == 0
    assert cache.stat().st_mtime_ns == before  # not rewritten

    add_fake_row(cache)
    probe = REGISTRY + "print('cachedonly' in reg, 'hello' in reg)\n"
    assert run(probe, data_dir, site).stdout == "True True\n"  # read from the cache


def test_changed_install_is_seen(site: Path, data_dir: Path, installed: dict[str, Path]) -> None:
    assert run("pass", data_dir, site).returncode == 0
    cache = cache_file(data_dir)
    add_fake_row(cache)

    dists.place(installed["am-broken"], site)  # a new install into the same folder
    probe = REGISTRY + "print('cachedonly' in reg, 'brokenmagic' in reg, 'hello' in reg)\n"
    proc = run(probe, data_dir, site)
    assert proc.stdout == "False True True\n", proc.stderr
    rows = cached_rows(json.loads(cache.read_text()))
    assert ["anymagic.magics", "brokenmagic", "am_broken:brokenmagic", "am-broken"] in rows


def test_new_sys_path_entry_is_seen(site: Path, data_dir: Path, tmp_path: Path, installed) -> None:
    assert "brokenmagic" not in run("%lsmagic -v", data_dir, site).stdout
    other = dists.place(installed["am-broken"], tmp_path / "other")
    proc = run(REGISTRY + "print('brokenmagic' in reg)", data_dir, site, other)
    assert proc.stdout == "True\n"


# -- conflicts ------------------------------------------------------------------------------------
def test_conflict_winner_listing_and_warning(site: Path, data_dir: Path, installed) -> None:
    dists.place(installed["am-conflict"], site)
    proc = run("%common\n%hello x\n%common\n%lsmagic -v", data_dir, site)
    assert proc.returncode == 0, proc.stderr
    # alphabetical by distribution name: am-conflict beats am-testplugin, even after
    # am-testplugin's group (which also defines %common) has been imported by %hello
    assert proc.stdout.startswith("common from am-conflict\nhello x\ncommon from am-conflict\n")
    # anymagic's own %lsmagic always wins over a plugin's claim
    assert "lsmagic from am-conflict" not in proc.stdout
    assert "Available line magics:" in proc.stdout
    assert (
        "Conflict: %common claimed by am-conflict (am_conflict:common), "
        "am-testplugin (am_testplugin:Greetings) (first wins)"
    ) in proc.stdout
    assert (
        "Conflict: %lsmagic claimed by anymagic (anymagic.core_magics.basic:BasicMagics), "
        "am-conflict (am_conflict:lsmagic) (first wins)"
    ) in proc.stdout
    warnings = proc.stderr.splitlines()
    assert len(warnings) == 2, proc.stderr
    assert warnings[0].startswith(
        "anymagic: %common is claimed by am-conflict (am_conflict:common), am-testplugin"
    )
    assert warnings[1].startswith("anymagic: %lsmagic is claimed by anymagic")
    assert all("ANYMAGIC_DISABLE" in line for line in warnings)


def test_conflict_resolved_by_disabling(site: Path, data_dir: Path, installed) -> None:
    dists.place(installed["am-conflict"], site)
    proc = run("%common", data_dir, site, ANYMAGIC_DISABLE="am-conflict")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "common from am-testplugin\n", "")


# -- a plugin that fails to import ----------------------------------------------------------------
def test_broken_plugin_in_a_process(site: Path, data_dir: Path, installed) -> None:
    dists.place(installed["am-broken"], site)
    proc = run("%brokenmagic", data_dir, site)
    assert proc.returncode == 1
    first = proc.stderr.splitlines()[0]
    assert first.startswith(
        "anymagic: could not load plugin am-broken (am_broken:brokenmagic): ImportError:"
    )
    assert "no_such_dependency" in first
    assert "Traceback" not in proc.stderr
    proc = run("%lsmagic", data_dir, site)  # listing still works and points at the failure
    assert proc.returncode == 0
    assert "1 plugin(s) failed to load: am-broken (%lsmagic -v)" in proc.stdout
    assert "%hello" in proc.stdout


@pytest.fixture
def in_process(site: Path, data_dir: Path, installed, monkeypatch: pytest.MonkeyPatch):
    """A Session in this process with ``site`` on sys.path; plugin modules removed after."""
    dists.place(installed["am-broken"], site)
    monkeypatch.syspath_prepend(str(site))
    for name in ("ANYMAGIC_DISABLE", "ANYMAGIC_NO_AUTOLOAD"):
        monkeypatch.delenv(name, raising=False)
    yield site
    for name in [
        m for m in sys.modules if m.split(".")[0] in ("am_testplugin", "am_broken", "am_testext")
    ]:
        del sys.modules[name]


def test_broken_plugin_session_keeps_working(in_process, data_dir: Path, capsys) -> None:
    from anymagic import BaseHost

    session = BaseHost(data_dir=data_dir).attach()
    first = session.run_cell("%brokenmagic")
    assert not first.success
    err = capsys.readouterr().err
    assert err.splitlines()[0].startswith(
        "anymagic: could not load plugin am-broken (am_broken:brokenmagic)"
    )
    assert session.run_cell("print('still alive')\n%hello there").success
    assert capsys.readouterr().out == "still alive\nhello there\n"
    session.run_cell("%lsmagic -v")
    out = capsys.readouterr().out
    assert "Failed to load am-broken (am_broken:brokenmagic): ImportError: am_broken needs" in out
    # using it again still names the plugin instead of a bare "not found"
    assert not session.run_cell("%brokenmagic").success
    err = capsys.readouterr().err
    assert "am-broken" in err and "failed to load" in err and "Traceback" not in err


# -- disabling ------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["am-testplugin", "AM_TestPlugin", "other, am-testplugin"])
def test_disabled_by_environment(site: Path, data_dir: Path, value: str) -> None:
    env = {"ANYMAGIC_DISABLE": value}
    proc = run("%lsmagic", data_dir, site, **env)
    assert "%hello" not in proc.stdout and "%%shout" not in proc.stdout
    assert "%lsmagic" in proc.stdout
    proc = run("%hello x", data_dir, site, **env)
    assert (proc.returncode, proc.stderr) == (
        1,
        "UsageError: Line magic function `%hello` not found.\n",
    )
    verbose = run("%lsmagic -v", data_dir, site, **env).stdout
    assert "Disabled: am-testplugin (hello = am_testplugin:Greetings)" in verbose


def test_disabled_plugin_offers_no_extension(site: Path, data_dir: Path) -> None:
    proc = run("%load_ext", data_dir, site, ANYMAGIC_DISABLE="am-testplugin")
    assert "testext" not in proc.stdout
    proc = run("%load_ext testext", data_dir, site, ANYMAGIC_DISABLE="am-testplugin")
    assert proc.returncode == 1
    assert "testext" in proc.stderr


def test_disabled_by_config_file(site: Path, data_dir: Path) -> None:
    (data_dir / "anymagic_config.py").write_text(
        "c.Anymagic.disabled_plugins = ['am-testplugin']\n"
    )
    proc = run("%lsmagic", data_dir, site)
    assert proc.returncode == 0, proc.stderr
    assert "%hello" not in proc.stdout and "%lsmagic" in proc.stdout


def test_disabled_by_command_line(site: Path, data_dir: Path) -> None:
    for setting in ("--Anymagic.disabled_plugins=['am-testplugin']", "--Anymagic.autoload=False"):
        proc = dists.run_anymagic(setting, "-c", "%lsmagic", data_dir=data_dir, sites=[site])
        assert proc.returncode == 0, proc.stderr
        assert "%hello" not in proc.stdout, setting
        assert "%lsmagic" in proc.stdout


def test_no_autoload_keeps_only_anymagic(site: Path, data_dir: Path) -> None:
    proc = run("%lsmagic -v", data_dir, site, ANYMAGIC_NO_AUTOLOAD="1")
    assert proc.returncode == 0, proc.stderr
    assert "%hello" not in proc.stdout.split("Disabled:")[0]
    assert "  anymagic: %alias  %autocall" in proc.stdout and "am-testplugin:" not in proc.stdout
    assert "Extensions (%load_ext NAME): autocall\n" in proc.stdout
    (data_dir / "anymagic_config.py").write_text("c.Anymagic.autoload = False\n")
    proc = run("%lsmagic", data_dir, site)
    assert "%hello" not in proc.stdout and "%lsmagic" in proc.stdout
