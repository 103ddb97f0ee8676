"""Timing: ``%timeit`` / ``%%timeit`` and ``%time`` / ``%%time``.

IPython's options and output, with three differences (see docs/magics/timing.md):

* the automatic loop count follows a 1-2-5 sequence and aims at ~0.2 s per run, so no
  statement that loops in under 0.2 s takes more than about 3 s in all (IPython's powers
  of ten can take 15 s);
* ``%%timeit`` sees the caller's local variables (ipython#10556);
* the timed code is compiled once into a function exactly like ``python -m timeit``'s
  template, so the per-loop overhead is the standard module's.

Option parsing and running user code are shared with the profiling group
(:mod:`anymagic.core_magics.usercode`).
"""

from __future__ import annotations

import ast
import gc
import itertools
import math
import os
import time as _time
from collections.abc import Callable, Iterator
from typing import Any

from anymagic.registry.decorators import (
    line_cell_magic,
    magics_class,
    needs_local_scope,
    no_var_expand,
)
from anymagic.registry.errors import UsageError
from anymagic.registry.magics import Magics
from anymagic.registry.tracebacks import hide_from_tracebacks

from .usercode import (
    compile_user_code,
    complete_options,
    int_option,
    parse_opts,
    parse_user_code,
    run_namespaces,
    run_user_code,
)


def format_time(seconds: float, precision: int = 3) -> str:
    """IPython's ``_format_time``: ``1.23 ms``, ``456 ns``; ``1min 3s`` above a minute."""
    if seconds >= 60.0:
        parts = [("d", 86400), ("h", 3600), ("min", 60), ("s", 1)]
        out = []
        left = seconds
        for suffix, length in parts:
            value = int(left / length)
            if value > 0:
                left = left % length
                out.append(f"{value}{suffix}")
            if left < 1:
                break
        return " ".join(out)
    units = ["s", "ms", "\xb5s", "ns"]
    scaling = [1, 1e3, 1e6, 1e9]
    order = min(-int(math.floor(math.log10(seconds)) // 3), 3) if seconds > 0.0 else 3
    return f"{seconds * scaling[order]:.{precision}g} {units[order]}"


# ----------------------------------------------------------------------------- %timeit


class TimeitResult:
    """What ``%timeit -o`` returns.

    ``loops`` per run, ``repeat`` runs; ``all_runs`` holds each run's total seconds;
    ``best``, ``worst``, ``average`` and ``stdev`` are per loop.
    """

    def __init__(
        self,
        loops: int,
        repeat: int,
        best: float,
        worst: float,
        all_runs: list[float],
        compile_time: float,
        precision: int,
    ) -> None:
        self.loops = loops
        self.repeat = repeat
        self.best = best
        self.worst = worst
        self.all_runs = all_runs
        self.compile_time = compile_time
        self._precision = precision
        self.timings = [run / loops for run in all_runs]

    @property
    def average(self) -> float:
        return math.fsum(self.timings) / len(self.timings)

    @property
    def stdev(self) -> float:
        mean = self.average
        return (math.fsum((x - mean) ** 2 for x in self.timings) / len(self.timings)) ** 0.5

    def __str__(self) -> str:
        p = self._precision
        runs = "s" if self.repeat != 1 else ""
        loops = "s" if self.loops != 1 else ""
        return (
            f"{format_time(self.average, p)} \xb1 {format_time(self.stdev, p)} per loop "
            f"(mean \xb1 std. dev. of {self.repeat} run{runs}, {self.loops:,} loop{loops} each)"
        )

    def __repr__(self) -> str:
        return f"<TimeitResult : {self}>"

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(repr(self))


TEMPLATE = """\
def inner(_it, _timer):
    _anymagic_setup
    _t0 = _timer()
    for _i in _it:
        _anymagic_stmt
        pass
    _t1 = _timer()
    return _t1 - _t0
"""

#: Automatic loop count: aim for runs of this many seconds...
TARGET = 0.2
#: ...estimated from a calibration that loops until it has taken this long.
CALIBRATION = 0.02


def one_two_five() -> Iterator[int]:
    """1, 2, 5, 10, 20, 50, 100, ..."""
    for power in itertools.count():
        for digit in (1, 2, 5):
            yield digit * 10**power


def choose_loops(run: Callable[[int], float], target: float = TARGET) -> int:
    """The largest 1-2-5 loop count whose run should take at most 1.25 x ``target`` seconds.

    ``run(n)`` times ``n`` loops.  Calibration loops 1, 2, 5, ... until a run takes
    CALIBRATION seconds (a tenth of a final run), then extrapolates: a final run takes
    between 0.1 and 0.25 s, so seven of them stay under 2 s.
    """
    for number in one_two_five():
        elapsed = run(number)
        if elapsed >= CALIBRATION or number >= 10**10:
            break
    per_loop = max(elapsed / number, 1e-12)
    best = 1
    for number in one_two_five():
        if number * per_loop > 1.25 * target:
            break
        best = number
    return best


def _used_names(*trees: ast.AST) -> set[str]:
    return {node.id for tree in trees for node in ast.walk(tree) if isinstance(node, ast.Name)}


TIMEIT_USAGE = """\
usage: %timeit [-n N] [-r R] [-t|-c] [-p P] [-q] [-o] [-v VAR] statement
       %%timeit [options] [setup]   (the cell body is timed)"""

TIME_USAGE = """\
usage: %time statement
       %%time   (times the cell body)"""


TIMEIT_SPEC = "n:r:tcp:qov:"


@magics_class
class TimingMagics(Magics):
    """``%timeit`` and ``%time``."""

    def complete_timeit(self, token: str, line: str) -> list[str] | None:
        """Tab completion of %timeit's options."""
        return complete_options(TIMEIT_SPEC, token)

    @no_var_expand
    @needs_local_scope
    @line_cell_magic
    def timeit(
        self, line: str = "", cell: str | None = None, local_ns: dict[str, Any] | None = None
    ) -> Any:
        """Time a statement: mean ± std. dev. of R runs of N loops each.

        Usage, in line mode:
          %timeit [-n N] [-r R] [-t|-c] [-p P] [-q] [-o] [-v VAR] statement
        in cell mode (the line holds options and setup code, run once per run, not timed):
          %%timeit [-n N] [-r R] [-t|-c] [-p P] [-q] [-o] [-v VAR] [setup]
          code

        Options:
          -n N    loops per run; by default chosen on a 1-2-5 sequence so a run takes ~0.2 s
          -r R    runs (default 7); the mean and standard deviation are over the runs
          -t      time with time.time (wall clock)
          -c      time with time.process_time (CPU time of this process)
                  (the default is time.perf_counter, like the timeit module)
          -p P    significant digits in the output (default 3)
          -q      quiet: print nothing
          -o      return a TimeitResult (best, worst, average, stdev, all_runs, loops, repeat)
          -v VAR  also store the TimeitResult in the variable VAR

        The garbage collector is off while timing, as in the timeit module.  The code may use
        the caller's local variables (inside a function, and for %%timeit too).
        """
        opts, rest = parse_opts("timeit", line, TIMEIT_SPEC, TIMEIT_USAGE)
        if cell is None:
            stmt_src, setup_src = rest, "pass"
            if not stmt_src:
                raise UsageError("%timeit: no statement to time", TIMEIT_USAGE)
        else:
            stmt_src, setup_src = cell, rest or "pass"
            if not stmt_src.strip():
                raise UsageError("%%timeit: the cell has no code to time", TIMEIT_USAGE)
        number = int_option("timeit", opts, "n", TIMEIT_USAGE)
        repeat = int_option("timeit", opts, "r", TIMEIT_USAGE)
        repeat = 7 if repeat is None else repeat
        precision = int_option("timeit", opts, "p", TIMEIT_USAGE)
        precision = 3 if precision is None else precision
        if "t" in opts and "c" in opts:
            raise UsageError("%timeit: -t and -c cannot be used together", TIMEIT_USAGE)
        timer: Callable[[], float] = _time.perf_counter
        if "t" in opts:
            timer = _time.time
        elif "c" in opts:
            timer = _time.process_time
        var = opts["v"][-1] if "v" in opts else None
        if var is not None and not var.isidentifier():
            raise UsageError(f"%timeit: -v needs a variable name, got {var!r}", TIMEIT_USAGE)
        quiet = "q" in opts

        # Compile once: setup and statement inside timeit's template function.
        t0 = _time.perf_counter()
        # timed code runs inside a plain function (timeit's template): no top-level await
        setup_tree = parse_user_code(
            self.shell, "timeit", setup_src, TIMEIT_USAGE, "setup", allow_await=False
        )
        stmt_tree = parse_user_code(self.shell, "timeit", stmt_src, TIMEIT_USAGE, allow_await=False)
        glob, local = run_namespaces(self.shell, local_ns)
        used = _used_names(setup_tree, stmt_tree)
        bound = sorted(n for n in used if local is not None and n in local)
        if setup_src == "pass":
            source = stmt_src  # what linecache shows in tracebacks
        else:
            source = setup_src + "\n" + stmt_src
            ast.increment_lineno(stmt_tree, setup_src.count("\n") + 1)
        template = ast.parse(TEMPLATE)
        func = template.body[0]
        func.body[0:1] = setup_tree.body or [ast.Pass()]
        loop = func.body[-3]
        loop.body[0:1] = stmt_tree.body or [ast.Pass()]
        extra: tuple[Any, ...] = ()
        if bound:  # the caller's locals become locals of inner(), read once per run
            func.args.args.append(ast.arg("_anymagic_locals"))
            func.body[0:0] = [
                ast.parse(f"{name} = _anymagic_locals[{name!r}]").body[0] for name in bound
            ]
            extra = (dict(local),)  # type: ignore[arg-type]
        ast.fix_missing_locations(template)
        code = compile_user_code(self.shell, template, source)
        scope: dict[str, Any] = {}
        exec(code, glob, scope)  # noqa: S102 - defines inner() with the user namespace as globals
        inner = scope["inner"]
        compile_time = _time.perf_counter() - t0

        def run(loops: int) -> float:
            return inner(itertools.repeat(None, loops), timer, *extra)

        was_enabled = gc.isenabled()
        gc.disable()
        try:
            if number is None:
                number = choose_loops(run)
            all_runs = [run(number) for _ in range(repeat)]
        finally:
            if was_enabled:
                gc.enable()

        best, worst = min(all_runs) / number, max(all_runs) / number
        result = TimeitResult(number, repeat, best, worst, all_runs, compile_time, precision)
        if var is not None:
            self.shell.user_ns[var] = result
        if not quiet:
            text = str(result) + "\n"
            if worst > 4 * best and best > 0 and worst > 1e-6:
                text = (
                    f"The slowest run took {worst / best:.2f} times longer than the fastest. "
                    "This could mean that an intermediate result is being cached.\n" + text
                )
            if compile_time > 0.1:
                text += f"Compiler time: {compile_time:.2f} s\n"
            self.shell.write(text)
        return result if "o" in opts else None

    @no_var_expand
    @needs_local_scope
    @line_cell_magic
    def time(
        self, line: str = "", cell: str | None = None, local_ns: dict[str, Any] | None = None
    ) -> Any:
        """Run a statement (or the cell) once and print its CPU and wall time.

        Usage:
          %time statement
          %%time
          code

        The value of a final expression is returned (and shown), as when running it
        directly.  On an error the times up to the error are printed, then the error.
        """
        if cell is not None:
            if line.strip():
                message = "%%time: put the code in the cell body, not after %%time"
                raise UsageError(message, TIME_USAGE)
            source = cell
        else:
            source = line.strip()
        if not source.strip():
            name = "%%time" if cell is not None else "%time"
            raise UsageError(f"{name}: no statement to time", TIME_USAGE)
        t0 = _time.perf_counter()
        tree = parse_user_code(self.shell, "time", source, TIME_USAGE)
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        code = compile_user_code(self.shell, tree, source) if tree.body else None
        expr = compile_user_code(self.shell, last, source, "eval") if last is not None else None
        compile_time = _time.perf_counter() - t0
        glob, local = run_namespaces(self.shell, local_ns)

        value = None
        cpu0, wall0 = os.times(), _time.perf_counter()
        try:
            if code is not None:
                run_user_code(code, glob, local)
            if expr is not None:
                value = run_user_code(expr, glob, local)
        finally:
            wall = _time.perf_counter() - wall0
            cpu1 = os.times()
            user, system = cpu1.user - cpu0.user, cpu1.system - cpu0.system
            text = (
                f"CPU times: user {format_time(user)}, sys: {format_time(system)}, "
                f"total: {format_time(user + system)}\nWall time: {format_time(wall)}\n"
            )
            if compile_time > 0.1:
                text += f"Compiler : {format_time(compile_time)}\n"
            self.shell.write(text)
        return value


hide_from_tracebacks(__file__)  # show the user's frames, not the magic's
