"""The ``anymagic`` command: interactive shell, ``-c CODE``, ``FILE``, or standard input.

Argument parsing is done by hand (argparse alone costs ~10 ms of start-up).
"""

from __future__ import annotations

import os
import sys
from typing import Any

USAGE = """\
usage: anymagic [-h] [--version] [-i] [--Class.trait=value ...] [-c CODE | FILE [ARG ...] | -]

IPython-style magics in a plain Python shell.

  (no argument)         the interactive shell (runs standard input when it is not a terminal)
  -c CODE               run CODE (magics allowed) and exit; an expression's value is shown
  FILE [ARG ...]        run FILE (magics allowed) with sys.argv = [FILE, ARG, ...]
  -                     run standard input
  -i                    stay interactive after -c or FILE
  --Class.trait=value   set a configuration option (see %config)
  -h, --help            show this help and exit
  --version             show the version and exit

Data directory: $ANYMAGIC_DIR, else ~/.anymagic (config file: anymagic_config.py).
"""


class Options:
    code: str | None = None
    file: str | None = None
    args: list[str]
    interactive = False
    settings: list[str]

    def __init__(self) -> None:
        self.args = []
        self.settings = []


def parse_argv(argv: list[str]) -> Options:
    """Parse the command line; errors raise SystemExit(2) with a one-line message."""
    opts = Options()
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("-h", "--help"):
            sys.stdout.write(USAGE)
            raise SystemExit(0)
        if arg == "--version":
            from anymagic import __version__

            sys.stdout.write(f"anymagic {__version__}\n")
            raise SystemExit(0)
        if arg == "-i":
            opts.interactive = True
        elif arg == "-c" or arg.startswith("-c") and len(arg) > 2:
            if arg == "-c":
                if i + 1 >= len(argv):
                    _fail("-c needs an argument: anymagic -c CODE")
                opts.code = argv[i + 1]
                i += 1
            else:
                opts.code = arg[2:]
            opts.args = argv[i + 1 :]
            break
        elif arg.startswith("--") and "." in arg.split("=", 1)[0]:
            setting = arg if "=" in arg else None
            if setting is None:
                if i + 1 >= len(argv):
                    _fail(f"{arg} needs a value: {arg}=VALUE")
                setting = f"{arg}={argv[i + 1]}"
                i += 1
            opts.settings.append(setting)
        elif arg == "-" or not arg.startswith("-"):
            opts.file = arg
            opts.args = argv[i + 1 :]
            break
        else:
            _fail(f"unknown option {arg!r} (anymagic --help lists the options)")
        i += 1
    return opts


def _fail(message: str) -> None:
    sys.stderr.write(f"anymagic: error: {message}\n")
    raise SystemExit(2)


def make_session(
    opts: Options, user_ns: dict[str, Any] | None = None, show_out: bool = True
) -> Any:
    from anymagic.hosts.setup import start_session
    from anymagic.hosts.terminal import TerminalHost
    from anymagic.registry.config import load_config
    from anymagic.registry.errors import UsageError

    host = TerminalHost(user_ns, show_out=show_out)
    try:  # on the command line a bad setting or config file is an error, exit status 2
        config = load_config(host.data_dir, opts.settings)
    except UsageError as exc:
        _fail(str(exc))
    return start_session(host, config=config)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``anymagic`` console script; returns the exit status."""
    opts = parse_argv(sys.argv[1:] if argv is None else argv)
    try:
        return _run(opts)
    except KeyboardInterrupt:
        sys.stderr.write("KeyboardInterrupt\n")
        return 130


def _run(opts: Options) -> int:
    if opts.file is None or opts.file == "-":
        # as `python -c`, `python -` and IPython: modules and extensions in the current
        # folder can be imported (the console script starts with its own folder first)
        if not getattr(sys.flags, "safe_path", False) and "" not in sys.path:
            sys.path.insert(0, "")
    if opts.code is not None:
        sys.argv = ["-c", *opts.args]
        session = make_session(opts)
        # as IPython: -c is not an interactive input, so it is not kept in history
        status = _status(session, opts.code, store_history=False)
    elif opts.file is not None and opts.file != "-":
        try:
            with open(opts.file, encoding="utf-8") as handle:
                source = handle.read()
        except OSError as exc:
            _fail(f"cannot read {opts.file}: {exc.strerror}")
        sys.argv = [opts.file, *opts.args]
        path = os.path.abspath(opts.file)
        sys.path.insert(0, os.path.dirname(path))
        session = make_session(opts, {"__file__": path}, show_out=False)
        status = _status(session, source, filename=path)
    elif opts.file == "-" or not sys.stdin.isatty():
        sys.argv = ["-", *opts.args]
        session = make_session(opts, show_out=False)
        status = _status(session, sys.stdin.read(), filename="<stdin>")
    else:
        opts.interactive = True
        session = make_session(opts)
        status = 0
    if opts.interactive:
        from anymagic.hosts.shell import run_interactive

        session.host.show_out = True  # a script ran quietly; the prompt shows values

        return run_interactive(session)
    return status


def _status(session: Any, source: str, **kwargs: Any) -> int:
    """Run a cell for a script; the exit status follows Python's (1 on an uncaught error)."""
    try:
        result = session.run_cell(source, **kwargs)
    except SystemExit as exc:
        code = exc.code
        if code is None or isinstance(code, int):
            return code or 0
        sys.stderr.write(f"{code}\n")
        return 1
    return 0 if result.success else 1


def ptpython_main() -> int:
    """The ``anymagic-ptpython`` command: a clear message when ptpython is not installed."""
    import importlib.util

    if importlib.util.find_spec("ptpython") is None:
        sys.stderr.write("anymagic-ptpython: needs ptpython: pip install 'anymagic[ptpython]'\n")
        return 2
    from anymagic.hosts.ptpython import main as run_ptpython

    return run_ptpython()


if __name__ == "__main__":
    raise SystemExit(main())
