"""Directories: ``%cd``, ``%pwd``, ``%dhist``, ``%pushd``, ``%popd``, ``%dirs``, ``%bookmark``.

The directory history is the list ``_dh`` in the user namespace (as in IPython); bookmarks
persist in ``<data dir>/bookmarks.json`` (owner-only, written atomically, re-read before
every change so two sessions never lose each other's bookmarks).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from traitlets import Bool

from anymagic.registry.arguments import split_args
from anymagic.registry.decorators import line_magic, magics_class
from anymagic.registry.errors import UsageError
from anymagic.registry.files import atomic_write_bytes, atomic_write_text, ensure_private_dir
from anymagic.registry.magics import Magics

BOOKMARKS_FILE = "bookmarks.json"
_NAME = re.compile(r"[^\W][\w.-]*\Z")  # no spaces, no leading '-' (it would read as an option)
_NUMBERED = re.compile(r"-(\d+)\Z")

CD_USAGE = "usage: %cd [-q] [DIR | -b NAME | - | -N | --PATTERN]"
BOOKMARK_USAGE = "usage: %bookmark NAME [DIR] | -l | -d NAME | -r"
DHIST_USAGE = "usage: %dhist [N | N1 N2]"


class BookmarkFile:
    """The bookmarks table on disk: ``{name: absolute directory}`` as JSON.

    A damaged file is reported once (per content) and read as empty; it is only replaced
    when the user changes a bookmark, and then a copy is kept as ``bookmarks.json.bak``.
    """

    def __init__(self, path: Path, report: Callable[[str], None]) -> None:
        self.path = path
        self.report = report
        self._damaged: bytes | None = None  # raw content of a damaged file, as last read
        self._reported: bytes | None = None

    def read(self) -> dict[str, str]:
        self._damaged = None
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise UsageError(f"cannot read {self.path}: {exc.strerror}") from None
        try:
            table = json.loads(data.decode("utf-8"))
            if not isinstance(table, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in table.items()
            ):
                raise ValueError("not a table of names to directories")
        except (ValueError, UnicodeDecodeError) as exc:
            self._damaged = data
            if self._reported != data:
                self._reported = data
                why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                self.report(
                    f"anymagic: {self.path} is damaged ({why}); no bookmarks until you "
                    "change one (the damaged file is then kept as .bak)\n"
                )
            return {}
        return table

    def change(self, edit: Callable[[dict[str, str]], None]) -> None:
        """Re-read, apply ``edit`` (which may raise to change nothing), write atomically."""
        with self._lock():
            table = self.read()
            edit(table)
            if self._damaged is not None:
                backup = self.path.with_name(self.path.name + ".bak")
                atomic_write_bytes(backup, self._damaged)
                self.report(f"anymagic: kept the damaged bookmarks file as {backup}\n")
            text = json.dumps(dict(sorted(table.items())), indent=1, ensure_ascii=False)
            atomic_write_text(self.path, text + "\n")
            self._damaged = None

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """Serialize read-modify-write between sessions (a no-op where flock is missing)."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            yield
            return
        ensure_private_dir(self.path.parent)
        fd = os.open(self.path.with_name(f".{self.path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock


def _home() -> str:
    return os.path.expanduser("~")


def _abbreviate(path: str) -> str:
    """``path`` with the home folder shown as ``~`` (for %pushd's stack, like IPython)."""
    home = _home().rstrip(os.sep)
    if home and (path == home or path.startswith(home + os.sep)):
        return "~" + path[len(home) :]
    return path


def _words_before(token: str, line: str) -> list[str]:
    """The words of a magic line before the one being completed, without the magic name."""
    words = line.split()
    if token and words and words[-1] == token:
        words = words[:-1]
    return words[1:]


@magics_class
class BookmarkMagics(Magics):
    """Change directories, remember where you have been, bookmark places."""

    cd_force_quiet = Bool(False, help="%cd never prints the new directory").tag(config=True)

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)
        self.dir_stack: list[str] = []
        data_dir = Path(shell.data_dir) if shell is not None else Path(".")
        self.bookmarks = BookmarkFile(data_dir / BOOKMARKS_FILE, self._report)
        if shell is not None:
            self._dhist()

    def _report(self, text: str) -> None:
        self.shell.write(text, "stderr")

    def _dhist(self) -> list[Any]:
        """``_dh`` from the user namespace, created (with the cwd) when missing."""
        ns = self.shell.user_ns
        dh = ns.get("_dh")
        if not isinstance(dh, list):
            dh = ns["_dh"] = [os.getcwd()]
        return dh

    def _chdir(self, target: str, quiet: bool) -> str:
        """Change to ``target``, record it in ``_dh``, print it unless quiet; the new cwd."""
        path = os.path.expanduser(target)
        if not os.path.isdir(path):
            what = "not a directory" if os.path.exists(path) else "no such directory"
            raise UsageError(f"%cd: {what}: {target}")
        old = os.getcwd()
        try:
            os.chdir(path)
        except OSError as exc:
            raise UsageError(f"%cd: {exc.strerror.lower()}: {target}") from None
        cwd = os.getcwd()
        dh = self._dhist()
        if cwd != old or not dh:
            dh.append(cwd)
        if not quiet and not self.cd_force_quiet:
            self.shell.write(cwd + "\n")
        return cwd

    # -- %cd ------------------------------------------------------------------------------
    @line_magic
    def cd(self, line: str) -> None:
        """Change the working directory, keeping a history in `_dh`.

        `%cd DIR`; `%cd` alone goes home; `%cd -` goes back to the previous directory;
        `%cd -N` to entry N of the history (see `%dhist`); `%cd --PATTERN` to the most recent
        history entry containing PATTERN (a match in the last path component wins);
        `%cd -b NAME` to a bookmark (`%cd NAME` too, when NAME is not a directory here).
        `-q` does not print the new directory.
        """
        quiet, use_bookmark, target = self._parse_cd(line)
        dh = self._dhist()
        if target == "-":
            if len(dh) < 2:
                raise UsageError("%cd -: no previous directory to change to")
            target = str(dh[-2])
        elif _NUMBERED.match(target) and not use_bookmark:
            n = int(target[1:])
            if n >= len(dh):
                raise UsageError(
                    f"%cd {target}: the directory history has {len(dh)} entries (0-{len(dh) - 1});"
                    " %dhist shows them"
                )
            target = str(dh[n])
        elif target.startswith("--") and not use_bookmark:
            target = self._search_history(target[2:])
        elif use_bookmark or (target and not os.path.isdir(os.path.expanduser(target))):
            table = self.bookmarks.read()
            if target in table:
                self.shell.write(f"(bookmark:{target}) -> {table[target]}\n")
                target = table[target]
            elif use_bookmark:
                raise UsageError(
                    f"%cd -b: no bookmark named {target!r} (%bookmark -l lists them)", CD_USAGE
                )
        self._chdir(target or _home(), quiet)

    def _parse_cd(self, line: str) -> tuple[bool, bool, str]:
        argv = split_args(line, "%cd")
        quiet = use_bookmark = False
        rest: list[str] = []
        for i, word in enumerate(argv):
            if word == "--":  # end of options: %cd -- -odd-name
                rest.extend(argv[i + 1 :])
                break
            if not word.startswith("-") or word == "-" or _NUMBERED.match(word):
                rest = argv[i:]
                break
            if word.startswith("--"):
                rest = argv[i:]
                break
            for flag in word[1:]:
                if flag == "q":
                    quiet = True
                elif flag == "b":
                    use_bookmark = True
                else:
                    raise UsageError(f"%cd: unknown option -{flag}", CD_USAGE)
        if use_bookmark and not rest:
            raise UsageError("%cd -b: a bookmark NAME is required", CD_USAGE)
        return quiet, use_bookmark, " ".join(rest)

    def _search_history(self, pattern: str) -> str:
        fallback = None
        for entry in reversed(self._dhist()):
            entry = str(entry)
            if not os.path.isdir(entry):
                continue
            if pattern in os.path.basename(entry):
                return entry
            if fallback is None and pattern in entry:
                fallback = entry
        if fallback is None:
            raise UsageError(f"%cd --{pattern}: no directory in the history matches {pattern!r}")
        return fallback

    def complete_cd(self, token: str, line: str) -> list[str] | None:
        """Completions for `%cd`: bookmarks after -b, else directories and bookmarks."""
        before = _words_before(token, line)
        if token.startswith("-"):
            return None
        names = self._bookmark_names(token)
        if before and before[-1].startswith("-") and "b" in before[-1]:
            return names
        from anymagic.registry.completion import complete_path

        dirs = [p for p in complete_path(token) if p.endswith("/")]
        return sorted(set(dirs) | (set() if "/" in token else set(names)))

    def _bookmark_names(self, prefix: str) -> list[str]:
        try:
            table = self.bookmarks.read()
        except UsageError:
            return []
        return sorted(name for name in table if name.startswith(prefix))

    # -- %pwd, %dhist ---------------------------------------------------------------------
    @line_magic
    def pwd(self, line: str) -> str:
        """Return the current working directory (shown as the cell's value)."""
        if line.strip():
            raise UsageError("%pwd takes no arguments", "usage: %pwd")
        return os.getcwd()

    @line_magic
    def dhist(self, line: str) -> None:
        """Print the directory history (kept in `_dh`; `%cd -N` goes to entry N).

        `%dhist` prints it all, `%dhist N` the last N entries, `%dhist N1 N2` entries N1 up
        to (not including) N2.
        """
        dh = self._dhist()
        try:
            numbers = [int(word) for word in line.split()]
        except ValueError:
            raise UsageError(f"%dhist: not a number in {line.strip()!r}", DHIST_USAGE) from None
        if len(numbers) > 2 or any(n < 0 for n in numbers):
            raise UsageError("%dhist: expected up to two non-negative numbers", DHIST_USAGE)
        if not numbers:
            start, stop = 0, len(dh)
        elif len(numbers) == 1:
            start, stop = max(len(dh) - numbers[0], 0), len(dh)
        else:
            start, stop = numbers[0], min(numbers[1], len(dh))
        lines = ["Directory history (kept in _dh)"]
        lines += [f"{i}: {dh[i]}" for i in range(start, stop)]
        self.shell.write("\n".join(lines) + "\n")

    # -- %pushd, %popd, %dirs -------------------------------------------------------------
    @line_magic
    def pushd(self, line: str) -> list[str]:
        """Put the current directory on the stack and change to DIR: `%pushd [DIR]`.

        DIR is anything `%cd` takes (`-q`, `-b NAME`, ...).  Returns the stack (`%dirs`);
        `%popd` comes back.
        """
        cwd = _abbreviate(os.getcwd())
        if line.strip():
            self.cd(line)  # so %pushd -q DIR, %pushd -b NAME and %pushd - work too
        self.dir_stack.insert(0, cwd)
        return list(self.dir_stack)

    @line_magic
    def popd(self, line: str) -> None:
        """Change to the directory on top of the stack (see `%pushd`) and remove it."""
        if line.strip():
            raise UsageError("%popd takes no arguments", "usage: %popd")
        if not self.dir_stack:
            raise UsageError("%popd on empty stack (%pushd DIR adds to it)")
        top = self.dir_stack[0]
        self._chdir(top, quiet=False)
        self.dir_stack.pop(0)
        self.shell.write(f"popd -> {top}\n")

    @line_magic
    def dirs(self, line: str) -> list[str]:
        """Return the directory stack of `%pushd` / `%popd`, top first."""
        if line.strip():
            raise UsageError("%dirs takes no arguments", "usage: %dirs")
        return list(self.dir_stack)

    # -- %bookmark --------------------------------------------------------------------------
    @line_magic
    def bookmark(self, line: str) -> None:
        """Manage directory bookmarks, kept across sessions.

        `%bookmark NAME` bookmarks the current directory, `%bookmark NAME DIR` another one;
        `%bookmark -l` lists them, `%bookmark -d NAME` removes one, `%bookmark -r` removes
        all.  `%cd -b NAME` (or `%cd NAME` when there is no such directory) goes there.
        """
        argv = split_args(line, "%bookmark")
        modes = [w for w in argv if w.startswith("-") and len(w) > 1]
        args = [w for w in argv if w not in modes]
        for mode in modes:
            if mode not in ("-l", "-d", "-r"):
                raise UsageError(f"%bookmark: unknown option {mode}", BOOKMARK_USAGE)
        if len(modes) > 1:
            raise UsageError(f"%bookmark: choose one of {', '.join(modes)}", BOOKMARK_USAGE)
        mode = modes[0] if modes else None
        expected = {"-l": (0, 0), "-r": (0, 0), "-d": (1, 1), None: (1, 2)}[mode]
        if not expected[0] <= len(args) <= expected[1]:
            what = "a bookmark NAME" if mode in ("-d", None) and not args else "arguments"
            label = f"%bookmark {mode}" if mode else "%bookmark"
            verb = "requires" if not args else "has too many"
            raise UsageError(f"{label} {verb} {what}", BOOKMARK_USAGE)
        if mode == "-l":
            self._list_bookmarks()
            return
        if mode == "-r":
            self.bookmarks.change(lambda table: table.clear())
            return
        name = args[0]
        if mode == "-d":

            def delete(table: dict[str, str]) -> None:
                if name not in table:
                    raise UsageError(
                        f"%bookmark -d: no bookmark named {name!r} (%bookmark -l lists them)"
                    )
                del table[name]

            self.bookmarks.change(delete)
            return
        if not _NAME.match(name):
            raise UsageError(
                f"%bookmark: invalid name {name!r}: use letters, digits, '_', '.' and '-'",
                BOOKMARK_USAGE,
            )
        target = os.path.abspath(os.path.expanduser(args[1])) if len(args) == 2 else os.getcwd()
        if not os.path.isdir(target):
            raise UsageError(f"%bookmark: no such directory: {args[1]}")
        self.bookmarks.change(lambda table: table.__setitem__(name, target))

    def _list_bookmarks(self) -> None:
        table = self.bookmarks.read()
        width = max(map(len, table), default=0)
        lines = ["Current bookmarks:"]
        lines += [f"{name:<{width}} -> {table[name]}" for name in sorted(table)]
        self.shell.write("\n".join(lines) + "\n")

    def complete_bookmark(self, token: str, line: str) -> list[str] | None:
        """Completions for `%bookmark`: names after -d, directories after NAME."""
        before = _words_before(token, line)
        if before and before[-1] == "-d":
            return self._bookmark_names(token)
        if len([w for w in before if not w.startswith("-")]) == 1:
            from anymagic.registry.completion import complete_path

            return [p for p in complete_path(token) if p.endswith("/")]
        return None
