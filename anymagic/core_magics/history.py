"""Input history: ``%history`` (``%hist``), ``%macro``, ``%edit`` (``%ed``), ``%rerun``.

Every host's numbered inputs are kept by the session in ``DATA_DIR/history.sqlite``
(:class:`~anymagic.registry.history.HistoryStore`), so these magics read earlier sessions
too.  Ranges follow IPython: ``4``, ``4-6``, ``4-``, ``4:6`` (6 excluded), ``~1/`` (all of
the previous session), ``~2/1-5``, ``243/`` (session 243), several separated by spaces.
"""

from __future__ import annotations

import fnmatch
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from anymagic.registry.arguments import argument, magic_arguments, parse_argstring, split_args
from anymagic.registry.decorators import line_magic, magics_class
from anymagic.registry.errors import UsageError
from anymagic.registry.history import Entry, RangeError, SessionHistory, parse_ranges
from anymagic.registry.macro import Macro, macro_source
from anymagic.registry.magics import Magics

MACRO_USAGE = "usage: %macro [-r] [-q] NAME RANGE|MACRO|STRING_VAR|FILE ..."
EDIT_USAGE = "usage: %edit [-x] [-p] [-n LINE] [RANGE|MACRO|NAME|FILE]"
RERUN_USAGE = "usage: %rerun [-l N | -g PATTERN | RANGE ...]"
_UNSET = object()


def default_editor() -> str:
    """``$EDITOR``, else ``vi`` (``notepad`` on Windows), as IPython."""
    return os.environ.get("EDITOR") or ("notepad" if os.name == "nt" else "vi")


def format_entries(
    entries: list[tuple[int, int, str]],
    *,
    numbers: bool = False,
    prompts: bool = False,
    outputs: dict[int, Any] | None = None,
    current: int | None = None,
) -> str:
    """Entries as ``%history`` prints them (IPython's layout)."""
    out: list[str] = []
    for session, line, source in entries:
        text = source.expandtabs(4).rstrip()
        multiline = "\n" in text
        prefix = ""
        if numbers:
            label = str(line) if session in (0, current) else f"{session}/{line}"
            prefix = f"{label.rjust(4)}:{chr(10) if multiline else ' '}"
        if prompts:
            prefix += ">>> "
            if multiline:
                text = "\n... ".join(text.splitlines()) + "\n..."
        out.append(prefix + text + "\n")
        if outputs is not None and session in (0, current) and line in outputs:
            out.append(_repr(outputs[line]) + "\n")
    return "".join(out)


def _repr(value: Any) -> str:
    try:
        return repr(value)
    except Exception as exc:  # noqa: BLE001 - a user's repr may raise anything
        return f"<repr failed: {type(exc).__name__}>"


@magics_class
class HistoryMagics(Magics):
    """Numbered input history of this and earlier sessions; macros; editing."""

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)
        self._last_edit: tuple[str, str] | None = None  # ("file", path) or ("text", source)

    # -- helpers ------------------------------------------------------------------------------
    @property
    def hist(self) -> SessionHistory:
        shell = self.shell
        getter = getattr(shell, "get_history_store", None)
        store = getter() if getter is not None else getattr(shell, "history_store", None)
        cell = getattr(shell, "current_cell", None)
        running = getattr(cell, "execution_count", None)
        return SessionHistory(shell.history, store, running)

    def _translate(self, source: str) -> str:
        try:
            return self.shell.transform_cell(source)
        except Exception:  # noqa: BLE001 - show what was typed when it does not translate
            return source

    def _range_entries(self, text: str, usage: str, magic: str) -> list[Entry]:
        try:
            return self.hist.get_range_by_str(text)
        except RangeError as exc:
            raise UsageError(f"%{magic}: {exc}", usage) from None

    # -- %history -------------------------------------------------------------------------------
    @magic_arguments()
    @argument("-n", dest="numbers", action="store_true", help="show line numbers")
    @argument("-o", dest="outputs", action="store_true", help="also show outputs (this session)")
    @argument("-p", dest="prompts", action="store_true", help="show >>> prompts (doctest style)")
    @argument(
        "-t",
        dest="translated",
        action="store_true",
        help="show the translated Python instead of the input as typed",
    )
    @argument("-f", dest="filename", help="write to FILENAME instead (refused if it exists)")
    @argument("-y", dest="overwrite", action="store_true", help="with -f: overwrite FILENAME")
    @argument(
        "-g",
        dest="pattern",
        nargs="*",
        default=None,
        help="search every session for a glob pattern (* and ?); no pattern: everything",
    )
    @argument(
        "-l",
        dest="limit",
        type=int,
        nargs="?",
        default=_UNSET,
        help="the last N inputs of all sessions (default 10); with -g the last N matches",
    )
    @argument("-u", dest="unique", action="store_true", help="with -g: each input only once")
    @argument("range", nargs="*", help="ranges: 4  4-6  4-  4:6  ~1/  ~2/1-5  243/")
    @line_magic
    def history(self, line: str) -> None:
        """Show input history (this session by default); ranges as IPython's.

        ``4`` line 4; ``4-6`` lines 4 to 6; ``4-`` from 4 on; ``4:6`` lines 4 and 5;
        ``~1/`` the previous session; ``~2/1-5`` lines 1-5 two sessions ago; ``243/`` session
        243.  ``-g PATTERN`` searches every session (glob, shows ``session/line``); ``-l N``
        the last N inputs; ``-f FILE`` writes to a new file (``-y`` to overwrite).
        """
        usage = self.history.parser.format_usage()
        args = parse_argstring(self.history, line)
        hist = self.hist
        numbers = args.numbers
        limit = None if args.limit is _UNSET else args.limit
        if limit is not None and limit < 0:
            raise UsageError("%history: -l needs a number of inputs >= 0", usage)
        range_pattern = None
        if args.pattern is not None and not args.range:
            pattern = "*" + " ".join(args.pattern) + "*" if args.pattern else "*"
            entries = hist.search(pattern, n=limit, unique=args.unique)
            numbers = True
        elif args.limit is not _UNSET:
            entries = hist.tail(10 if limit is None else limit)
        else:
            if args.pattern:
                range_pattern = "*" + " ".join(args.pattern) + "*"
                numbers = True
            entries = self._range_entries(" ".join(args.range), usage, "history")
        if range_pattern is not None:
            entries = [e for e in entries if fnmatch.fnmatchcase(e[2], range_pattern)]
        if args.translated:
            entries = [(s, n, self._translate(src)) for s, n, src in entries]
        outputs = None
        if args.outputs:
            out = self.shell.user_ns.get("Out")
            outputs = out if isinstance(out, dict) else {}
        text = format_entries(
            entries, numbers=numbers, prompts=args.prompts, outputs=outputs, current=hist.current
        )
        if not args.filename:
            self.shell.write(text)
            return
        path = Path(args.filename).expanduser()
        if path.is_dir():
            raise UsageError(f"%history: {args.filename} is a directory", usage)
        if path.exists() and not args.overwrite:
            raise UsageError(
                f"%history: {args.filename} exists; choose another name or add -y to overwrite it",
                usage,
            )
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                f"%history: cannot write {args.filename}: {exc.strerror or exc}", usage
            ) from None

    @line_magic("hist")
    def hist_magic(self, line: str) -> None:
        """Alias for `%history`."""
        return self.history(line)

    # -- %macro ---------------------------------------------------------------------------------
    def find_user_code(self, target: str, raw: bool, magic: str, usage: str) -> str:
        """Code from history ranges, a macro, a string variable, or a file (IPython's order)."""
        try:
            ranges = parse_ranges(target)
        except RangeError:
            ranges = None
        if ranges is not None:
            entries = self._range_entries(target, usage, magic)
            if not entries:
                raise UsageError(f"%{magic}: no input in history range {target!r}", usage)
            sources = [src if raw else self._translate(src) for _, _, src in entries]
            return "\n".join(s.rstrip("\n") for s in sources)
        ns = self.shell.user_ns
        if target in ns:
            value = ns[target]
            lines = macro_source(value)
            if lines is not None:
                return lines
            if isinstance(value, str):
                return value
            raise UsageError(
                f"%{magic}: {target!r} is a {type(value).__name__}, not a macro or a string",
                usage,
            )
        path = Path(target).expanduser()
        if path.is_file():
            try:
                return path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise UsageError(f"%{magic}: cannot read {target}: {exc}", usage) from None
        raise UsageError(
            f"%{magic}: {target!r} is not a history range, a macro, a string variable or a file",
            usage,
        )

    @line_magic
    def macro(self, line: str) -> list[str] | None:
        """Name some input to run again by typing the name: `%macro NAME 4-6 8`.

        The lines come from history ranges (see `%history`), another macro, a string
        variable, or a file.  Typing `NAME` alone runs them; `print(NAME)` shows them;
        `%store NAME` keeps the macro for later sessions.  Without `-r`, history lines are
        kept translated to plain Python (as IPython does); with `-r` as typed (magics and
        all, which anymagic runs just as well).  `-q`: do not print the macro.  Without
        arguments: the names of the macros defined.
        """
        words = split_args(line, "%macro")
        flags: set[str] = set()
        while words and words[0].startswith("-") and len(words[0]) > 1:
            for letter in words.pop(0)[1:]:
                if letter not in "rq":
                    raise UsageError(f"%macro: unknown option -{letter}", MACRO_USAGE)
                flags.add(letter)
        if not words:
            ns = self.shell.user_ns
            return sorted(k for k, v in ns.items() if macro_source(v) is not None)
        name = words[0]
        if not name.isidentifier() or _is_keyword(name):
            raise UsageError(f"%macro: {name!r} is not a valid name", MACRO_USAGE)
        if len(words) == 1:
            raise UsageError(
                "%macro: say what it holds: a history range, a macro, or a string", MACRO_USAGE
            )
        code = self.find_user_code(" ".join(words[1:]), "r" in flags, "macro", MACRO_USAGE)
        macro = Macro(code)
        self.shell.user_ns[name] = macro
        if "q" not in flags:
            self.shell.write(
                f"Macro `{name}` created. To execute, type its name (without quotes).\n"
                f"=== Macro contents: ===\n{macro.value}"
            )
        return None

    # -- %edit ----------------------------------------------------------------------------------
    @line_magic
    def edit(self, line: str) -> str | None:
        """Edit code in `$EDITOR` (else `vi`), then run it: `%edit 4-6`, `%edit FILE`.

        The target is a history range, a macro (the macro is updated, not run), a string
        variable, a function or class (its file, or its cell when typed here), a file, or
        nothing (a new temporary file).  The editor runs as a subprocess and the code runs
        when it exits with status 0; `-x` does not run it; `-p` edits the previous target
        again; `-n LINE` opens at LINE (vi, emacs, nano and the like).  For temporary files
        the edited text is the cell's value, so `%edit _` edits it again.
        """
        try:
            words = shlex.split(line, posix=os.name != "nt")
        except ValueError as exc:
            raise UsageError(f"%edit: {str(exc).lower()}", EDIT_USAGE) from None
        opts: dict[str, str | bool] = {}
        while words and words[0].startswith("-") and len(words[0]) > 1:
            word = words.pop(0)
            for i, letter in enumerate(word[1:]):
                if letter in "xpr":
                    opts[letter] = True
                elif letter == "n":
                    rest = word[i + 2 :] or (words.pop(0) if words else "")
                    if not rest.isdigit():
                        raise UsageError("%edit: -n needs a line number", EDIT_USAGE)
                    opts["n"] = rest
                    break
                else:
                    raise UsageError(f"%edit: unknown option -{letter}", EDIT_USAGE)
        target = " ".join(words)
        lineno = opts.get("n")
        ns = self.shell.user_ns
        if opts.get("p"):
            if self._last_edit is None:
                raise UsageError("%edit: -p: nothing was edited yet in this session", EDIT_USAGE)
            kind, what = self._last_edit
            if kind == "file":
                return self._edit_file(Path(what), lineno, "x" in opts)
            return self._edit_text(what, lineno, "x" in opts)
        if not target:
            return self._edit_text("", lineno, "x" in opts)
        try:
            ranges_ok = bool(parse_ranges(target))
        except RangeError:
            ranges_ok = False
        if ranges_ok:
            entries = self._range_entries(target, EDIT_USAGE, "edit")
            if not entries:
                raise UsageError(f"%edit: no input in history range {target!r}", EDIT_USAGE)
            text = "\n".join(src.rstrip("\n") for _, _, src in entries) + "\n"
            return self._edit_text(text, lineno, "x" in opts)
        if target.isidentifier() and target in ns:
            value = ns[target]
            if macro_source(value) is not None:
                self._edit_macro(target, value)
                return None
            if isinstance(value, str):
                return self._edit_text(value, lineno, "x" in opts)
            return self._edit_object(target, value, lineno, "x" in opts)
        path = Path(target).expanduser()
        if path.is_dir():
            raise UsageError(f"%edit: {target} is a directory", EDIT_USAGE)
        if path.is_file() or target.endswith(".py"):
            return self._edit_file(path, lineno, "x" in opts)
        raise UsageError(
            f"%edit: {target!r} is not a history range, a name in the namespace, or a file",
            EDIT_USAGE,
        )

    @line_magic("ed")
    def ed(self, line: str) -> str | None:
        """Alias for `%edit`."""
        return self.edit(line)

    def run_editor(self, path: Path, lineno: Any = None) -> None:
        """Open ``path`` in the editor and wait; a UsageError (one line) when it fails."""
        editor = default_editor()
        try:
            command = shlex.split(editor, posix=os.name != "nt")
        except ValueError:
            command = [editor]
        if not command:
            command = ["vi"]
        if lineno and Path(command[0]).name in {"vi", "vim", "nvim", "emacs", "nano", "gedit"}:
            command.append(f"+{lineno}")
        sys.stdout.flush()
        try:
            status = subprocess.call([*command, str(path)])
        except OSError as exc:
            raise UsageError(
                f"%edit: cannot start the editor {editor!r}: {exc.strerror or exc} "
                "(set $EDITOR); nothing was run"
            ) from None
        if status != 0:
            raise UsageError(
                f"%edit: the editor {editor!r} exited with status {status}; nothing was run"
            )

    def _edit_text(self, text: str, lineno: Any, no_run: bool) -> str | None:
        fd, name = tempfile.mkstemp(prefix="anymagic_edit_", suffix=".py")
        path = Path(name)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            self.run_editor(path, lineno)
            edited = path.read_text(encoding="utf-8")
        finally:
            path.unlink(missing_ok=True)
        self._last_edit = ("text", edited)
        self._run_edited(edited, None, no_run)
        return edited

    def _edit_file(self, path: Path, lineno: Any, no_run: bool) -> None:
        self.run_editor(path, lineno)
        self._last_edit = ("file", str(path))
        if not path.is_file():  # a new file the editor did not save
            self.shell.write("Editing... done (no file was saved).\n")
            return None
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"%edit: cannot read {path}: {exc}") from None
        self._run_edited(text, str(path.resolve()), no_run)
        return None

    def _edit_macro(self, name: str, macro: Any) -> None:
        fd, temp = tempfile.mkstemp(prefix="anymagic_macro_", suffix=".py")
        path = Path(temp)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(macro_source(macro) or "")
            self.run_editor(path)
            self.shell.user_ns[name] = Macro(path.read_text(encoding="utf-8"))
        finally:
            path.unlink(missing_ok=True)
        self.shell.write(f"Macro `{name}` updated.\n")

    def _edit_object(self, name: str, value: Any, lineno: Any, no_run: bool) -> str | None:
        import inspect
        import linecache

        try:
            filename = inspect.getsourcefile(value) or inspect.getfile(value)
        except TypeError:
            filename = None
        if not filename:
            raise UsageError(
                f"%edit: {name!r} is a {type(value).__name__}; no source file to edit", EDIT_USAGE
            )
        if filename.startswith("<"):  # typed in this session: edit the whole cell again
            lines = linecache.getlines(filename)
            if not lines:
                raise UsageError(f"%edit: the source of {name!r} is no longer known", EDIT_USAGE)
            return self._edit_text("".join(lines), lineno, no_run)
        if lineno is None:
            try:
                lineno = inspect.getsourcelines(value)[1]
            except (OSError, TypeError):
                lineno = None
        return self._edit_file(Path(filename), lineno, no_run)

    def _run_edited(self, text: str, filename: str | None, no_run: bool) -> None:
        if no_run:
            self.shell.write("Editing... done.\n")
            return
        self.shell.write("Editing... done. Executing edited code...\n")
        shell = self.shell
        python = shell.transform_cell(text)
        ns = shell.user_ns
        if filename is None:
            code = shell.compile(python)
            exec(code, ns)  # noqa: S102 - running the user's edited code is the point
            return
        if python != text:  # magics in the file: tracebacks show the file as it is
            filename = shell.cache_source(text, Path(filename).name)
        saved = ns.get("__file__", _UNSET)
        ns["__file__"] = filename
        try:
            exec(shell.compile(python, filename), ns)  # noqa: S102
        finally:
            if saved is _UNSET:
                ns.pop("__file__", None)
            else:
                ns["__file__"] = saved

    # -- %rerun ---------------------------------------------------------------------------------
    @line_magic
    def rerun(self, line: str) -> None:
        """Run earlier input again: the last input, `-l N` the last N, `-g TEXT` the latest
        input containing TEXT, or history ranges (`%rerun 4-6`)."""
        words = split_args(line, "%rerun")
        hist = self.hist
        if words and words[0] == "-l":
            if len(words) != 2 or not words[1].isdigit():
                raise UsageError("%rerun: -l needs a number of inputs", RERUN_USAGE)
            entries = hist.tail(int(words[1]))
        elif words and words[0] == "-g":
            if len(words) < 2:
                raise UsageError("%rerun: -g needs the text to look for", RERUN_USAGE)
            found = hist.search("*" + " ".join(words[1:]) + "*")
            found = [e for e in found if "rerun" not in e[2]]
            entries = found[-1:]
        elif words and words[0].startswith("-"):
            raise UsageError(f"%rerun: unknown option {words[0]}", RERUN_USAGE)
        elif words:
            entries = self._range_entries(" ".join(words), RERUN_USAGE, "rerun")
        else:
            entries = hist.tail(1)
        if not entries:
            raise UsageError("%rerun: no input in history matches", RERUN_USAGE)
        source = "\n".join(src.rstrip("\n") for _, _, src in entries)
        self.shell.write(f"=== Executing: ===\n{source}\n=== Output: ===\n")
        self.shell.run_cell(source, store_history=False)


def _is_keyword(name: str) -> bool:
    import keyword

    return keyword.iskeyword(name)
