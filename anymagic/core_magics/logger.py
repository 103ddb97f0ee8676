"""Session logging: ``%logstart``, ``%logstop``, ``%logoff``, ``%logon``, ``%logstate``.

IPython's options and modes.  The log is a Python file that ``anymagic LOGFILE`` replays to
restore the session: each cell that ran is written as the Python it was translated to
(``%magic`` lines become ``__anymagic__.line(...)`` calls, which the replaying session
provides), or with ``-r`` as typed.  Every cell is written with one ``os.write`` and then
fsynced, so a crash loses nothing that already ran.  The file is created owner-only (0600).

Differences from IPython, all so that a log replays:

* a cell that raised is kept as comments (it would stop the replay there);
* calls to the logging magics themselves become ``pass  # %logon ...`` (a replay must not
  start logging again, let alone rotate the very log it is reading);
* ``global`` mode appends to a log in anymagic's data directory, not the home directory.
"""

from __future__ import annotations

import glob
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from traitlets import Bool

from anymagic.registry.arguments import argument, magic_arguments, parse_argstring
from anymagic.registry.decorators import line_magic, magics_class
from anymagic.registry.errors import UsageError
from anymagic.registry.magics import Magics

MODES = ("append", "backup", "global", "over", "rotate")
DEFAULT_NAME = "anymagic_log.py"
DEFAULT_MODE = "rotate"  # with no LOGFILE; a named LOGFILE defaults to "backup" (as IPython)
LOG_MAGICS = ("logstart", "logstop", "logon", "logoff", "logstate")
_LOG_CALL = re.compile(
    r"^(?P<indent>\s*)__anymagic__\.line\((?P<q>['\"])(?:"
    + "|".join(LOG_MAGICS)
    + r")(?P=q),.*\)\s*$"
)
_RUNTIME = "__anymagic__"
_AST_ONLY = 0x400 | 0x2000  # PyCF_ONLY_AST | PyCF_ALLOW_TOP_LEVEL_AWAIT
_ROTATED = re.compile(r"\.(\d+)~\Z")


def _stamp() -> str:
    return time.strftime("%a, %d %b %Y %H:%M:%S", time.localtime())


def _safe_repr(value: Any) -> str:
    try:
        return repr(value)
    except Exception as exc:  # noqa: BLE001 - a user's __repr__ may raise anything
        return f"<repr of {type(value).__name__} failed: {type(exc).__name__}: {exc}>"


def _comment(text: str, prefix: str = "# ") -> str:
    return "".join(f"{prefix}{line}".rstrip() + "\n" for line in text.splitlines())


class _Log:
    """One open log file and its options."""

    def __init__(self, path: Path, mode: str, fd: int, output: bool, raw: bool, stamp: bool):
        self.path = path
        self.mode = mode
        self.fd = fd
        self.output = output
        self.raw = raw
        self.timestamp = stamp
        self.active = True
        self.skip: Any = None  # the CellResult of the %logstart cell (not logged)


def _open_log(path: Path, mode: str) -> tuple[int, bool]:
    """Open ``path`` for logging in ``mode``; return ``(fd, appending_to_existing_text)``.

    Nothing on disk changes unless the new file could be created: for ``backup``, ``over``
    and ``rotate`` a temporary file is created first in the same folder (0600), then the old
    files are renamed and the temporary file takes the log's name.
    """
    if mode in ("append", "global"):
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        return fd, os.fstat(fd).st_size > 0
    if path.is_dir():
        raise IsADirectoryError(21, "Is a directory", str(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if mode == "backup" and path.exists():
            os.replace(path, f"{path}~")
        elif mode == "rotate" and path.exists():
            numbered = []
            for sibling in path.parent.glob(f"{glob.escape(path.name)}.*~"):
                match = _ROTATED.search(sibling.name)
                if match and sibling.name == f"{path.name}.{match.group(1)}~":
                    numbered.append(int(match.group(1)))
            for number in sorted(numbered, reverse=True):
                os.replace(f"{path}.{number}~", f"{path}.{number + 1}~")
            os.replace(path, f"{path}.1~")
        os.replace(tmp, path)  # "over": replaces any old file at once
    except BaseException:
        os.close(fd)
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return fd, False


@magics_class
class LoggingMagics(Magics):
    """Log the session to a Python file that ``anymagic LOGFILE`` replays."""

    quiet = Bool(False, help="Do not print the log state when logging starts.").tag(config=True)
    fsync = Bool(
        True,
        help="fsync the log after every cell (about 0.3 ms), so even a system crash loses "
        "nothing already run; without it only a crash of the process is covered.",
    ).tag(config=True)

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)
        self.log: _Log | None = None
        self._written: dict[Path, int] = {}  # log path -> last cell number written to it

    # -- the magics --------------------------------------------------------------------------
    @magic_arguments()
    @argument("-o", action="store_true", help="also log outputs, as #[Out]# comments")
    @argument("-r", action="store_true", help="log the raw input (magics as typed)")
    @argument("-t", action="store_true", help="put a timestamp comment before each cell")
    @argument("-q", action="store_true", help="do not print the log state")
    @argument("logfile", nargs="?", help=f"the log file (default: {DEFAULT_NAME})")
    @argument("mode", nargs="?", help=f"one of {', '.join(MODES)}")
    @line_magic
    def logstart(self, line: str) -> None:
        """Start logging the session to a Python file that `anymagic LOGFILE` replays.

        With no LOGFILE the log is `anymagic_log.py` in the current folder in `rotate`
        mode; a LOGFILE given without MODE is opened in `backup` mode.  The cells typed so
        far are written first, then every cell that runs.  MODE is one of:

        append: add to the end of an existing file.
        backup: rename an existing file to LOGFILE~, then start LOGFILE.
        global: append to LOGFILE in anymagic's data directory ($ANYMAGIC_DIR).
        over: overwrite an existing file.
        rotate: keep old logs as LOGFILE.1~ (newest), LOGFILE.2~, ...

        Each cell is logged as the Python it ran as (`%magic` becomes
        `__anymagic__.line(...)`), or as typed with -r.  A cell that raised is kept as
        comments so the log still replays.  The file is owner-only (0600) and flushed and
        fsynced after every cell.
        """
        usage = self.logstart.parser.format_usage()
        args = parse_argstring(self.logstart, line)
        if self.log is not None:
            raise UsageError(
                f"%logstart: already logging to {self.log.path} (%logstop first)", usage
            )
        if args.mode is not None and args.mode not in MODES:
            raise UsageError(
                f"%logstart: unknown mode {args.mode!r}; choose from {', '.join(MODES)}", usage
            )
        name = os.path.expanduser(args.logfile) if args.logfile else DEFAULT_NAME
        mode = args.mode or ("backup" if args.logfile else DEFAULT_MODE)
        if mode == "global":
            from anymagic.registry.files import ensure_private_dir

            path = Path(ensure_private_dir(self.shell.data_dir)) / name
        else:
            path = Path(name)
        path = Path(os.path.abspath(path))
        try:
            fd, resumed = _open_log(path, mode)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise UsageError(f"%logstart: cannot open log file {path}: {reason}", usage) from None
        log = _Log(path, mode, fd, args.o, args.r, args.t)
        title = "# anymagic log resumed" if resumed else "# anymagic log file"
        head = f"{title}\n# {_stamp()}\n\n"
        if resumed:
            head = "\n" + head
        current = _running_cell(self.shell)
        history = list(self.shell.history)
        count = getattr(current, "execution_count", None)
        earlier = history[1:count] if count is not None else history[1:]
        first = 1
        if mode in ("append", "global"):  # cells this session already wrote to this file
            first = self._written.get(path, 0) + 1
        outputs = self.shell.user_ns.get("Out", {})
        parts = [head]
        for number, source in enumerate(earlier, start=1):
            if number < first:
                continue
            value = outputs.get(number) if isinstance(outputs, dict) else None
            parts.append(self._entry(log, source, number, None, value, stamp=False))
        self.log = log
        try:
            self._write("".join(parts))
            self._written[path] = max(self._written.get(path, 0), len(earlier))
        except OSError:
            self.log = None
            raise
        log.skip = current
        self.shell.events.register("post_run_cell", self._post_run_cell)
        if not (self.quiet or args.q):
            self.shell.write(
                "Activating auto-logging. Current session state plus future input saved.\n"
            )
            self.logstate("")

    @magic_arguments()
    @line_magic
    def logstop(self, line: str) -> None:
        """Stop logging and close the log file (%logstart starts a new one)."""
        parse_argstring(self.logstop, line)
        log = self._require(self.logstop)
        self.log = None
        try:
            self.shell.events.unregister("post_run_cell", self._post_run_cell)
        except ValueError:
            pass
        os.close(log.fd)

    @magic_arguments()
    @line_magic
    def logoff(self, line: str) -> None:
        """Pause logging (%logon resumes it); cells run meanwhile are not logged."""
        parse_argstring(self.logoff, line)
        self._switch(self._require(self.logoff), False)

    @magic_arguments()
    @line_magic
    def logon(self, line: str) -> None:
        """Resume logging paused by %logoff (to start logging, use %logstart)."""
        parse_argstring(self.logon, line)
        self._switch(self._require(self.logon), True)

    @magic_arguments()
    @line_magic
    def logstate(self, line: str) -> None:
        """Show whether the session is being logged, where, and with which options."""
        parse_argstring(self.logstate, line)
        log = self.log
        if log is None:
            self.shell.write("Logging has not been activated.\n")
            return
        self.shell.write(
            f"Filename       : {log.path}\n"
            f"Mode           : {log.mode}\n"
            f"Output logging : {log.output}\n"
            f"Raw input log  : {log.raw}\n"
            f"Timestamping   : {log.timestamp}\n"
            f"State          : {'active' if log.active else 'temporarily suspended'}\n"
        )

    # -- helpers -----------------------------------------------------------------------------
    def _require(self, magic: Any) -> _Log:
        if self.log is None:
            raise UsageError(
                f"%{magic.__name__}: logging has not been started (use %logstart)",
                magic.parser.format_usage(),
            )
        return self.log

    def _switch(self, log: _Log, on: bool) -> None:
        label = "ON" if on else "OFF"
        if log.active == on:
            self.shell.write(f"Logging is already {label}\n")
        else:
            log.active = on
            self.shell.write(f"Switching logging {label}\n")

    def _post_run_cell(self, result: Any) -> None:
        log = self.log
        if log is None or not log.active:
            return
        if result is log.skip:  # the %logstart cell itself
            log.skip = None
            return
        count = getattr(result, "execution_count", None)
        if count is None:  # only stored cells are logged (as in IPython)
            return
        source = getattr(result, "source", None)
        if source is None:
            try:
                source = self.shell.history[count]
            except (IndexError, KeyError, TypeError):
                return
        value = result.result if self._was_shown(result, count) else None
        error = getattr(result, "error", None)
        entry = self._entry(log, source, count, error, value, log.timestamp)
        try:
            self._write(entry)
            self._written[log.path] = count
        except OSError as exc:
            log.active = False
            self.shell.write(
                f"anymagic: cannot write the log {log.path}: {exc.strerror or exc}; logging "
                "is paused (%logon retries, %logstop closes it)\n",
                "stderr",
            )

    def _was_shown(self, result: Any, count: int) -> bool:
        value = getattr(result, "result", None)
        out = self.shell.user_ns.get("Out")
        return value is not None and isinstance(out, dict) and out.get(count) is value

    def _entry(
        self,
        log: _Log,
        source: str,
        count: int,
        error: BaseException | None,
        value: Any,
        stamp: bool,
    ) -> str:
        """The text logged for one cell (empty for an empty cell)."""
        if not source.strip():
            return ""
        try:
            python = self.shell.syntax.transform(source)
        except Exception as exc:  # noqa: BLE001 - a user's input transform may raise
            python, error = "", error or exc
        if python and self._neutralize(python, None)[1]:
            return ""  # nothing but logging magics (even a failed one): nothing to replay
        if error is None:
            try:
                compile(python, "<log>", "exec", _AST_ONLY, True)
            except (SyntaxError, ValueError) as exc:
                error = exc
        parts = [f"# {_stamp()}\n"] if stamp else []
        if error is not None:
            parts.append(
                f"# In[{count}] raised {type(error).__name__}; kept as a comment so the log "
                "replays:\n"
            )
            parts.append(_comment(source))
            return "".join(parts)
        raw = log.raw
        if raw and python.lstrip().startswith(f"{_RUNTIME}.cell("):
            # A %%cell magic only works as a cell's first line: a file replays it as a call.
            parts.append(_comment(source))
            raw = False
        text = self._neutralize(source, source)[0] if raw else self._neutralize(python, None)[0]
        parts.append(text.rstrip("\n") + "\n")
        if log.output and value is not None:
            parts.append(_comment(_safe_repr(value), "#[Out]# "))
        return "".join(parts)

    def _neutralize(self, text: str, raw: str | None) -> tuple[str, bool]:
        """Turn calls to the logging magics into ``pass  # ...`` (a replay must not log).

        Returns the text and whether it held nothing else.
        """
        lines = text.split("\n")
        translated = lines
        if raw is not None:
            try:
                translated = self.shell.syntax.translate(raw).split("\n")
            except Exception:  # noqa: BLE001 - a user's transform may raise
                return text, False
            if len(translated) != len(lines):
                return text, False
        other = False
        for index, line in enumerate(translated):
            match = _LOG_CALL.match(line)
            if match:
                typed = lines[index].strip() if raw is not None else _as_typed(line)
                lines[index] = f"{match.group('indent')}pass  # {typed}"
            elif line.strip() and not line.lstrip().startswith("#"):
                other = True
        return "\n".join(lines), not other

    def _write(self, text: str) -> None:
        log = self.log
        if log is None or not text:
            return
        data = text.encode("utf-8")
        while data:
            written = os.write(log.fd, data)
            data = data[written:]
        if self.fsync:
            os.fsync(log.fd)


def _as_typed(call: str) -> str:
    """``__anymagic__.line('logon', '')`` -> ``%logon`` (for the comment that replaces it)."""
    import ast

    try:
        node = ast.parse(call.strip(), mode="eval").body
        name, args = (ast.literal_eval(arg) for arg in node.args)  # type: ignore[attr-defined]
    except (SyntaxError, ValueError, TypeError, AttributeError):
        return call.strip()
    return f"%{name} {args}".rstrip()


def _running_cell(session: Any) -> Any:
    """The CellResult of the cell this session is running now (None outside a cell)."""
    return getattr(session, "current_cell", None)
