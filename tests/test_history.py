"""The SQLite input history: persistence across restarts, privacy, failures, concurrency."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import threading

import pytest

from anymagic.registry.history import HistoryStore

REPORT = "anymagic: history is not being saved:"


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_history_survives_a_restart(tmp_path):
    path = tmp_path / "history.sqlite"
    first = HistoryStore(path)
    one = first.start_session()
    first.store(1, "a = 1")
    first.store(2, "%lsmagic")
    first.store(3, "for i in range(2):\n    print(i)")
    first.end_session()

    second = HistoryStore(path)
    two = second.start_session()
    assert two > one
    second.store(1, "print(a)")
    assert second.recent() == ["a = 1", "%lsmagic", "for i in range(2):\n    print(i)", "print(a)"]
    assert second.recent(2) == ["for i in range(2):\n    print(i)", "print(a)"]
    assert second.search("*magic*") == [(one, 2, "%lsmagic")]
    assert second.search("*a*", n=2) == [
        (one, 3, "for i in range(2):\n    print(i)"),
        (two, 1, "print(a)"),
    ]
    assert second.get_range(one, 2, 3) == [(one, 2, "%lsmagic")]
    assert second.get_range(-1) == second.get_range(one)
    assert second.get_range(0) == [(two, 1, "print(a)")]
    second.end_session()


def test_recent_collapses_repeats_in_a_row(tmp_path):
    store = HistoryStore(tmp_path / "h.sqlite")
    for n, source in enumerate(["x", "x", "y", "x", "x"], 1):
        store.store(n, source)  # store() starts a session when needed
    assert store.recent() == ["x", "y", "x"]
    assert store.recent(2) == ["y", "x"]
    assert store.search("x", unique=True) == [(store.session_id, 5, "x")]
    store.end_session()


def test_files_are_owner_only(tmp_path):
    folder = tmp_path / "new" / "data"
    store = HistoryStore(folder / "history.sqlite")
    store.store(1, "secret = 'hunter2'")
    assert store.flush()  # written by the background writer
    assert mode(folder) == 0o700
    names = sorted(p.name for p in folder.iterdir())
    assert "history.sqlite" in names
    for name in names:  # the database and its -wal / -shm files
        assert mode(folder / name) == 0o600, name
    store.end_session()
    assert mode(folder / "history.sqlite") == 0o600


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
def test_read_only_folder_reports_once_and_goes_on(tmp_path, capsys):
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    try:
        store = HistoryStore(folder / "history.sqlite")
        store.start_session()
        store.store(1, "x = 1")
        store.store(2, "x = 2")
        assert store.recent() == [] and store.search() == [] and store.get_range(0) == []
        store.end_session()
    finally:
        folder.chmod(0o700)
    err = capsys.readouterr().err
    assert err.count(REPORT) == 1 and err.count("\n") == 1


@pytest.mark.parametrize("breakage", ["parent is a file", "not a database"])
def test_unusable_database_reports_once_and_goes_on(tmp_path, capsys, breakage):
    if breakage == "parent is a file":
        (tmp_path / "file").write_text("")
        path = tmp_path / "file" / "history.sqlite"
    else:
        path = tmp_path / "history.sqlite"
        path.write_bytes(b"this is not a database, just bytes\n" * 200)
    store = HistoryStore(path)
    assert store.start_session() == 0
    for n in range(1, 4):
        store.store(n, f"x = {n}")
    assert store.recent() == []
    store.end_session()
    err = capsys.readouterr().err
    assert err.count(REPORT) == 1 and err.count("\n") == 1


def test_report_goes_to_the_given_writer(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    lines: list[str] = []
    store = HistoryStore(tmp_path / "file" / "h.sqlite", report=lines.append)
    store.store(1, "x")
    store.store(2, "y")
    store.flush()  # the background writer reports
    assert len(lines) == 1 and lines[0].startswith(REPORT)
    assert capsys.readouterr().err == ""


def test_two_threads_with_their_own_stores_lose_nothing(tmp_path):
    path = tmp_path / "history.sqlite"
    stores = [HistoryStore(path) for _ in range(2)]

    def write(store: HistoryStore, tag: str) -> None:
        store.start_session()
        for n in range(1, 201):
            store.store(n, f"{tag}{n}")

    threads = [
        threading.Thread(target=write, args=(s, t)) for s, t in zip(stores, "ab", strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.end_session()
    sources = HistoryStore(path).recent(10_000)
    assert sorted(sources) == sorted(f"{t}{n}" for t in "ab" for n in range(1, 201))


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = tmp_path / "history.sqlite"
    script = textwrap.dedent(
        """
        import sys
        from anymagic.registry.history import HistoryStore
        store = HistoryStore(sys.argv[1])
        store.start_session()
        sys.stdin.readline()  # start together
        for n in range(1, 301):
            store.store(n, sys.argv[2] + str(n))
        store.end_session()
        """
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(path), tag],
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("p", "q")
    ]
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in procs:
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 0 and err == ""
    store = HistoryStore(path)
    entries = store.search()
    assert sorted(e[2] for e in entries) == sorted(f"{t}{n}" for t in "pq" for n in range(1, 301))
    assert len({e[0] for e in entries}) == 2  # two sessions
    for session in {e[0] for e in entries}:
        assert [e[1] for e in store.get_range(session)] == list(range(1, 301))


# -- ranges, tails and the session's view ------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ("", [(0, 1, None)]),
        ("4", [(0, 4, 5)]),
        ("4-6 8", [(0, 4, 7), (0, 8, 9)]),
        ("4-", [(0, 4, None)]),
        ("4:6", [(0, 4, 6)]),
        ("~1/", [(-1, 1, None)]),
        ("~4/4-", [(-4, 4, None)]),
        ("~2/1-5", [(-2, 1, 6)]),
        ("243/1-5", [(243, 1, 6)]),
        ("~8/5-~7/4 2", [(-8, 5, None), (-7, 1, 5), (0, 2, 3)]),  # IPython's doctest
    ],
)
def test_parse_ranges_as_ipython(text, expected):
    from anymagic.registry.history import parse_ranges

    assert parse_ranges(text) == expected


@pytest.mark.parametrize("text", ["5-x", "x", "4-2", "/", "-3", "~1/-", "~1/2-5/3"])
def test_parse_ranges_refuses_bad_ones(text):
    from anymagic.registry.history import RangeError, parse_ranges

    with pytest.raises(RangeError):
        parse_ranges(text)


def test_tail_and_sessions(tmp_path):
    store = HistoryStore(tmp_path / "h.sqlite")
    one = store.start_session()
    for n in range(1, 4):
        store.store(n, f"x{n}")
    two = store.start_session()
    store.store(1, "y1")
    assert store.has_session(one) and store.has_session(two) and not store.has_session(99)
    assert store.tail(2) == [(one, 3, "x3"), (two, 1, "y1")]
    assert store.tail(2, before_session=two) == [(one, 2, "x2"), (one, 3, "x3")]
    assert store.tail(0) == []
    store.end_session()


def test_session_history_reads_this_session_from_memory(tmp_path):
    from anymagic.registry.history import RangeError, SessionHistory

    store = HistoryStore(tmp_path / "h.sqlite")
    store.start_session()
    store.store(1, "old")
    store.start_session()
    view = SessionHistory(["", "a", "b", "c"], store, running=3)
    assert view.get_range_by_str("2-") == [(0, 2, "b"), (0, 3, "c")]
    assert view.get_range_by_str("~1/") == [(1, 1, "old")]
    assert view.tail(2) == [(0, 1, "a"), (0, 2, "b")]
    assert view.tail(5) == [(1, 1, "old"), (0, 1, "a"), (0, 2, "b")]
    assert view.search("*") == [(1, 1, "old"), (0, 1, "a"), (0, 2, "b")]
    with pytest.raises(RangeError):
        view.get_range_by_str("~2/")
    with pytest.raises(RangeError):
        view.get_range_by_str("7/")
    store.end_session()


def test_stores_end_their_session_at_exit(tmp_path):
    code = textwrap.dedent(
        f"""
        from anymagic.registry.history import HistoryStore, end_at_exit
        store = HistoryStore({str(tmp_path / "h.sqlite")!r})
        end_at_exit(store)
        store.store(1, "x")
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    import sqlite3

    rows = sqlite3.connect(tmp_path / "h.sqlite").execute("SELECT end, num_cmds FROM sessions")
    ((end, count),) = rows.fetchall()
    assert end and count == 1
