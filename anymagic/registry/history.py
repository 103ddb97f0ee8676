"""Persistent input history in SQLite, shared by every host.

The layout follows IPython's ``history.sqlite``: a ``sessions`` table (one row per shell
run) and a ``history`` table keyed by ``(session, line)``, where ``line`` is the cell's
execution count.  The database is opened in WAL mode with a busy timeout, so several
shells can write to it at once.

History is a convenience, never a reason for a prompt to fail: every ``sqlite3`` or OS
error is reported once per store with one line on stderr
(``anymagic: history is not being saved: <reason>``) and then swallowed; reads return
empty results.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from .files import ensure_private_dir

#: Seconds a write waits for another process's lock before giving up (and reporting).
BUSY_TIMEOUT = 1.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    start TEXT,
    end TEXT,
    num_cmds INTEGER
);
CREATE TABLE IF NOT EXISTS history (
    session INTEGER,
    line INTEGER,
    source TEXT,
    PRIMARY KEY (session, line)
);
"""

Entry = tuple[int, int, str]  # (session, line, source)


def _now() -> str:
    return datetime.now().isoformat(sep=" ", timespec="seconds")


class HistoryStore:
    """Input history of all sessions in one SQLite file (created 0600 in a 0700 folder).

    ``start_session()`` opens a session, ``store(line, source)`` records a cell (starting
    a session if needed), ``end_session()`` closes it.  Reads: ``recent``, ``search``,
    ``get_range``.  Safe to use from several threads; never raises ``sqlite3`` or OS errors.
    """

    def __init__(self, path: Path | str, report: Callable[[str], None] | None = None) -> None:
        self.path = Path(path)
        self.session_id: int | None = None
        self._report_fn = report
        self._conn: sqlite3.Connection | None = None
        self._broken = False  # opening failed: stop trying for this store
        self._reported = False
        self._lock = threading.RLock()
        self._count = 0

    # -- plumbing -------------------------------------------------------------------------
    def _report(self, exc: BaseException) -> None:
        if self._reported:
            return
        self._reported = True
        message = f"anymagic: history is not being saved: {exc}\n"
        try:
            if self._report_fn is not None:
                self._report_fn(message)
            else:
                sys.stderr.write(message)
                sys.stderr.flush()
        except Exception:  # noqa: BLE001 - reporting must not fail either
            pass

    def _connect(self) -> sqlite3.Connection | None:
        if self._conn is not None or self._broken:
            return self._conn
        try:
            ensure_private_dir(self.path.parent)
            # Create the file owner-only before SQLite opens it (its -wal/-shm files
            # take the database's permissions).
            os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
            conn = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
            )
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.executescript(_SCHEMA)
            except BaseException:
                conn.close()
                raise
        except (sqlite3.Error, OSError) as exc:
            self._broken = True
            self._report(exc)
            return None
        self._conn = conn
        return conn

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor | None:
        """Execute one statement; None (after reporting once) when it fails."""
        with self._lock:
            conn = self._connect()
            if conn is None:
                return None
            try:
                return conn.execute(sql, params)
            except sqlite3.Error as exc:
                self._report(exc)
                return None

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        with self._lock:
            cursor = self._run(sql, params)
            if cursor is None:
                return []
            try:
                return cursor.fetchall()
            except sqlite3.Error as exc:
                self._report(exc)
                return []

    # -- writing --------------------------------------------------------------------------
    def start_session(self) -> int:
        """Open a new session and return its number (0 when the database is unusable)."""
        with self._lock:
            cursor = self._run("INSERT INTO sessions (start, num_cmds) VALUES (?, 0)", (_now(),))
            self.session_id = cursor.lastrowid if cursor is not None else None
            self._count = 0
            return self.session_id or 0

    def store(self, line_number: int, source: str) -> None:
        """Record input ``line_number`` of the current session (starting one if needed)."""
        with self._lock:
            if self.session_id is None and not self.start_session():
                return
            cursor = self._run(
                "INSERT OR REPLACE INTO history (session, line, source) VALUES (?, ?, ?)",
                (self.session_id, line_number, source),
            )
            if cursor is not None:
                self._count += 1

    def end_session(self) -> None:
        """Close the current session (its end time and number of inputs) and the database."""
        with self._lock:
            if self.session_id is not None:
                self._run(
                    "UPDATE sessions SET end = ?, num_cmds = ? WHERE id = ?",
                    (_now(), self._count, self.session_id),
                )
            self.session_id = None
            self.close()

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.close()
                except sqlite3.Error:
                    pass
                self._conn = None

    # -- reading --------------------------------------------------------------------------
    def recent(self, n: int = 1000) -> list[str]:
        """The last ``n`` inputs across sessions, most recent last, repeats in a row collapsed."""
        result: list[str] = []
        with self._lock:
            cursor = self._run("SELECT source FROM history ORDER BY session DESC, line DESC")
            if cursor is None:
                return result
            try:
                for (source,) in _iterate(cursor):
                    if not result or result[-1] != source:
                        if len(result) >= n:
                            break
                        result.append(source)
            except sqlite3.Error as exc:
                self._report(exc)
        result.reverse()
        return result

    def search(self, pattern: str = "*", n: int | None = None, unique: bool = False) -> list[Entry]:
        """Inputs matching the glob ``pattern`` (``*``, ``?``, ``[...]``; case-sensitive).

        As IPython's ``HistoryAccessor.search``: oldest first, the last ``n`` when given,
        and with ``unique`` each source only once (its latest occurrence).
        """
        rows = self._rows(
            "SELECT session, line, source FROM history WHERE source GLOB ? "
            "ORDER BY session DESC, line DESC",
            (pattern,),
        )
        if unique:
            seen: set[str] = set()
            kept = []
            for row in rows:
                if row[2] not in seen:
                    seen.add(row[2])
                    kept.append(row)
            rows = kept
        if n is not None:
            rows = rows[:n]
        rows.reverse()
        return [tuple(row) for row in rows]

    def get_range(self, session: int = 0, start: int = 1, stop: int | None = None) -> list[Entry]:
        """Inputs ``start <= line < stop`` of ``session``.

        As in IPython, ``session`` 0 is the current session and negative numbers count
        back from it (-1 is the previous one).
        """
        if session <= 0:
            current = self.session_id
            if current is None:
                rows = self._rows("SELECT MAX(id) FROM sessions")
                current = (rows[0][0] or 0) + 1 if rows else 1
            session += current
        sql = "SELECT session, line, source FROM history WHERE session = ? AND line >= ?"
        params: tuple[Any, ...] = (session, start)
        if stop is not None:
            sql += " AND line < ?"
            params += (stop,)
        return [tuple(row) for row in self._rows(sql + " ORDER BY line", params)]


def _iterate(cursor: sqlite3.Cursor) -> Iterator[Any]:
    while True:
        rows = cursor.fetchmany(200)
        if not rows:
            return
        yield from rows


__all__ = ["HistoryStore"]
