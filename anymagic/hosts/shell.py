"""The interactive shell of the ``anymagic`` command (and of :func:`anymagic.embed`).

IPython-like: numbered ``In [N]:`` prompts, multi-line cells that submit when complete,
Pygments highlighting, Tab completion of magics, options, paths and names, and input
history kept in ``$ANYMAGIC_DIR/history.sqlite`` across sessions (Up-arrow, Ctrl-R).

Keys: Enter submits a complete cell when the cursor is at the end (otherwise it inserts a
newline and indents); Meta+Enter (or Esc then Enter) always submits; Ctrl-C cancels the
line being edited, or interrupts running code; Ctrl-D on an empty line leaves.

Leaving: the exact inputs ``exit``, ``quit``, ``exit()`` and ``quit()`` are handled by the
loop itself (nothing is injected into the namespace), unless the user has bound the name
``exit``/``quit`` in the namespace, in which case the cell runs as typed.  Any other way
of raising ``SystemExit`` in a cell (``exit(3)``, ``sys.exit(3)``) ends the shell with
that status, as in Python's own REPL.

prompt_toolkit and Pygments are imported inside :func:`run_interactive` only, so that
``anymagic -c ...`` and scripts start without them.  When standard input or output is not
a terminal, a plain line-reading loop with the same prompts is used instead.
"""

from __future__ import annotations

import sys
from typing import Any

from anymagic.registry.history import HistoryStore

EXIT_COMMANDS = frozenset({"exit", "quit", "exit()", "quit()"})
HISTORY_LOAD = 1000  # inputs of earlier sessions offered by Up-arrow


def banner_text() -> str:
    from anymagic import __version__

    py = f"{sys.version_info.major}.{sys.version_info.minor}"
    return (
        f"anymagic {__version__} on Python {py} — %magic for the syntax, "
        "%lsmagic for the magics, Ctrl-D exits\n"
    )


def run_interactive(session: Any, banner: bool = True) -> int:
    """Read, run and show cells until Ctrl-D or ``exit``; return the exit status."""
    store = session.get_history_store()  # data_dir/history.sqlite unless the host set one
    if banner:
        session.write(banner_text())
    try:
        if sys.stdin.isatty() and sys.stdout.isatty():
            return _run_prompt_toolkit(session, store)
        return _run_plain(session, store)
    finally:
        store.end_session()


def is_exit_command(session: Any, source: str) -> bool:
    """Whether ``source`` is a bare ``exit``/``quit`` (with or without ``()``) to obey."""
    text = source.strip()
    return text in EXIT_COMMANDS and text.rstrip("()") not in session.user_ns


def run_source(session: Any, store: HistoryStore, source: str) -> int | None:
    """Run one accepted cell; an exit status when the shell should stop, else None."""
    if not source.strip():
        return None
    if is_exit_command(session, source):
        return 0
    try:
        session.run_cell(source, store_history=True)  # the session stores it in history
    except SystemExit as exc:
        code = exc.code
        if code is None or isinstance(code, int):
            return code or 0
        session.write(f"{code}\n", "stderr")
        return 1
    if "_doctest_saved" not in session.options:  # doctest mode has no blank separator line
        session.write("\n")
    return None


def check_complete(session: Any, source: str) -> tuple[str, int | None]:
    """``session.syntax.check_complete`` that cannot break the prompt ('invalid' on error)."""
    try:
        return session.syntax.check_complete(source)
    except Exception:  # noqa: BLE001 - let the run show whatever is wrong with the cell
        return "invalid", None


def strip_trailing_blank_lines(text: str) -> str:
    """Drop whitespace-only lines at the end of a cell (left by the Enter that ended it)."""
    while True:
        head, sep, tail = text.rpartition("\n")
        if not sep or tail.strip():
            return text
        text = head


# -- prompt_toolkit ----------------------------------------------------------------------
def _run_prompt_toolkit(session: Any, store: HistoryStore) -> int:
    if hasattr(session.host, "color_tracebacks") and sys.stderr.isatty():
        session.host.color_tracebacks = True  # as IPython's default colours on a terminal
    from prompt_toolkit import PromptSession
    from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
    from prompt_toolkit.completion import Completer, Completion
    from prompt_toolkit.enums import DEFAULT_BUFFER
    from prompt_toolkit.filters import has_focus
    from prompt_toolkit.history import History
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.key_binding.bindings.completion import generate_completions
    from prompt_toolkit.lexers import PygmentsLexer
    from prompt_toolkit.styles import Style
    from pygments.lexers.python import PythonLexer

    from anymagic.registry.completion import complete

    class SessionCompleter(Completer):
        """anymagic's completions: the matches replace ``text[start:cursor]``."""

        def get_completions(self, document: Any, complete_event: Any) -> Any:
            cursor = document.cursor_position
            try:
                found = complete(session, document.text, cursor)
            except Exception:  # noqa: BLE001 - a completion bug must not break the prompt
                return
            for match in found.matches:
                yield Completion(match, start_position=found.start - cursor)

    class StoreHistory(History):
        """Up-arrow history from earlier sessions; new inputs are stored by the loop."""

        def load_history_strings(self) -> Any:
            return reversed(store.recent(HISTORY_LOAD))  # most recent first

        def store_string(self, string: str) -> None:
            pass  # the session stores each cell with its number

    bindings = KeyBindings()
    focused = has_focus(DEFAULT_BUFFER)

    @bindings.add("enter", filter=focused)
    def _enter(event: Any) -> None:
        buffer = event.current_buffer
        state = buffer.complete_state
        if state is not None:
            if state.current_completion is not None:
                buffer.apply_completion(state.current_completion)
            else:
                buffer.cancel_completion()
            return
        document = buffer.document
        if document.text_after_cursor.strip():
            status, indent = check_complete(session, document.text_before_cursor)
            buffer.insert_text("\n" + " " * ((indent or 0) if status == "incomplete" else 0))
            return
        status, indent = check_complete(session, buffer.text)
        if status == "incomplete":
            buffer.insert_text("\n" + " " * (indent or 0))
            return
        _submit(buffer)

    @bindings.add("escape", "enter", filter=focused)
    def _meta_enter(event: Any) -> None:
        _submit(event.current_buffer)

    @bindings.add("tab", filter=focused)
    def _tab(event: Any) -> None:
        """Tab indents at the start of a line (as in IPython), and completes elsewhere."""
        buffer = event.current_buffer
        if not buffer.document.current_line_before_cursor.strip():
            buffer.insert_text("    ")
        else:
            generate_completions(event)  # prompt_toolkit's own Tab

    def _submit(buffer: Any) -> None:
        text = strip_trailing_blank_lines(buffer.text)
        if text != buffer.text:
            buffer.text = text
        buffer.validate_and_handle()

    def prompt_message() -> Any:
        before, _, after = session.options["prompt_in"].partition("{count}")
        parts = [("class:prompt", before)]
        if _:
            parts += [
                ("class:prompt.number", str(session.execution_count)),
                ("class:prompt", after),
            ]
        return parts

    def continuation(width: int, line_number: int, wrap_count: int) -> Any:
        text = session.options["prompt_cont"].lstrip()
        return [("class:prompt.continuation", " " * max(width - len(text), 0) + text)]

    style = Style.from_dict(
        {
            "prompt": "ansigreen",
            "prompt.number": "ansigreen bold",
            "prompt.continuation": "ansigreen",
        }
    )
    prompt = PromptSession(
        message=prompt_message,
        prompt_continuation=continuation,
        multiline=True,
        lexer=PygmentsLexer(PythonLexer),
        completer=SessionCompleter(),
        complete_while_typing=False,
        history=StoreHistory(),
        auto_suggest=AutoSuggestFromHistory(),  # grey suggestion from history; Right accepts
        key_bindings=bindings,
        style=style,
        include_default_pygments_style=True,
        enable_open_in_editor=True,
    )
    if store.session_id is None:  # cells stored before the loop (-i) keep their session
        store.start_session()
    while True:
        try:
            source = prompt.prompt()
        except KeyboardInterrupt:
            continue  # the line is dropped; same number
        except EOFError:
            session.write("\n")
            return 0
        try:
            status = run_source(session, store, source)
        except KeyboardInterrupt:  # outside the cell itself (e.g. in an event callback)
            session.write("KeyboardInterrupt\n", "stderr")
            continue
        if status is not None:
            return status


# -- plain (no terminal) -----------------------------------------------------------------
def _run_plain(session: Any, store: HistoryStore) -> int:
    """The same loop reading lines from a non-terminal standard input."""
    if store.session_id is None:  # cells stored before the loop (-i) keep their session
        store.start_session()
    lines: list[str] = []
    while True:
        options = session.options
        prompt = options["prompt_in"] if not lines else options["prompt_cont"]
        prompt = prompt.replace("{count}", str(session.execution_count))
        session.write(prompt)
        try:
            line = sys.stdin.readline()
        except KeyboardInterrupt:
            session.write("\nKeyboardInterrupt\n", "stderr")
            lines = []
            continue
        if not line:  # end of input: run what is pending, then leave
            session.write("\n")
            status = run_source(session, store, "\n".join(lines)) if lines else None
            return status or 0
        lines.append(line.rstrip("\n"))
        source = "\n".join(lines)
        if check_complete(session, source)[0] == "incomplete":
            continue
        lines = []
        try:
            status = run_source(session, store, strip_trailing_blank_lines(source))
        except KeyboardInterrupt:
            session.write("KeyboardInterrupt\n", "stderr")
            continue
        if status is not None:
            return status


__all__ = ["run_interactive", "banner_text"]
