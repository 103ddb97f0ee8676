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

import atexit
import fnmatch
import os
import queue
import re
import sqlite3
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from .files import ensure_private_dir

#: Seconds SQLite waits for another process's lock; a write still locked out then is
#: retried (with back-off) up to WRITE_ATTEMPTS times before it is reported and dropped.
#: Writes happen on a background thread, so none of this waiting is at the prompt.
BUSY_TIMEOUT = 5.0
WRITE_ATTEMPTS = 6
#: How long a read or end_session() waits for queued writes to reach the database.
FLUSH_TIMEOUT = 10.0

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
        self._session_id: int | None = None
        self._report_fn = report
        self._conn: sqlite3.Connection | None = None
        self._broken = False  # opening failed: stop trying for this store
        self._reported = False
        self._lock = threading.RLock()
        self._count = 0
        self._queue: queue.Queue[tuple[int, str] | None] = queue.Queue()
        self._writer: threading.Thread | None = None
        self._writer_lock = threading.Lock()

    @property
    def session_id(self) -> int | None:
        """This store's session number in the database (None before the first write)."""
        if threading.current_thread() is not self._writer:
            self.flush()  # a queued first input may be starting the session right now
        return self._session_id

    # -- plumbing -------------------------------------------------------------------------
    def _report(self, exc: BaseException) -> None:
        if self._reported:
            return
        if _is_busy(exc) and threading.current_thread() is self._writer:
            return  # the writer retries; it reports only if it finally gives up
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
            if not _is_busy(exc):  # a locked database is the caller's to retry, silently
                self._broken = True
                self._report(exc)
            return None
        self._conn = conn
        return conn

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor | None:
        """Execute one statement; None (after reporting once) when it fails.

        Reads call :meth:`flush` first (before taking the lock), so they see queued inputs.
        """
        with self._lock:
            for attempt in range(WRITE_ATTEMPTS):
                conn = self._connect()
                if conn is None and self._broken:
                    return None
                try:
                    if conn is not None:
                        return conn.execute(sql, params)
                except sqlite3.Error as exc:
                    if not _is_busy(exc) or attempt == WRITE_ATTEMPTS - 1:
                        self._report(exc)
                        return None
                time.sleep(0.05 * 2**attempt)  # another process holds the lock: back off
            self._report(sqlite3.OperationalError("database is locked"))
            return None

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        self.flush()  # a read sees every input stored before it
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
        if threading.current_thread() is not self._writer:
            self.flush()  # inputs queued so far belong to the session before this one
        with self._lock:
            cursor = self._run("INSERT INTO sessions (start, num_cmds) VALUES (?, 0)", (_now(),))
            self._session_id = cursor.lastrowid if cursor is not None else None
            self._count = 0
            return self._session_id or 0

    def store(self, line_number: int, source: str) -> None:
        """Record input ``line_number`` of the current session (starting one if needed).

        Returns at once: a background thread writes, waiting out other processes' locks
        and retrying, so a busy or slow database never holds up the prompt.
        """
        with self._writer_lock:  # never the database lock: the prompt must not wait
            self._queue.put((line_number, source))
            if self._writer is None:
                self._writer = threading.Thread(
                    target=self._write_queued, name="anymagic-history", daemon=True
                )
                self._writer.start()

    def _write_queued(self) -> None:
        while True:
            try:
                item = self._queue.get(timeout=1.0)
            except queue.Empty:
                with self._writer_lock:  # idle: end; the next store() starts another
                    if self._queue.empty():
                        self._writer = None
                        return
                continue
            try:
                if item is not None:
                    self._write(*item)
            finally:
                self._queue.task_done()

    def _write(self, line_number: int, source: str) -> None:
        sql = "INSERT OR REPLACE INTO history (session, line, source) VALUES (?, ?, ?)"
        for attempt in range(WRITE_ATTEMPTS):
            with self._lock:
                if self._session_id is None and not self.start_session():
                    if self._broken:
                        return
                else:
                    conn = self._connect()
                    if conn is None and self._broken:
                        return
                    try:
                        if conn is not None:
                            conn.execute(sql, (self._session_id, line_number, source))
                            self._count += 1
                            return
                    except sqlite3.Error as exc:
                        if not _is_busy(exc):
                            self._report(exc)
                            return
            time.sleep(0.05 * 2**attempt)  # another process holds the lock: back off
        self._report(sqlite3.OperationalError("database is locked (gave up on one input)"))

    def flush(self, timeout: float = FLUSH_TIMEOUT) -> bool:
        """Wait (at most ``timeout`` seconds) until queued inputs are written."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True

    def end_session(self) -> None:
        """Close the current session (its end time and number of inputs) and the database."""
        self.flush()
        with self._lock:
            if self._session_id is not None:
                self._run(
                    "UPDATE sessions SET end = ?, num_cmds = ? WHERE id = ?",
                    (_now(), self._count, self._session_id),
                )
            self._session_id = None
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
    def has_session(self, session: int) -> bool:
        """Whether session number ``session`` exists in the database."""
        return bool(self._rows("SELECT 1 FROM sessions WHERE id = ?", (session,)))

    def tail(self, n: int, before_session: int | None = None) -> list[Entry]:
        """The last ``n`` inputs, oldest first (only sessions before ``before_session``)."""
        if n <= 0:
            return []
        sql = "SELECT session, line, source FROM history"
        params: tuple[Any, ...] = ()
        if before_session is not None:
            sql += " WHERE session < ?"
            params = (before_session,)
        rows = self._rows(sql + " ORDER BY session DESC, line DESC LIMIT ?", params + (n,))
        return [tuple(row) for row in reversed(rows)]

    def recent(self, n: int = 1000) -> list[str]:
        """The last ``n`` inputs across sessions, most recent last, repeats in a row collapsed."""
        result: list[str] = []
        self.flush()
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
            current = self.session_id  # waits for a queued first input to start the session
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


def _is_busy(exc: BaseException) -> bool:
    """Whether an SQLite error is another connection's lock (worth retrying)."""
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


# -- stores end their session when the interpreter exits ------------------------------------
_LIVE: weakref.WeakSet[HistoryStore] = weakref.WeakSet()
_atexit_registered = False


def end_at_exit(store: HistoryStore) -> None:
    """End ``store``'s session at interpreter exit (if it is still alive then)."""
    global _atexit_registered
    _LIVE.add(store)
    if not _atexit_registered:
        _atexit_registered = True
        atexit.register(_end_all)


def _end_all() -> None:
    for store in list(_LIVE):
        try:
            store.end_session()
        except Exception:  # noqa: BLE001 - exiting must not fail on history
            pass


# -- history ranges ("4-6 8", "~1/1-5", "243/") ------------------------------------------------
_RANGE = re.compile(
    r"""
    ^(?P<startsess>~?\d+/)?
    (?P<start>\d+)?
    (?:(?P<sep>[-:])(?P<endsess>~?\d+/)?(?P<end>\d*))?
    $""",
    re.VERBOSE,
)

Range = tuple[int, int, int | None]  # (session, start, stop): stop excluded, None = to the end


class RangeError(ValueError):
    """A history range that cannot be read, or names a session that does not exist."""


def parse_ranges(text: str) -> list[Range]:
    """Turn ``"4-6 8 ~1/1-5"`` into ``(session, start, stop)`` triples, as IPython does.

    ``session`` is 0 for the current session, negative for ``~N/`` (N sessions ago) and
    positive for an absolute session number.  ``N-M`` includes M; ``N:M`` (Python's slice)
    does not; ``N-`` runs to the end; ``S/`` is all of session S.  The empty string is the
    whole current session.  Anything else raises :class:`RangeError` (IPython skips it).
    """
    if not text.strip():
        return [(0, 1, None)]
    ranges: list[Range] = []
    for word in text.split():
        match = _RANGE.match(word)
        if match is None or not (match.group("start") or match.group("startsess")):
            raise RangeError(f"bad history range {word!r} (examples: 4  4-6  4-  ~1/  ~2/1-5)")
        start_text, sep, end_text = match.group("start", "sep", "end")
        if start_text:
            start = int(start_text)
            if sep == "-":
                stop: int | None = int(end_text) + 1 if end_text else None
            elif sep == ":":
                stop = int(end_text) if end_text else None
            else:
                stop = start + 1
        else:
            if sep:
                raise RangeError(f"bad history range {word!r}: a line number must follow the /")
            start, stop = 1, None
        startsess = _session_number(match.group("startsess") or "0")
        endsess = _session_number(match.group("endsess") or match.group("startsess") or "0")
        if endsess == startsess:
            if stop is not None and stop <= start and match.group("endsess") is None:
                raise RangeError(f"bad history range {word!r}: it ends before it starts")
            ranges.append((startsess, start, stop))
            continue
        if (endsess > 0) != (startsess > 0) and startsess != 0 and endsess != 0:
            raise RangeError(f"bad history range {word!r}: mix of absolute and ~relative sessions")
        if endsess < startsess:
            raise RangeError(f"bad history range {word!r}: the end session comes first")
        ranges.append((startsess, start, None))
        ranges.extend((sess, 1, None) for sess in range(startsess + 1, endsess))
        ranges.append((endsess, 1, stop))
    return ranges


def _session_number(text: str) -> int:
    return int(text.rstrip("/").replace("~", "-"))


class SessionHistory:
    """The history a magic reads: this session's inputs plus earlier sessions' in SQLite.

    The current session's lines come from the session's own numbered ``history`` list (so
    they are right even when the database is unusable); earlier sessions come from the
    :class:`HistoryStore`.  Entries are ``(session, line, source)`` with session 0 for the
    current one.
    """

    def __init__(
        self, inputs: list[str], store: HistoryStore | None, running: int | None = None
    ) -> None:
        self.inputs = inputs
        self.store = store
        #: The line number of the cell running now: ``tail`` and ``search`` leave it out.
        self.running = running

    @property
    def current(self) -> int | None:
        """The current session's number in the database (None when it has none)."""
        return self.store.session_id if self.store is not None else None

    def _resolve(self, session: int) -> int:
        """A database session number for ``session`` (0 = current) or RangeError."""
        current = self.current
        if session == 0 or (current is not None and session == current):
            return 0
        if session < 0:
            if current is None:
                raise RangeError(
                    f"no session ~{-session}/: earlier sessions are unavailable "
                    "(the history database is not in use)"
                )
            number = current + session
            if number < 1 or not self.store.has_session(number):  # type: ignore[union-attr]
                raise RangeError(f"no session ~{-session}/ in the history")
            return number
        if self.store is None or (current is not None and session > current):
            raise RangeError(f"no session {session}/ in the history")
        if not self.store.has_session(session):
            raise RangeError(f"no session {session}/ in the history")
        return session

    def get_range(self, session: int, start: int, stop: int | None) -> list[Entry]:
        number = self._resolve(session)
        if number == 0:
            last = len(self.inputs) if stop is None else min(stop, len(self.inputs))
            return [(0, n, self.inputs[n]) for n in range(max(start, 1), last)]
        assert self.store is not None
        return self.store.get_range(number, start, stop)

    def get_range_by_str(self, text: str) -> list[Entry]:
        """Every entry of the ranges in ``text`` (see :func:`parse_ranges`), in order."""
        entries: list[Entry] = []
        for session, start, stop in parse_ranges(text):
            entries.extend(self.get_range(session, start, stop))
        return entries

    def _current_entries(self) -> list[Entry]:
        running = self.running
        return [(0, n, source) for n, source in enumerate(self.inputs) if n and n != running]

    def tail(self, n: int) -> list[Entry]:
        """The last ``n`` inputs across sessions (without the running cell), oldest first."""
        mine = self._current_entries()
        if n <= 0:
            return []
        if len(mine) >= n or self.store is None:
            return mine[-n:]
        earlier = self.store.tail(n - len(mine), self._before())
        return earlier + mine

    def _before(self) -> int | None:
        """Database sessions before the current one are those below this number."""
        current = self.current
        if current is not None:
            return current
        return None if self.store is None else 2**62

    def search(self, pattern: str = "*", n: int | None = None, unique: bool = False) -> list[Entry]:
        """Inputs of every session matching the glob ``pattern``, oldest first.

        The running cell is left out (IPython shows the ``%history -g`` line itself too).
        """
        current = self.current
        rows: list[Entry] = []
        if self.store is not None:
            rows = [row for row in self.store.search(pattern) if row[0] != current]
        rows += [row for row in self._current_entries() if fnmatch.fnmatchcase(row[2], pattern)]
        if unique:
            seen: set[str] = set()
            kept: list[Entry] = []
            for row in reversed(rows):
                if row[2] not in seen:
                    seen.add(row[2])
                    kept.append(row)
            rows = kept[::-1]
        if n is not None:
            rows = rows[-n:] if n > 0 else []
        return rows


def _iterate(cursor: sqlite3.Cursor) -> Iterator[Any]:
    while True:
        rows = cursor.fetchmany(200)
        if not rows:
            return
        yield from rows


__all__ = ["HistoryStore", "RangeError", "SessionHistory", "end_at_exit", "parse_ranges"]
