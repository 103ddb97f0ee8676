"""%cd, %pwd, %dhist, %pushd, %popd, %dirs and %bookmark through a session."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from conftest import Shell, ok, usage_error


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tree to move around in; the cwd (restored afterwards) is its root, HOME is home/."""
    for sub in ("proj", "proj/src", "other", "home", "with space"):
        (tmp_path / sub).mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path


def test_cd_prints_and_records_history(places: Path, shell: Shell) -> None:
    assert ok(shell, "%cd proj") == f"{places / 'proj'}\n"
    assert os.getcwd() == str(places / "proj")
    assert ok(shell, "%cd -q ../other") == ""
    assert shell.ns["_dh"] == [str(places), str(places / "proj"), str(places / "other")]
    assert ok(shell, "cd ..") == f"{places}\n"  # automagic
    assert ok(shell, '%cd "with space"') == f"{places / 'with space'}\n"
    ok(shell, "d = '../proj'")
    assert ok(shell, "%cd -q $d") == ""  # $name expansion
    assert os.getcwd() == str(places / "proj")


def test_cd_home_previous_number_and_pattern(places: Path, shell: Shell) -> None:
    assert ok(shell, "%cd") == f"{places / 'home'}\n"
    ok(shell, "%cd -q ~/../proj/src")
    assert ok(shell, "%cd -") == f"{places / 'home'}\n"
    assert ok(shell, "%cd -") == f"{places / 'proj' / 'src'}\n"
    assert ok(shell, "%cd -0") == f"{places}\n"
    assert ok(shell, "%cd --src") == f"{places / 'proj' / 'src'}\n"  # basename match
    ok(shell, "%cd -q -0")
    assert ok(shell, "%cd -q --proj/") == ""  # no basename matches: full-path match
    assert os.getcwd() == str(places / "proj" / "src")


def test_cd_errors_change_nothing(places: Path, shell: Shell) -> None:
    ok(shell, "%cd -q proj")
    before = list(shell.ns["_dh"])
    (places / "file.txt").write_text("x")
    errors = {
        "%cd /nonexistent/dir": "UsageError: %cd: no such directory: /nonexistent/dir",
        "%cd ../file.txt": "UsageError: %cd: not a directory: ../file.txt",
        "%cd -99": "UsageError: %cd -99: the directory history has 2 entries (0-1); ...",
        "%cd -b nosuch": "UsageError: %cd -b: no bookmark named 'nosuch' ...",
        "%cd -x": "UsageError: %cd: unknown option -x",
        "%cd --zzz": "UsageError: %cd --zzz: no directory in the history matches 'zzz'",
        "%cd -b": "UsageError: %cd -b: a bookmark NAME is required",
    }
    for cell, message in errors.items():
        line = usage_error(shell, cell)
        assert line == message or (message.endswith("...") and line.startswith(message[:-3]))
    assert os.getcwd() == str(places / "proj")
    assert shell.ns["_dh"] == before
    fresh = Shell(shell.host.data_dir)
    assert usage_error(fresh, "%cd -") == "UsageError: %cd -: no previous directory to change to"


def test_pwd_is_the_cell_value(places: Path, shell: Shell) -> None:
    out, _, result = shell.run("%pwd")
    assert result.result == str(places)
    assert out == f"Out[1]: {str(places)!r}\n"
    assert usage_error(shell, "%pwd x") == "UsageError: %pwd takes no arguments"


def test_dhist(places: Path, shell: Shell) -> None:
    for folder in ("proj", "../other", "../home"):
        ok(shell, f"%cd -q {folder}")
    full = ok(shell, "%dhist").splitlines()
    assert full[0] == "Directory history (kept in _dh)"
    assert full[1:] == [
        f"0: {places}",
        f"1: {places / 'proj'}",
        f"2: {places / 'other'}",
        f"3: {places / 'home'}",
    ]
    assert ok(shell, "%dhist 2").splitlines()[1:] == full[3:]
    assert ok(shell, "%dhist 1 3").splitlines()[1:] == full[2:4]
    assert ok(shell, "%dhist 2 99").splitlines()[1:] == full[3:]
    assert usage_error(shell, "%dhist x").startswith("UsageError: %dhist: not a number")
    assert usage_error(shell, "%dhist 1 2 3").startswith("UsageError: %dhist: expected")


def test_pushd_popd_dirs(places: Path, shell: Shell) -> None:
    ok(shell, "%cd -q ~")
    out, _, result = shell.run("%pushd ../proj")
    assert result.result == ["~"]
    assert out.startswith(f"{places / 'proj'}\n")
    ok(shell, "%pushd ../other")
    assert shell.run("%dirs")[2].result == [str(places / "proj"), "~"]
    assert ok(shell, "%popd") == f"{places / 'proj'}\npopd -> {places / 'proj'}\n"
    assert ok(shell, "%popd") == f"{places / 'home'}\npopd -> ~\n"
    assert usage_error(shell, "%popd").startswith("UsageError: %popd on empty stack")
    assert usage_error(shell, "%pushd /nonexistent").startswith("UsageError: %cd: no such")
    assert shell.run("%dirs")[2].result == []  # a failed pushd pushes nothing
    assert os.getcwd() == str(places / "home")


def test_bookmarks_set_list_use_delete(places: Path, shell: Shell) -> None:
    ok(shell, "%bookmark here")
    ok(shell, "%bookmark src proj/src")
    ok(shell, "%bookmark h ~")
    listing = ok(shell, "%bookmark -l")
    assert listing == (
        "Current bookmarks:\n"
        f"h    -> {places / 'home'}\n"
        f"here -> {places}\n"
        f"src  -> {places / 'proj' / 'src'}\n"
    )
    assert (
        ok(shell, "%cd -b src") == f"(bookmark:src) -> {places / 'proj/src'}\n{places}/proj/src\n"
    )
    assert ok(shell, "%cd -q here") == f"(bookmark:here) -> {places}\n"  # not a folder here
    assert os.getcwd() == str(places)
    ok(shell, "%bookmark -d h")
    assert "h " not in ok(shell, "%bookmark -l")
    ok(shell, "%bookmark -r")
    assert ok(shell, "%bookmark -l") == "Current bookmarks:\n"


def test_bookmark_directory_wins_over_bookmark_name(places: Path, shell: Shell) -> None:
    ok(shell, "%bookmark other proj")
    assert ok(shell, "%cd other") == f"{places / 'other'}\n"
    ok(shell, "%cd -q ..")
    assert ok(shell, "%cd -q -b other") == f"(bookmark:other) -> {places / 'proj'}\n"


def test_bookmark_errors_change_nothing(places: Path, shell: Shell) -> None:
    ok(shell, "%bookmark keep")
    path = shell.session.data_dir / "bookmarks.json"
    before = path.read_bytes()
    for cell, start in {
        "%bookmark -d nosuch": "UsageError: %bookmark -d: no bookmark named 'nosuch'",
        "%bookmark -d": "UsageError: %bookmark -d requires a bookmark NAME",
        '%bookmark "a b"': "UsageError: %bookmark: invalid name 'a b'",
        "%bookmark a/b": "UsageError: %bookmark: invalid name 'a/b'",
        "%bookmark -x": "UsageError: %bookmark: unknown option -x",
        "%bookmark -l -r": "UsageError: %bookmark: choose one of -l, -r",
        "%bookmark": "UsageError: %bookmark requires a bookmark NAME",
        "%bookmark a b c": "UsageError: %bookmark has too many arguments",
        "%bookmark x /nonexistent": "UsageError: %bookmark: no such directory: /nonexistent",
        "%bookmark 'unclosed": "UsageError: %bookmark: no closing quotation",
    }.items():
        assert usage_error(shell, cell).startswith(start), cell
    assert path.read_bytes() == before


def test_bookmarks_persist_and_sessions_merge(private_dirs: Path, places: Path) -> None:
    first, second = Shell(private_dirs), Shell(private_dirs)
    ok(first, "%bookmark one proj")
    ok(second, "%bookmark two other")  # re-reads: does not lose "one"
    ok(first, "%bookmark three home")
    path = private_dirs / "bookmarks.json"
    assert json.loads(path.read_text()) == {
        "one": str(places / "proj"),
        "three": str(places / "home"),
        "two": str(places / "other"),
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    third = Shell(private_dirs)  # a later session sees them all
    assert ok(third, "%cd -q -b two") == f"(bookmark:two) -> {places / 'other'}\n"
    ok(second, "%bookmark -d one")
    assert "one" not in ok(first, "%bookmark -l")


def test_damaged_bookmarks_file(places: Path, shell: Shell) -> None:
    path = shell.session.data_dir / "bookmarks.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json")
    out, err, result = shell.run("%bookmark -l")
    assert result.success and out == "Current bookmarks:\n"
    assert len(err.splitlines()) == 1 and "is damaged" in err
    _, err, _ = shell.run("%bookmark -l")
    assert err == ""  # reported once
    assert usage_error(shell, "%cd -b x").startswith("UsageError: %cd -b: no bookmark")
    usage_error(shell, "%bookmark -d x")
    assert path.read_text() == "{not json"  # untouched until a bookmark changes
    _, err, result = shell.run("%bookmark p proj")
    assert result.success and "bookmarks.json.bak" in err
    assert (places / "dummy").exists() is False
    backup = path.with_name("bookmarks.json.bak")
    assert backup.read_text() == "{not json"
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert json.loads(path.read_text()) == {"p": str(places / "proj")}
    path.write_text('["a list"]')  # valid JSON, wrong shape
    _, err, _ = shell.run("%bookmark -l")
    assert "is damaged (not a table" in err


def test_completion_methods(places: Path, shell: Shell) -> None:
    ok(shell, "%bookmark proj_bm proj")
    ok(shell, "%bookmark pz other")
    group = shell.session.find_magic("cd").__self__
    assert group.complete_cd("p", "%cd -b p") == ["proj_bm", "pz"]
    assert group.complete_cd("pr", "%cd pr") == ["proj/", "proj_bm"]
    assert group.complete_cd("proj/", "cd proj/") == ["proj/src/"]
    assert group.complete_cd("-", "%cd -") is None
    assert group.complete_bookmark("p", "%bookmark -d p") == ["proj_bm", "pz"]
    assert group.complete_bookmark("ot", "%bookmark name ot") == ["other/"]
    assert group.complete_bookmark("n", "%bookmark n") is None
