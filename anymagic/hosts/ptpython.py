"""anymagic inside ptpython: magics, ``!cmd``, ``name?`` and magic completion at its prompt.

ptpython has no input-transformer API, so every input is sent through anymagic's session
instead of ptpython's own ``eval``:

* ``python -m anymagic.hosts.ptpython`` (or the ``anymagic-ptpython`` command) starts
  ptpython with anymagic; it reads ptpython's usual config file.
* ``configure(repl)`` adds anymagic to a :class:`ptpython.repl.PythonRepl` that already
  exists: call it from ptpython's ``config.py`` (``$PTPYTHON_CONFIG_HOME/config.py``) or
  pass it to ``ptpython.repl.embed(configure=...)``.
* :class:`AnymagicRepl` is a ``PythonRepl`` subclass with anymagic built in.

What changes at the prompt: inputs run through ``session.run_cell(text,
store_history=True)``; the syntax check that blocks Enter accepts anymagic's syntax; a line
starting with ``%%`` is a cell magic whose body continues until a blank line (or Meta+Enter,
i.e. Esc then Enter, submits it); Tab completes magic names, magic options and paths after
``%``/``!``, and ptpython's Jedi completions elsewhere.  Values are shown by ptpython's
own printer, errors as anymagic's tracebacks (without anymagic's frames).

This module imports ptpython (an optional dependency: ``pip install ptpython``); nothing
else in anymagic imports this module.
"""

from __future__ import annotations

import builtins
import os
import re
import sys
from pathlib import Path
from typing import Any

from ptpython.repl import PythonRepl, ReplExit
from ptpython.repl import exit as ptpython_exit

from anymagic.hosts.setup import start_session
from anymagic.registry.host import BaseHost, _plain_repr

__all__ = ["AnymagicRepl", "PtpythonHost", "configure", "main"]

EXIT_COMMANDS = frozenset({"exit", "quit", "exit()", "quit()"})
# a line where anymagic's completion applies, not Jedi's: %magic, !cmd, x = %magic, x = !cmd
_MAGIC_CONTEXT = re.compile(r"^\s*(?:[\w.]+\s*=\s*)?[%!]")


class PtpythonHost(BaseHost):
    """The host protocol on a ptpython REPL: its globals, ptpython's result printer."""

    def __init__(self, repl: Any, data_dir: Path | None = None) -> None:
        super().__init__(_namespace(repl), data_dir)
        self.repl = repl

    def display(self, obj: Any, *, execution_count: int | None = None) -> None:
        show = getattr(self.repl, "_show_result", None)
        if execution_count is None or show is None or getattr(self.repl, "app", None) is None:
            self.write(_plain_repr(obj) + "\n")
            return
        sys.stdout.flush()
        sys.stderr.flush()
        show(obj)
        if getattr(self.repl, "insert_blank_line_after_output", False):
            self.repl.app.output.write("\n")
            self.repl.app.output.flush()


def _namespace(repl: Any) -> dict[str, Any]:
    """One namespace for the session: ptpython's globals (merged with distinct locals)."""
    globals_ = repl.get_globals()
    locals_ = repl.get_locals()
    if locals_ is globals_ or not locals_:
        return globals_
    merged = dict(globals_)
    merged.update(locals_)
    repl.get_globals = repl.get_locals = lambda: merged
    return merged


class _LeaveRepl(SystemExit):
    """Raised by ``exit()`` inside a cell; leaves the REPL (ptpython's ReplExit) at the top."""


class _Exit:
    """``exit``/``quit`` in the namespace: leave the REPL, as ptpython's own ``exit`` does."""

    def __call__(self, code: Any = None) -> None:
        raise _LeaveRepl(code)

    def __repr__(self) -> str:
        return "Use exit() or Ctrl-D (i.e. EOF) to exit"


_EXIT = _Exit()


class _Adapter:
    """What :func:`configure` installs on a REPL: eval through the session, completion."""

    def __init__(self, repl: Any, session: Any) -> None:
        self.repl = repl
        self.session = session

    def _is_exit(self, text: str) -> bool:
        stripped = text.strip()
        if stripped not in EXIT_COMMANDS:
            return False
        bound = self.session.user_ns.get(stripped.rstrip("()"), _EXIT)
        return (
            bound is _EXIT or isinstance(bound, ptpython_exit) or type(bound).__name__ == "Quitter"
        )

    def eval(self, text: str) -> None:
        if not text.strip():
            return None
        if self._is_exit(text):
            raise ReplExit
        ns = self.session.user_ns
        if isinstance(ns.get("exit"), ptpython_exit):
            ns["exit"] = _EXIT
        if "" not in sys.path:  # as ptpython does (jedi removes it)
            sys.path.insert(0, "")
        self.repl.current_statement_index = self.session.execution_count
        try:
            self.session.run_cell(text, store_history=True)
        except _LeaveRepl:
            raise ReplExit from None
        finally:  # ptpython adds one after eval returns
            self.repl.current_statement_index = self.session.execution_count - 1
        return None

    async def eval_async(self, text: str) -> None:
        # a cell with top-level await runs in a helper thread when a loop is running
        return self.eval(text)


def _make_validator(session: Any, python_validator: Any) -> Any:
    from prompt_toolkit.document import Document
    from prompt_toolkit.validation import ValidationError, Validator

    class AnymagicValidator(Validator):
        """ptpython's syntax check, applied to the Python that anymagic makes of the input."""

        def validate(self, document: Document) -> None:
            try:
                python = session.transform_cell(document.text)
            except Exception:  # noqa: BLE001 - the run shows what is wrong
                return
            try:
                python_validator.validate(Document(python))
            except ValidationError as exc:
                position = min(exc.cursor_position, len(document.text))
                raise ValidationError(position, exc.message) from None

    return AnymagicValidator()


def _replace_validator(repl: Any, validator: Any) -> None:
    """The input buffer captured ``repl._validator`` when it was made: replace it there too."""
    from prompt_toolkit.filters import Condition
    from prompt_toolkit.validation import ConditionalValidator

    repl._validator = validator
    buffer = getattr(repl, "default_buffer", None)
    if buffer is not None:
        enabled = Condition(lambda: repl.enable_input_validation)
        buffer.validator = ConditionalValidator(validator, enabled)


def _make_completer(session: Any, python_completer: Any) -> Any:
    from prompt_toolkit.completion import Completer, Completion

    from anymagic.registry.completion import complete

    def is_magic_context(line: str) -> bool:
        if _MAGIC_CONTEXT.match(line):
            return True
        words = line.split()
        return (
            session.syntax.automagic
            and len(words) >= 1
            and (len(words) > 1 or line.endswith(" "))
            and words[0] in session.registry
            and words[0] not in session.user_ns
            and not hasattr(builtins, words[0])
        )

    class AnymagicCompleter(Completer):
        """anymagic's completions on magic and shell lines; Jedi's (plus %names) elsewhere."""

        def get_completions(self, document: Any, complete_event: Any) -> Any:
            cursor = document.cursor_position
            magic_line = is_magic_context(document.current_line_before_cursor)
            if not magic_line and python_completer is not None:
                yield from python_completer.get_completions(document, complete_event)
            try:
                found = complete(session, document.text, cursor)
            except Exception:  # noqa: BLE001 - completion must never break the prompt
                return
            for match in found.matches:
                if magic_line or match.startswith("%"):
                    yield Completion(
                        match,
                        start_position=found.start - cursor,
                        display_meta="magic" if match.startswith("%") else None,
                    )

    return AnymagicCompleter()


def _add_cell_magic_enter(repl: Any, session: Any) -> None:
    """Enter in a ``%%`` cell: a new line until the cell is complete (a blank line ends it)."""
    from prompt_toolkit.document import Document
    from prompt_toolkit.enums import DEFAULT_BUFFER
    from prompt_toolkit.filters import (
        Condition,
        emacs_insert_mode,
        has_focus,
        has_selection,
        vi_insert_mode,
    )

    in_cell_magic = Condition(lambda: repl.default_buffer.text.lstrip().startswith("%%"))
    no_sidebar = Condition(lambda: not repl.show_sidebar)

    @repl.add_key_binding(
        "enter",
        filter=no_sidebar
        & ~has_selection
        & (vi_insert_mode | emacs_insert_mode)
        & has_focus(DEFAULT_BUFFER)
        & in_cell_magic,
    )
    def _enter(event: Any) -> None:
        buffer = event.current_buffer
        if repl.paste_mode or buffer.document.text_after_cursor.strip():
            buffer.insert_text("\n")
            return
        try:
            status, indent = session.syntax.check_complete(buffer.text)
        except Exception:  # noqa: BLE001 - let the run report the problem
            status, indent = "invalid", None
        if status == "incomplete":
            buffer.insert_text("\n" + " " * (indent or 0))
            return
        text = buffer.text.rstrip()
        buffer.document = Document(text=text, cursor_position=len(text))
        buffer.validate_and_handle()


def configure(repl: Any, session: Any = None, **options: Any) -> Any:
    """Add anymagic to a ptpython ``PythonRepl``; return its session (created if not given).

    Usable as ptpython's ``configure`` hook (``config.py``) or ``embed(configure=...)``.
    ``options`` are :class:`~anymagic.Session` options; ``data_dir`` picks the folder
    (default ``$ANYMAGIC_DIR``, else ``~/.anymagic``).  Calling it twice is harmless.
    """
    existing = getattr(repl, "anymagic_session", None)
    if existing is not None:
        return existing
    if session is None:
        host = PtpythonHost(repl, options.pop("data_dir", None))
        session = start_session(host, **options)
    adapter = _Adapter(repl, session)
    repl.eval = adapter.eval
    repl.eval_async = adapter.eval_async
    _replace_validator(repl, _make_validator(session, repl._validator))
    repl.completer = _make_completer(session, repl.completer)
    _add_cell_magic_enter(repl, session)
    repl.anymagic_session = session
    return session


class AnymagicRepl(PythonRepl):
    """A ptpython REPL whose inputs go through anymagic (see :func:`configure`).

    Takes ``PythonRepl``'s arguments plus ``data_dir`` and ``session_options`` (a dict of
    :class:`~anymagic.Session` options); ``repl.session`` is the session.
    """

    def __init__(self, *args: Any, data_dir: Path | None = None, **kwargs: Any) -> None:
        session_options = kwargs.pop("session_options", {})
        super().__init__(*args, **kwargs)
        self.session = configure(self, data_dir=data_dir, **session_options)


def _parse(argv: list[str]) -> Any:
    import argparse

    parser = argparse.ArgumentParser(
        prog="anymagic-ptpython", description="ptpython with anymagic's magics."
    )
    parser.add_argument("--vi", action="store_true", help="Vi key bindings")
    parser.add_argument("--config-file", help="ptpython config file (default: ptpython's)")
    parser.add_argument("--no-config", action="store_true", help="do not read a config file")
    parser.add_argument("--history-file", help="default: $ANYMAGIC_DIR/ptpython_history")
    parser.add_argument(
        "settings", nargs="*", metavar="--Class.trait=value", help="anymagic settings"
    )
    args, rest = parser.parse_known_args(argv)
    bad = [arg for arg in rest if not (arg.startswith("--") and "." in arg.split("=")[0])]
    if bad:
        parser.error(f"unknown arguments: {' '.join(bad)}")
    args.settings = list(args.settings) + rest
    return args


def _ptpython_config_file() -> str:
    home = os.environ.get("PTPYTHON_CONFIG_HOME")
    if home is None:
        import appdirs

        home = appdirs.user_config_dir("ptpython", "prompt_toolkit")
    return os.path.join(home, "config.py")


def main(argv: list[str] | None = None) -> int:
    """``python -m anymagic.hosts.ptpython`` / ``anymagic-ptpython``: ptpython with magics."""
    args = _parse(sys.argv[1:] if argv is None else argv)
    from ptpython.repl import enable_deprecation_warnings, run_config

    from anymagic.registry.config import load_config
    from anymagic.registry.errors import UsageError
    from anymagic.registry.files import ensure_private_dir
    from anymagic.registry.host import default_data_dir

    data_dir = default_data_dir()
    try:
        config = load_config(data_dir, args.settings)
    except UsageError as exc:
        sys.stderr.write(f"anymagic-ptpython: error: {exc}\n")
        return 2
    history = args.history_file
    if history is None:
        history = str(ensure_private_dir(data_dir) / "ptpython_history")
    namespace = {
        "__name__": "__main__",
        "__package__": None,
        "__doc__": None,
        "__builtins__": builtins,
    }
    if sys.path[0] != "":
        sys.path.insert(0, "")
    enable_deprecation_warnings()
    repl = AnymagicRepl(
        get_globals=lambda: namespace,
        vi_mode=args.vi,
        history_filename=history,
        data_dir=data_dir,
        session_options={"config": config} if config else {},
    )
    if not args.no_config:
        config_file = args.config_file or _ptpython_config_file()
        if args.config_file or os.path.exists(config_file):
            run_config(repl, config_file)
    try:
        repl.run()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
