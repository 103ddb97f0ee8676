"""Profiling: ``%prun`` / ``%%prun`` (cProfile) and ``%lprun`` (line_profiler).

IPython's options and report, with these differences (see docs/magics/profiling.md):

* reports go through the host's output, never a pager (IPython's pager hides ``%prun``
  output in VS Code: vscode-jupyter#3119);
* profiling is always switched off afterwards; when the statement raises or is
  interrupted, the profile collected so far is reported, then the error is shown;
* bad options, unknown names, unwritable files and syntax errors are caught before
  anything runs, so nothing is written or set;
* ``%lprun`` shows the source of functions typed at the prompt (the session keeps cell
  sources in ``linecache``).
"""

from __future__ import annotations

import cProfile
import io
import pstats
import re
from typing import Any

from anymagic.registry.decorators import (
    line_cell_magic,
    line_magic,
    magics_class,
    needs_local_scope,
    no_var_expand,
)
from anymagic.registry.errors import UsageError
from anymagic.registry.magics import Magics
from anymagic.registry.tracebacks import hide_from_tracebacks

from .usercode import (
    check_writable,
    compile_user_code,
    complete_options,
    parse_opts,
    parse_user_code,
    run_namespaces,
    run_user_code,
)

PRUN_USAGE = """\
usage: %prun [-l LIMIT] [-r] [-s KEY] [-T FILE] [-D FILE] [-q] statement
       %%prun [options] [statement]   (the cell body is profiled too)"""

LPRUN_USAGE = """\
usage: %lprun -f FUNC [-f FUNC ...] [-m MODULE] [-D FILE] [-T FILE] [-r] [-s] [-u UNIT] [-z] \
statement"""


def _sort_keys(keys: list[str]) -> list[str]:
    valid = pstats.Stats.sort_arg_dict_default
    for key in keys:
        if key not in valid:
            raise UsageError(
                f"%prun: unknown sort key {key!r}; use one of {', '.join(sorted(valid))}",
                PRUN_USAGE,
            )
    return keys


def _restrictions(limits: list[str]) -> list[int | float | str]:
    """-l values as pstats restrictions: a count, a fraction or a regular expression."""
    out: list[int | float | str] = []
    for raw in limits:
        try:
            out.append(int(raw))
            continue
        except ValueError:
            pass
        try:
            out.append(float(raw))
            continue
        except ValueError:
            pass
        try:
            re.compile(raw)
        except re.error as exc:
            raise UsageError(
                f"%prun: -l {raw!r} is not a valid regular expression: {exc}", PRUN_USAGE
            ) from None
        out.append(raw)
    return out


def _error_note(exc: BaseException | None) -> str:
    if exc is None:
        return ""
    if isinstance(exc, SystemExit):  # IPython's message; the host keeps running
        return f"\n*** {type(exc).__name__} exception caught in code being profiled.\n"
    return f"\n*** {type(exc).__name__} in the code being profiled: the profile is up to there.\n"


def _write_file(magic: str, path: str, write: Any) -> None:
    try:
        write(path)
    except OSError as exc:
        raise UsageError(f"%{magic}: cannot write {path!r}: {exc.strerror or exc}") from None


PRUN_SPEC = "l:rs:T:D:q"
LPRUN_SPEC = "f:m:D:T:rszu:"


@magics_class
class ProfilingMagics(Magics):
    """``%prun`` (cProfile) and ``%lprun`` (line_profiler)."""

    def complete_prun(self, token: str, line: str) -> list[str] | None:
        """Tab completion of %prun's options."""
        return complete_options(PRUN_SPEC, token)

    def complete_lprun(self, token: str, line: str) -> list[str] | None:
        """Tab completion of %lprun's options."""
        return complete_options(LPRUN_SPEC, token)

    def _code(self, magic: str, source: str, usage: str) -> Any:
        return compile_user_code(
            self.shell, parse_user_code(self.shell, magic, source, usage), source
        )

    @no_var_expand
    @needs_local_scope
    @line_cell_magic
    def prun(
        self, line: str = "", cell: str | None = None, local_ns: dict[str, Any] | None = None
    ) -> Any:
        """Run a statement under cProfile and print its statistics.

        Usage:
          %prun [-l LIMIT] [-r] [-s KEY] [-T FILE] [-D FILE] [-q] statement
          %%prun [options] [statement]
          code

        Options:
          -l LIMIT  restrict the listing: a count (10), a fraction (0.25) or a regular
                    expression matched against 'file:line(function)'; several -l apply in
                    order, as pstats' print_stats restrictions
          -s KEY    sort by KEY (default 'time'); several -s sort by each in turn.  Keys:
                    calls, cumulative, file, line, module, name, nfl, pcalls, stdname, time
                    (and the aliases cumtime, tottime, ncalls, filename)
          -T FILE   also save the text report to FILE
          -D FILE   dump the pstats data to FILE (read with pstats.Stats(FILE))
          -r        return the pstats.Stats object
          -q        print nothing (use with -T, -D or -r)

        The report is written to the output (never a pager).  If the statement raises or is
        interrupted, the profile so far is still reported, then the error is shown.
        """
        opts, rest = parse_opts("prun", line, PRUN_SPEC, PRUN_USAGE)
        source = rest if cell is None else (rest + "\n" + cell if rest else cell)
        if not source.strip():
            raise UsageError("%prun: no statement to profile", PRUN_USAGE)
        keys = _sort_keys(opts.get("s") or ["time"])
        limits = _restrictions(opts.get("l", []))
        text_file = check_writable("prun", opts["T"][-1], PRUN_USAGE) if "T" in opts else None
        dump_file = check_writable("prun", opts["D"][-1], PRUN_USAGE) if "D" in opts else None
        code = self._code("prun", source, PRUN_USAGE)
        glob, local = run_namespaces(self.shell, local_ns)

        profiler = cProfile.Profile()
        error: BaseException | None = None
        # What cProfile.run does: enable, exec, disable.
        profiler.enable()
        try:
            run_user_code(code, glob, local)
        except SystemExit as exc:
            error = exc
        except BaseException as exc:  # reported after the profile
            error = exc
        finally:
            profiler.disable()

        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        stats.strip_dirs().sort_stats(*keys)
        stats.print_stats(*limits)
        report = stream.getvalue().rstrip() + "\n"
        dump = (dump_file, stats.dump_stats, "marshalled")
        self._finish("prun", report, dump, text_file, error, quiet="q" in opts)
        return stats if "r" in opts else None

    def _finish(
        self,
        magic: str,
        report: str,
        dump: tuple[str | None, Any, str],
        text_file: str | None,
        error: BaseException | None,
        quiet: bool = False,
    ) -> None:
        """Write the files asked for, show the report and notes, then re-raise the error.

        ``dump`` is ``(file or None, how to write it, the verb for the note)``.
        """
        dump_file, write_dump, verb = dump
        messages = ""
        if dump_file is not None:
            _write_file(magic, dump_file, write_dump)
            messages += f"\n*** Profile stats {verb} to file {dump_file!r}.\n"
        if text_file is not None:
            _write_file(magic, text_file, lambda p: _write_text(p, report))
            messages += f"\n*** Profile printout saved to text file {text_file!r}.\n"
        messages += _error_note(error)
        if not quiet:
            self.shell.write(report + messages)
        elif messages:
            self.shell.write(messages.lstrip("\n"))
        if error is not None and not isinstance(error, SystemExit):
            raise error

    @no_var_expand
    @needs_local_scope
    @line_magic
    def lprun(self, line: str = "", local_ns: dict[str, Any] | None = None) -> Any:
        """Run a statement under line_profiler and print a per-line table for each function.

        Usage:
          %lprun -f FUNC [-f FUNC ...] [-m MODULE] [-D FILE] [-T FILE] [-r] [-s] [-u UNIT] [-z]
                 statement

        Options:
          -f FUNC    profile FUNC: any expression giving a function, method, property or
                     class (its methods); functions typed at the prompt are shown with their
                     source.  Repeat for more
          -m MODULE  profile every function of MODULE (imported if needed)
          -D FILE    dump the line_profiler stats to FILE (python -m line_profiler FILE)
          -T FILE    also save the text report to FILE
          -r         return the LineProfiler object
          -s, -z     leave out functions that never ran
          -u UNIT    the time unit of the table in seconds (e.g. 1e-6)

        If the statement raises or is interrupted, the profile so far is still reported,
        then the error is shown.
        """
        from line_profiler import LineProfiler

        opts, stmt = parse_opts("lprun", line, LPRUN_SPEC, LPRUN_USAGE)
        if not opts.get("f") and not opts.get("m"):
            raise UsageError("%lprun: nothing to profile: give -f FUNC or -m MODULE", LPRUN_USAGE)
        if not stmt:
            raise UsageError("%lprun: no statement to run", LPRUN_USAGE)
        unit = None
        if "u" in opts:
            try:
                unit = float(opts["u"][-1])
            except ValueError:
                unit = -1.0
            if not unit > 0:
                raise UsageError(
                    f"%lprun: -u needs a positive number of seconds, got {opts['u'][-1]!r}",
                    LPRUN_USAGE,
                )
        text_file = check_writable("lprun", opts["T"][-1], LPRUN_USAGE) if "T" in opts else None
        dump_file = check_writable("lprun", opts["D"][-1], LPRUN_USAGE) if "D" in opts else None
        glob, local = run_namespaces(self.shell, local_ns)

        profiler = LineProfiler()
        for expr in opts.get("f", []):
            try:
                func = eval(expr, glob, local)  # noqa: S307 - the user's own expression
            except Exception as exc:  # noqa: BLE001 - any failure is a usage error
                raise UsageError(
                    f"%lprun: could not find function {expr}: {type(exc).__name__}: {exc}",
                    LPRUN_USAGE,
                ) from None
            if not profiler.add_callable(func):
                raise UsageError(
                    f"%lprun: cannot profile {expr}: not a Python function", LPRUN_USAGE
                )
        for name in opts.get("m", []):
            import importlib

            try:
                module = importlib.import_module(name)
            except Exception as exc:  # noqa: BLE001 - any failure is a usage error
                raise UsageError(
                    f"%lprun: could not import module {name}: {type(exc).__name__}: {exc}",
                    LPRUN_USAGE,
                ) from None
            profiler.add_module(module)
        code = self._code("lprun", stmt, LPRUN_USAGE)

        error: BaseException | None = None
        # What kernprof -l does (LineProfiler.runctx): enable_by_count, exec, disable_by_count.
        profiler.enable_by_count()
        try:
            run_user_code(code, glob, local)
        except BaseException as exc:  # reported after the profile
            error = exc
        finally:
            profiler.disable_by_count()

        stream = io.StringIO()
        profiler.print_stats(
            stream=stream, output_unit=unit, stripzeros=bool({"s", "z"} & set(opts))
        )
        report = stream.getvalue().rstrip() + "\n"
        dump = (dump_file, profiler.dump_stats, "pickled")
        self._finish("lprun", report, dump, text_file, error)
        return profiler if "r" in opts else None


def _write_text(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


hide_from_tracebacks(__file__)  # show the user's frames, not the magic's
