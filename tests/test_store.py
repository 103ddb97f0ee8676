"""``%store``: store, list, restore, forget, files, bad input, faults, IPython interop."""

from __future__ import annotations

import os
import pickle
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from anymagic.core_magics import store as store_module
from anymagic.registry.pickledb import TMP_DIR, PickleDB
from tests.conftest import Shell, subprocess_env

BIN = Path(sys.executable).parent


class Macro:
    """Stands in for anymagic's future Macro class: plain pickling must bring it back."""

    _anymagic_macro_ = True

    def __init__(self, value: str) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Macro) and other.value == self.value


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (for "nothing changed" checks)."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def use_db(sh: Shell, root: Path) -> None:
    """Point the session's %store at ``root`` (``%config`` only sees groups already loaded)."""
    group = sh.session.registry.group_instance(store_module.StoreMagics)
    group.db_dir = str(root)


@pytest.fixture
def db_root(private_dirs: Path) -> Path:
    return private_dirs / "db"


def fresh(private_dirs: Path, config: object = None) -> Shell:
    """A new session on the same data directory (what a restart gives)."""
    sh = Shell(private_dirs)
    if config is not None:
        sh.session.config = config
    return sh


# -- the basic forms ---------------------------------------------------------------------------
def test_store_and_restore_in_a_new_session(shell, private_dirs, db_root):
    shell.run("x = [1, 'two', 3.0]\ny = {'a': (1, 2)}")
    out, err, result = shell.run("%store x y")
    assert result.success, err
    assert out == "Stored 'x' (list)\nStored 'y' (dict)\n"
    assert sorted(os.listdir(db_root / "autorestore")) == ["x", "y"]
    other = fresh(private_dirs)
    assert "x" not in other.ns
    out, err, result = other.run("%store -r")
    assert result.success and (out, err) == ("", "")
    assert other.ns["x"] == [1, "two", 3.0] and other.ns["y"] == {"a": (1, 2)}


def test_restore_some_and_overwrite(shell):
    shell.run("a = 1\nb = 2\n%store a b\na = 10\nb = 20")
    out, err, result = shell.run("%store -r a")
    assert result.success, err
    assert (shell.ns["a"], shell.ns["b"]) == (1, 20)


def test_listing(shell):
    out, _, _ = shell.run("%store")
    assert out == "No stored variables.\n"
    shell.run("long_name = 'x' * 100\nn = 42\n%store long_name n")
    out, err, result = shell.run("%store")
    assert result.success, err
    assert out.splitlines() == [
        "Stored variables and their in-db values:",
        "long_name -> " + repr("x" * 100)[:50],
        "n         -> 42",
    ]


def test_delete_and_forget_all(shell, db_root):
    shell.run("a = 1\nb = 2\nc = 3\n%store a b c")
    out, err, result = shell.run("%store -d a")
    assert result.success, err
    assert sorted(os.listdir(db_root / "autorestore")) == ["b", "c"]
    shell.run("%store -d b c")
    assert os.listdir(db_root / "autorestore") == []
    shell.run("%store a b")
    out, err, result = shell.run("%store -z")
    assert result.success, err
    assert os.listdir(db_root / "autorestore") == []


def test_store_again_replaces(shell, private_dirs):
    shell.run("v = 1\n%store v\nv = 2\n%store v")
    other = fresh(private_dirs)
    other.run("%store -r v")
    assert other.ns["v"] == 2


def test_write_and_append_to_a_file(shell, tmp_path):
    target = tmp_path / "out.txt"
    shell.ns["target"] = str(target)
    shell.run("data = [1, 2]\ntext = 'line'")
    out, err, result = shell.run(f"%store data > {target}")
    assert result.success, err
    assert out == f"Writing 'data' (list) to file '{target}'.\n"
    shell.run(f"%store text >>{target}")
    shell.run(f"%store data>>{target}")
    assert target.read_text() == "[1, 2]\nline\n[1, 2]\n"
    shell.run(f"%store text > {target}")
    assert target.read_text() == "line\n"
    shell.run("%store data > $target")  # $name expansion works like any magic line
    assert target.read_text() == "[1, 2]\n"
    shell.run(f"%store data[0] > '{target}'")  # an expression, and a quoted name
    assert target.read_text() == "1\n"


def test_macros_and_module_classes_come_back_as_themselves(shell, private_dirs):
    shell.ns["m"] = Macro("print(1)")
    out, err, result = shell.run("%store m")
    assert result.success, err
    other = fresh(private_dirs)
    other.run("%store -r m")
    assert isinstance(other.ns["m"], Macro) and other.ns["m"] == Macro("print(1)")


def test_files_and_folders_are_private(shell, db_root):
    shell.run("x = 1\n%store x")
    assert stat.S_IMODE(db_root.stat().st_mode) == 0o700
    assert stat.S_IMODE((db_root / "autorestore").stat().st_mode) == 0o700
    assert stat.S_IMODE((db_root / "autorestore" / "x").stat().st_mode) == 0o600
    assert os.listdir(db_root / TMP_DIR) == []  # no temporary file left behind


def test_db_dir_is_configurable(tmp_path, private_dirs):
    from traitlets.config import Config

    from anymagic import BaseHost, Session

    elsewhere = tmp_path / "elsewhere" / "db"
    cfg = Config()
    cfg.StoreMagics.db_dir = str(elsewhere)
    session = Session(BaseHost(data_dir=private_dirs), config=cfg)
    session.run_cell("z = 5\n%store z")
    assert (elsewhere / "autorestore" / "z").is_file()
    assert not (private_dirs / "db").exists()
    session.run_cell("%config StoreMagics.db_dir = ''")
    session.run_cell("%store z")
    assert (private_dirs / "db" / "autorestore" / "z").is_file()


def test_pickle_protocol_is_configurable(shell, db_root):
    shell.run("p = b'abc'\n%store p")
    assert (db_root / "autorestore" / "p").read_bytes()[:2] == b"\x80\x05"
    _, err, result = shell.run("%config StoreMagics.pickle_protocol = 2")
    assert result.success, err
    shell.run("%store p")
    assert (db_root / "autorestore" / "p").read_bytes()[:2] == b"\x80\x02"
    _, err, result = shell.run("%config StoreMagics.pickle_protocol = 9")
    assert not result.success and "pickle_protocol must be 2 to" in err


# -- bad input: one clear line plus the usage, and nothing changes --------------------------------
@pytest.mark.parametrize(
    "line, message",
    [
        ("%store -q", "unknown option -q"),
        ("%store --all", "unknown option --all"),
        ("%store -rd x", "use one of -d, -r, -z at a time"),
        ("%store nosuchvar", "unknown variable 'nosuchvar'"),
        ("%store x nosuchvar", "unknown variable 'nosuchvar'"),
        ("%store -d nosuch", "no stored variable 'nosuch'"),
        ("%store -d x nosuch", "no stored variable 'nosuch'"),
        ("%store -d", "-d needs the name of a variable to forget"),
        ("%store -r nosuch", "no stored variable 'nosuch'"),
        ("%store -r ../x", "no stored variable '../x'"),
        ("%store -d ../../etc", "no stored variable '../../etc'"),
        ("%store -z x", "-z takes no names"),
        ("%store x > /nonexistent/dir/f", "cannot write '/nonexistent/dir/f': no such directory"),
        ("%store nosuch > out.txt", "unknown variable 'nosuch'"),
        ("%store x >", "a file name must follow >"),
        ("%store > f", "cannot read '> f'"),
        ("%store x > a > b", "cannot read"),
        ("%store 1/0 > f", "cannot evaluate '1/0': ZeroDivisionError"),
    ],
)
def test_bad_input_is_one_line_plus_usage_and_changes_nothing(shell, db_root, line, message):
    shell.run("x = 1\nkept = 2\n%store x kept\nx = 99")
    before = snapshot(db_root)
    out, err, result = shell.run(line)
    assert not result.success
    first, usage = err.splitlines()
    assert first.startswith("UsageError: %store: ") and message in first, err
    assert usage.startswith("usage: %store [VAR ...]")
    assert snapshot(db_root) == before
    assert shell.ns["x"] == 99 and not Path("out.txt").exists() and not Path("f").exists()


def test_writing_a_file_into_a_directory_path_is_refused(shell, tmp_path):
    shell.run("x = 1")
    _, err, result = shell.run(f"%store x > {tmp_path}")
    assert not result.success and "it is a directory" in err


# -- values that cannot be stored ----------------------------------------------------------------
@pytest.mark.parametrize(
    "setup, message",
    [
        ("bad = lambda: 1", "function <lambda> is defined in this session"),
        ("import os\nbad = open(os.devnull)", "cannot be pickled"),
        ("import threading\nbad = threading.Lock()", "cannot be pickled"),
        ("class Local: pass\nbad = Local()", "its class Local is defined in this session"),
        ("bad = [1, (lambda: 2)]", "cannot be pickled"),
    ],
)
def test_unpicklable_value_is_a_clear_error_and_nothing_is_written(shell, db_root, setup, message):
    shell.run("good = 1\n%store good\ngood = 2\nfresh_name = 3")
    shell.run(setup)
    before = snapshot(db_root)
    _, err, result = shell.run("%store fresh_name good bad")  # all or nothing
    assert not result.success
    assert err.startswith("UsageError: %store: cannot store 'bad'") and message in err, err
    assert snapshot(db_root) == before
    assert os.listdir(db_root / TMP_DIR) == []
    if "open(" in setup:
        shell.run("bad.close()")


def test_reduce_raising_is_reported(shell, db_root):
    shell.ns["bad"] = Exploding()
    _, err, result = shell.run("%store bad")
    assert not result.success
    assert "cannot store 'bad': Exploding value cannot be pickled (RuntimeError: nope)" in err
    assert not (db_root / "autorestore" / "bad").exists()


class Exploding:
    def __reduce__(self):
        raise RuntimeError("nope")


# -- entries that cannot be restored -------------------------------------------------------------
def test_damaged_entry_is_named_and_the_others_restore(shell, private_dirs, db_root):
    shell.run("a = list(range(100))\nb = 'bee'\nc = {'k': 1}\n%store a b c")
    path = db_root / "autorestore" / "b"
    path.write_bytes(path.read_bytes()[:5])  # truncated
    other = fresh(private_dirs)
    out, err, result = other.run("%store -r")
    assert result.success
    assert err.startswith("%store: could not restore 'b': ")
    assert "%store -d b forgets it" in err and len(err.splitlines()) == 1
    assert other.ns["a"] == list(range(100)) and other.ns["c"] == {"k": 1} and "b" not in other.ns
    out, _, _ = other.run("%store")
    assert "b -> <unavailable: " in out and "a -> [0, 1, 2" in out
    (db_root / "autorestore" / "c").write_bytes(b"")  # empty file
    other.run("del a")
    out, err, result = other.run("%store -r a c")
    assert other.ns["a"] == list(range(100)) and "could not restore 'c': EOFError" in err


def test_missing_class_is_named_and_the_others_restore(shell, private_dirs, tmp_path, monkeypatch):
    module_dir = tmp_path / "mods"
    module_dir.mkdir()
    (module_dir / "gone_module.py").write_text("class Thing:\n    pass\n")
    monkeypatch.syspath_prepend(str(module_dir))
    shell.run("import gone_module\nthing = gone_module.Thing()\nok = 7\n%store thing ok")
    (module_dir / "gone_module.py").unlink()
    monkeypatch.delitem(sys.modules, "gone_module")
    other = fresh(private_dirs)
    out, err, result = other.run("%store -r")
    assert result.success
    assert "could not restore 'thing': ModuleNotFoundError: No module named 'gone_module'" in err
    assert other.ns["ok"] == 7 and "thing" not in other.ns


def test_temporary_files_are_not_variables(shell, db_root):
    shell.run("x = 1\n%store x")
    (db_root / TMP_DIR / "y.abc.tmp").write_bytes(b"\x80\x05junk")
    (db_root / "autorestore" / ".hidden").write_bytes(b"junk")
    out, _, _ = shell.run("%store")
    assert out.splitlines()[1:] == ["x -> 1"]


def test_stale_temporary_files_are_cleaned(shell, db_root):
    shell.run("x = 1\n%store x")
    stale = db_root / TMP_DIR / "x.old.tmp"
    stale.write_bytes(b"partial")
    os.utime(stale, (1, 1))
    shell.run("%store x")
    assert not stale.exists()


# -- untrusted databases ---------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["db", "db/autorestore"])
@pytest.mark.parametrize("mode", [0o777, 0o720, 0o702])
def test_db_writable_by_others_is_refused(shell, private_dirs, which, mode):
    shell.run("x = 1\n%store x\ndel x")
    folder = private_dirs / which
    folder.chmod(mode)
    for line in ("%store -r", "%store -r x", "%store"):
        _, err, result = shell.run(line)
        assert not result.success
        first = err.splitlines()[0]
        assert first == (
            f"UsageError: %store: refusing to restore from {folder}: other users can write to it "
            f"(mode {mode:04o}) and unpickling runs code; fix with: chmod go-w {folder}"
        )
    assert "x" not in shell.ns
    cfg = _autorestore_config()
    other = fresh(private_dirs, cfg)
    err = _run_autorestore(other)
    assert (
        err.startswith(f"%store: refusing to restore from {folder}")
        and "(autorestore skipped)" in err
    )
    assert "x" not in other.ns
    folder.chmod(0o700)
    shell.run("%store -r")
    assert shell.ns["x"] == 1


def test_db_owned_by_another_user_is_refused(shell, db_root, monkeypatch):
    shell.run("x = 1\n%store x")
    real = os.geteuid()
    monkeypatch.setattr(os, "geteuid", lambda: real + 1)
    _, err, result = shell.run("%store -r")
    assert not result.success
    assert f"refusing to restore from {db_root}: it belongs to user id {real}, not you" in err


def test_entry_writable_by_others_is_skipped(shell, private_dirs, db_root):
    shell.run("x = 1\ny = 2\n%store x y")
    (db_root / "autorestore" / "x").chmod(0o666)
    other = fresh(private_dirs)
    _, err, _ = other.run("%store -r")
    assert "could not restore 'x'" in err and "could have been written by another user" in err
    assert other.ns["y"] == 2 and "x" not in other.ns


def test_ipython_made_db_is_accepted(shell, tmp_path):
    """IPython creates db folders 0755 (umask 022): readable by others, but not writable."""
    root = tmp_path / "ipdb"
    (root / "autorestore").mkdir(parents=True, mode=0o755)
    root.chmod(0o755)
    (root / "autorestore").chmod(0o755)
    with open(root / "autorestore" / "v", "wb") as handle:
        pickle.dump([1], handle, protocol=2)
    (root / "autorestore" / "v").chmod(0o644)
    use_db(shell, root)
    _, err, result = shell.run("%store -r")
    assert result.success, err
    assert shell.ns["v"] == [1]


# -- autorestore -----------------------------------------------------------------------------------
def _autorestore_config():
    from traitlets.config import Config

    cfg = Config()
    cfg.StoreMagics.autorestore = True
    return cfg


def _run_autorestore(sh: Shell) -> str:
    import io
    from contextlib import redirect_stderr

    err = io.StringIO()
    with redirect_stderr(err):
        store_module.autorestore(sh.session)
    return err.getvalue()


def test_autorestore_hook(shell, private_dirs, db_root):
    shell.run("x = 'kept'\nbroken = 1\n%store x broken")
    (db_root / "autorestore" / "broken").write_bytes(b"\x80\x05garbage")
    off = fresh(private_dirs)
    assert _run_autorestore(off) == "" and "x" not in off.ns  # autorestore is off by default
    on = fresh(private_dirs, _autorestore_config())
    err = _run_autorestore(on)
    assert on.ns["x"] == "kept" and "could not restore 'broken'" in err


def test_store_first_use_does_not_restore_over_user_values(shell, private_dirs):
    shell.run("x = 'old'\n%store x")
    later = fresh(private_dirs, _autorestore_config())
    later.run("x = 'new'\n%store x")  # building the group lazily must not restore 'old'
    assert later.ns["x"] == "new"
    again = fresh(private_dirs)
    again.run("%store -r")
    assert again.ns["x"] == "new"


def test_autorestore_at_session_start(private_dirs, tmp_path):
    """Needs the session's start-up hook (groups with ``autostart``); see the report."""
    from anymagic import BaseHost, Session

    if not hasattr(Session, "_autostart_groups"):
        pytest.skip("Session has no start-up hook for groups yet")
    first = Shell(private_dirs)
    first.run("x = [1]\n%store x")
    session = Session(BaseHost(data_dir=private_dirs), config=_autorestore_config())
    assert session.user_ns["x"] == [1]
    plain = Session(BaseHost(data_dir=private_dirs))
    assert "x" not in plain.user_ns


def test_autorestore_from_the_command_line(private_dirs):
    """``anymagic --StoreMagics.autorestore=True`` (needs the start-up hook)."""
    from anymagic import Session

    if not hasattr(Session, "_autostart_groups"):
        pytest.skip("Session has no start-up hook for groups yet")
    env = subprocess_env()
    run = [str(BIN / "anymagic")]
    subprocess.run([*run, "-c", "x = 41\n%store x"], env=env, check=True, capture_output=True)
    proc = subprocess.run(
        [*run, "--StoreMagics.autorestore=True", "-c", "print(x + 1)"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.stdout == "42\n", proc.stderr


# -- a data directory that cannot be written ----------------------------------------------
def test_file_where_the_db_folder_should_be(private_dirs):
    private_dirs.mkdir(parents=True, exist_ok=True)
    (private_dirs / "db").write_text("not a folder")
    sh = Shell(private_dirs)
    _, err, result = sh.run("x = 1\n%store x")
    assert not result.success
    assert err.startswith("UsageError: %store: cannot create ") and "Not a directory" in err
    _, err, result = sh.run("%store -r")
    assert not result.success and "is not a directory" in err
    out, err, result = sh.run("x + 1")  # the session goes on
    assert result.success and out == "Out[3]: 2\n"


def test_file_where_the_autorestore_folder_should_be(private_dirs):
    (private_dirs / "db").mkdir(parents=True)
    (private_dirs / "db" / "autorestore").write_text("not a folder")
    sh = Shell(private_dirs)
    _, err, result = sh.run("x = 1\n%store x")
    assert not result.success and "exists and is not a directory" in err


@pytest.fixture
def mount_tmpfs(tmp_path):
    """Mount a tiny tmpfs (root only); skipped where mounting is not allowed."""
    mounted: list[Path] = []

    def mount(path: Path, options: str) -> Path:
        path.mkdir(parents=True, exist_ok=True)
        if os.geteuid() != 0 or not shutil.which("mount"):
            pytest.skip("mounting a tmpfs needs root")
        proc = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True
        )
        if proc.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode().strip()}")
        mounted.append(path)
        return path

    yield mount
    for path in reversed(mounted):
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_full_disk_keeps_the_old_value_and_the_session_goes_on(tmp_path, mount_tmpfs):
    data = mount_tmpfs(tmp_path / "small", "size=256k,mode=0700")
    sh = Shell(data)
    sh.run("x = 'old'\n%store x")
    sh.ns["x"] = b"\0" * (1 << 20)  # bigger than the file system
    _, err, result = sh.run("%store x")
    assert not result.success
    # (the history store, on the same full disk, may say so on a line of its own)
    usage = [line for line in err.splitlines() if line.startswith("UsageError: ")]
    assert usage[0].startswith("UsageError: %store: cannot write 'x' to ")
    assert "No space left" in usage[0]
    assert os.listdir(data / "db" / TMP_DIR) == []  # the partial temporary file is gone
    other = Shell(data)
    other.run("%store -r x")
    assert other.ns["x"] == "old"
    out, _, result = sh.run("1 + 1")
    assert result.success and out.endswith("2\n")


def test_read_only_data_dir(tmp_path, mount_tmpfs):
    data = mount_tmpfs(tmp_path / "ro", "size=64k,ro,mode=0700")
    sh = Shell(data)
    _, err, result = sh.run("x = 1\n%store x")
    assert not result.success
    # (the history store says once, on its own line, that it cannot save either)
    usage = [line for line in err.splitlines() if line.startswith("UsageError: ")]
    assert usage[0].startswith("UsageError: %store: cannot create ")
    assert "Read-only file system" in usage[0]
    out, _, _ = sh.run("%store")
    assert out == "No stored variables.\n"
    out, _, result = sh.run("x")
    assert result.success and out.endswith("1\n")


# -- interoperability with IPython's %store -------------------------------------------------------
@pytest.fixture
def ipython(tmp_path):
    pytest.importorskip("IPython")
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.external.pickleshare import PickleShareDB

    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "storemagic")
    root = tmp_path / "ipython-db"
    saved = ip.db
    ip.db = PickleShareDB(root)
    yield ip, root
    ip.db = saved


def test_ipython_stores_anymagic_restores(ipython, shell, capsys):
    ip, root = ipython
    ip.user_ns.update(from_ipython={"n": [1, 2]}, blob=b"\xff" * 10, m=Macro("ip"))
    ip.run_line_magic("store", "from_ipython blob m")
    use_db(shell, root)
    out, err, result = shell.run("%store -r")
    assert result.success, err
    assert shell.ns["from_ipython"] == {"n": [1, 2]} and shell.ns["blob"] == b"\xff" * 10
    assert shell.ns["m"] == Macro("ip")
    out, _, _ = shell.run("%store")
    assert "from_ipython -> {'n': [1, 2]}" in out


def test_anymagic_stores_ipython_restores(ipython, shell):
    ip, root = ipython
    use_db(shell, root)
    shell.run(
        "from_anymagic = ('t', 1.5)\nbig = bytes(range(256)) * 4000\n%store from_anymagic big"
    )
    for name in ("from_anymagic", "big"):
        ip.user_ns.pop(name, None)
    ip.run_line_magic("store", "-r")
    assert ip.user_ns["from_anymagic"] == ("t", 1.5)
    assert ip.user_ns["big"] == bytes(range(256)) * 4000
    ip.run_line_magic("store", "-d from_anymagic")  # IPython's delete is seen here
    out, _, _ = shell.run("%store")
    assert "from_anymagic" not in out and "big ->" in out
    assert sorted(ip.db.keys("autorestore/*")) == ["autorestore/big"]  # no temp files seen


def test_real_ipython_profile_db_both_ways(shell, private_dirs):
    """A real ``ipython`` process and its profile_default/db, both directions."""
    ipython_bin = BIN / "ipython"
    if not ipython_bin.exists():
        pytest.skip("ipython is not installed")
    env = subprocess_env()
    db = Path(env["IPYTHONDIR"]) / "profile_default" / "db"

    def ipython_run(code: str) -> str:
        proc = subprocess.run(
            [str(ipython_bin), "--quick", "--no-banner", "--colors=nocolor", "-c", code],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    ipython_run("%load_ext storemagic\nfrom_ip = {'a': [1, 2.5, 'x']}\n%store from_ip")
    use_db(shell, db)
    _, err, result = shell.run("%store -r from_ip")
    assert result.success, err
    assert shell.ns["from_ip"] == {"a": [1, 2.5, "x"]}
    shell.run("from_am = list(range(5))\n%store from_am")
    out = ipython_run("%load_ext storemagic\n%store -r\nprint(from_am, from_ip)")
    assert "[0, 1, 2, 3, 4] {'a': [1, 2.5, 'x']}" in out


def test_pickleshare_reads_what_we_write(shell, db_root):
    pickleshare = pytest.importorskip("pickleshare")
    shell.run("a = [1]\nb = 'two'\n%store a b")
    db = pickleshare.PickleShareDB(db_root)
    assert sorted(db.keys("autorestore/*")) == ["autorestore/a", "autorestore/b"]
    assert db["autorestore/a"] == [1] and db["autorestore/b"] == "two"
    db["autorestore/c"] = {"from": "pickleshare"}
    assert PickleDB(db_root).load("c") == {"from": "pickleshare"}


def test_docs_example_is_present():
    page = Path(__file__).resolve().parent.parent / "docs" / "magics" / "store.md"
    text = page.read_text("utf-8")
    assert "```anymagic" in text and "%store" in text


def test_store_help(shell):
    out, err, result = shell.run("%store?")
    assert result.success, err
    assert "Lightweight persistence" in out


def test_subprocess_cli_round_trip(private_dirs):
    env = subprocess_env()
    code = textwrap.dedent(
        """
        import collections
        counts = collections.Counter('abracadabra')
        %store counts
        """
    )
    subprocess.run([str(BIN / "anymagic"), "-c", code], env=env, check=True, capture_output=True)
    proc = subprocess.run(
        [str(BIN / "anymagic"), "-c", "%store -r\nprint(counts.most_common(1))"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.stdout == "[('a', 5)]\n", proc.stderr


def test_aliases_are_stored_and_restored_like_ipython(private_dirs, capfd):
    first = Shell(private_dirs)
    out, err, result = first.run("%alias hello echo hello %s\n%store hello")
    assert result.success, err
    assert out.endswith("Alias stored: hello (echo hello %s)\n")
    assert (private_dirs / "db" / "stored_aliases").is_file()
    second = Shell(private_dirs)  # a new session: the alias is gone until restored
    assert not second.run("%hello world")[2].success
    out, err, result = second.run("%store -r")
    assert result.success, err
    capfd.readouterr()
    out, err, result = second.run("%hello world")
    assert result.success, err
    assert capfd.readouterr().out == "hello world\n"  # the command's own output (fd 1)
    # and IPython's storemagic format: a pickled dict under stored_aliases
    import pickle

    table = pickle.loads((private_dirs / "db" / "stored_aliases").read_bytes())
    assert table == {"hello": "echo hello %s"}


def test_store_unknown_name_that_is_not_an_alias(shell):
    out, err, result = shell.run("%store nothing_like_this")
    assert err.startswith("UsageError: %store: unknown variable 'nothing_like_this'")
