"""A pickleshare-compatible variable store whose every write is atomic.

The on-disk layout is pickleshare's (what IPython's ``%store`` uses): a database directory
holding ``autorestore/NAME``, one pickle per variable.  Pointed at IPython's
``profile_default/db``, both read each other's variables.

Differences from pickleshare, all invisible to a pickleshare reader:

* a value is streamed by ``pickle.dump`` into a temporary file in ``.anymagic-tmp/`` of the
  database (same file system, outside every pickleshare key pattern IPython reads), flushed,
  fsynced, then renamed over ``autorestore/NAME``: a process killed at any moment leaves
  the old value or the new one, and two processes storing at once corrupt nothing;
* the default pickle protocol is 5, not 2: protocol 2 turns a 200 MB ``bytes`` into a
  latin-1 ``str`` first (four times its size in memory, fifty times slower); pickleshare's
  reader accepts every protocol;
* folders it creates are owner-only (0700) and files 0600;
* reading reports why an entry failed, and refuses a database other users can write to
  (unpickling runs code).
"""

from __future__ import annotations

import os
import pickle
import stat
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .files import ensure_private_dir

PREFIX = "autorestore"
ALIASES = "stored_aliases"  # IPython's key for %store'd aliases: {name: command}
TMP_DIR = ".anymagic-tmp"
PROTOCOL = 5
_STALE_TMP = 3600.0  # seconds after which a temporary file is a crash leftover
_SMALL = 1 << 20  # files below this size are read in one call, larger ones streamed
_EUID = os.geteuid() if hasattr(os, "geteuid") else 0
_BATCH = 4  # from this many values in one call, one syncfs() replaces per-file fsyncs


class StoreError(Exception):
    """A store operation failed; the message is one line meant for the user."""


def is_valid_name(name: str) -> bool:
    """Whether ``name`` can be a stored variable (a Python identifier: no path tricks)."""
    return name.isidentifier()


class PickleDB:
    """Variables in a pickleshare database directory (``root/autorestore/NAME``)."""

    def __init__(self, root: Path | str, protocol: int = PROTOCOL) -> None:
        self.root = Path(os.path.abspath(os.path.expanduser(str(root))))
        self.folder = self.root / PREFIX
        self.protocol = protocol

    def __repr__(self) -> str:
        return f"PickleDB({str(self.root)!r})"

    # -- listing -----------------------------------------------------------------------
    def names(self) -> list[str]:
        """Stored variable names, sorted (what pickleshare's ``keys('autorestore/*')`` sees)."""
        try:
            with os.scandir(self.folder) as entries:
                return sorted(e.name for e in entries if not e.name.startswith(".") and e.is_file())
        except FileNotFoundError:
            return []
        except NotADirectoryError:
            raise StoreError(f"{self.folder} is not a directory") from None
        except OSError as exc:
            raise StoreError(f"cannot list {self.folder}: {exc.strerror or exc}") from None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and is_valid_name(name) and (self.folder / name).is_file()

    # -- safety -------------------------------------------------------------------------
    def check_trusted(self) -> None:
        """Refuse (StoreError) a database other users could have written: unpickling runs code."""
        uid = os.geteuid()
        for folder in (self.root, self.folder):
            try:
                st = os.stat(folder)
            except FileNotFoundError:
                continue
            except NotADirectoryError:
                raise StoreError(f"{self.root} is not a directory") from None
            except OSError as exc:
                raise StoreError(f"cannot read {folder}: {exc.strerror or exc}") from None
            if not stat.S_ISDIR(st.st_mode):
                raise StoreError(f"{folder} is not a directory")
            if st.st_uid != uid:
                raise StoreError(
                    f"refusing to restore from {folder}: it belongs to user id {st.st_uid}, "
                    "not you, and unpickling runs code"
                )
            if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                raise StoreError(
                    f"refusing to restore from {folder}: other users can write to it "
                    f"(mode {stat.S_IMODE(st.st_mode):04o}) and unpickling runs code; "
                    f"fix with: chmod go-w {folder}"
                )

    # -- reading -------------------------------------------------------------------------
    def load(self, name: str) -> Any:
        """Unpickle one variable; any failure is a StoreError saying why (one line)."""
        if not is_valid_name(name):
            raise StoreError(f"{name!r} is not a valid variable name")
        return self._load_path(f"{self.folder}{os.sep}{name}", name)

    def load_aliases(self) -> dict[str, str]:
        """The stored shell aliases (IPython's ``stored_aliases``), empty when none."""
        try:
            table = self._load_path(f"{self.root}{os.sep}{ALIASES}", ALIASES)
        except KeyError:
            return {}
        if not isinstance(table, dict):
            raise StoreError(f"{self.root / ALIASES} does not hold an alias table")
        return {str(k): str(v) for k, v in table.items()}

    def save_aliases(self, table: dict[str, str]) -> None:
        """Replace the stored alias table, atomically."""
        self._save_into(self.root, [(ALIASES, dict(table))])

    def _load_path(self, path: str, name: str) -> Any:
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            raise KeyError(name) from None
        except OSError as exc:
            raise StoreError(f"cannot open {path}: {exc.strerror or exc}") from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise StoreError(f"{path} is not a regular file")
            if st.st_uid != _EUID or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                raise StoreError(
                    f"{path} could have been written by another user "
                    f"(owner id {st.st_uid}, mode {stat.S_IMODE(st.st_mode):04o}); not unpickled"
                )
            if st.st_size < _SMALL:
                data = _read_all(fd, st.st_size)
                return pickle.loads(data)
            with os.fdopen(os.dup(fd), "rb") as handle:  # streamed: no second copy in memory
                return pickle.load(handle)
        except StoreError:
            raise
        except Exception as exc:  # damaged file, missing class, ... : say what, not a traceback
            raise StoreError(_describe(exc)) from exc
        finally:
            os.close(fd)

    # -- writing -------------------------------------------------------------------------
    def save(self, items: Iterable[tuple[str, Any]]) -> None:
        """Store several variables all or nothing: every value is pickled before any is replaced.

        A value that cannot be pickled raises StoreError and nothing is written.
        """
        items = list(items)
        for name, _ in items:
            if not is_valid_name(name):
                raise StoreError(f"{name!r} is not a valid variable name")
        self._save_into(self.folder, items)

    def _save_into(self, folder: Path, items: list[tuple[str, Any]]) -> None:
        tmp_dir = self._prepare()
        written: list[tuple[str, str]] = []
        # Many values: one syncfs() for all of them instead of an fsync per file (2,000 small
        # variables: ~0.3 s instead of ~5 s). Either way every temporary file is on disk
        # before it is renamed over an entry.
        batch = len(items) >= _BATCH and _syncfs_available()
        try:
            for name, value in items:
                written.append((self._write_temp(tmp_dir, name, value, not batch), name))
            if batch and not _syncfs(tmp_dir):
                for tmp, _ in written:
                    _fsync_file(tmp)
            for tmp, name in written:
                os.replace(tmp, folder / name)
            written = []
            _fsync_dir(folder)
        except OSError as exc:
            raise StoreError(f"cannot write to {folder}: {exc.strerror or exc}") from None
        finally:
            for tmp, _ in written:
                _unlink(tmp)

    def __setitem__(self, name: str, value: Any) -> None:
        self.save([(name, value)])

    def __getitem__(self, name: str) -> Any:
        return self.load(name)

    def delete(self, name: str) -> None:
        """Forget one variable (KeyError when it is not stored)."""
        if not is_valid_name(name):
            raise KeyError(name)
        try:
            os.unlink(self.folder / name)
        except FileNotFoundError:
            raise KeyError(name) from None
        except OSError as exc:
            raise StoreError(f"cannot delete {self.folder / name}: {exc.strerror or exc}") from None

    def clear(self) -> int:
        """Forget every variable; returns how many were removed."""
        count = 0
        for name in self.names():
            try:
                self.delete(name)
                count += 1
            except KeyError:  # another process removed it first
                pass
        return count

    # -- internals -------------------------------------------------------------------------
    def _prepare(self) -> Path:
        tmp_dir = self.root / TMP_DIR
        try:
            for folder in (self.folder, tmp_dir):
                ensure_private_dir(folder)
                if not folder.is_dir():
                    raise StoreError(f"{folder} exists and is not a directory")
        except OSError as exc:
            where = exc.filename or self.root
            raise StoreError(f"cannot create {where}: {exc.strerror or exc}") from None
        _remove_stale(tmp_dir)
        return tmp_dir

    def _write_temp(self, tmp_dir: Path, name: str, value: Any, sync: bool = True) -> str:
        """Pickle ``value`` into a fresh (fsynced) temporary file; return its path."""
        fd = -1
        tmp = ""
        try:
            import tempfile

            fd, tmp = tempfile.mkstemp(prefix=f"{name}.", suffix=".tmp", dir=tmp_dir)
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as handle:
                fd = -1  # the file object owns it now
                pickle.dump(value, handle, protocol=self.protocol)
                handle.flush()
                if sync:
                    os.fsync(handle.fileno())
            return tmp
        except BaseException as exc:
            if fd >= 0:
                os.close(fd)
            if tmp:
                _unlink(tmp)
            if isinstance(exc, OSError):
                raise StoreError(
                    f"cannot write {name!r} to {self.root}: {exc.strerror or exc}"
                ) from None
            if isinstance(exc, Exception):
                raise StoreError(
                    f"cannot store {name!r}: {type(value).__name__} value cannot be pickled "
                    f"({_describe(exc)}); nothing was written"
                ) from exc
            raise


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _read_all(fd: int, size: int) -> bytes:
    """Read a regular file of ``size`` bytes: one read() unless it grew meanwhile."""
    data = os.read(fd, size + 1)
    if len(data) <= size:  # a short read of a regular file is its end
        return data
    chunks = [data]
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


_SYNCFS: Any = None


def _syncfs_available() -> bool:
    """Whether Linux's syncfs(2) can be called (looked up once, through ctypes)."""
    global _SYNCFS
    if _SYNCFS is None:
        _SYNCFS = False
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                _SYNCFS = ctypes.CDLL(None, use_errno=True).syncfs
            except (ImportError, OSError, AttributeError):
                pass
    return bool(_SYNCFS)


def _syncfs(folder: Path) -> bool:
    """Flush every file of ``folder``'s file system to disk; False if that failed."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return False
    try:
        return _SYNCFS(fd) == 0
    finally:
        os.close(fd)


def _fsync_file(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable (best effort: not every file system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _remove_stale(tmp_dir: Path) -> None:
    """Remove temporary files a killed process left behind (older than an hour)."""
    limit = time.time() - _STALE_TMP
    try:
        with os.scandir(tmp_dir) as entries:
            for entry in entries:
                try:
                    if entry.stat(follow_symlinks=False).st_mtime < limit:
                        os.unlink(entry.path)
                except OSError:
                    pass
    except OSError:
        pass
