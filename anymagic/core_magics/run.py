"""``%run``: run a Python file (or a module, ``-m``) as ``__main__``, like IPython's ``%run``.

The file runs in a fresh namespace (a real module object, temporarily ``sys.modules['__main__']``)
with ``sys.argv = [FILE, *ARGS]`` and the file's folder first on ``sys.path``; its globals are
then copied into the user namespace.  ``.ipy`` files, and ``.py`` files that are not plain
Python but are valid anymagic input, go through the session's input syntax first (line
numbers are kept, so tracebacks show the file's own lines).
"""

from __future__ import annotations

import builtins
import importlib.util
import linecache
import os
import shlex
import sys
import time as _time
import tokenize
import types
from typing import Any

from anymagic.registry.decorators import line_magic, magics_class
from anymagic.registry.errors import UsageError
from anymagic.registry.magics import Magics
from anymagic.registry.runtime import Runtime
from anymagic.registry.syntax import RUNTIME_NAME
from anymagic.registry.tracebacks import hide_from_tracebacks

from .timing import format_time
from .usercode import complete_options, parse_opts

RUN_USAGE = "usage: %run [-i] [-t] [-n] [-e] [-m MODULE] FILE [ARGS ...]"
RUN_SPEC = "itnem:"

#: Names of the script's namespace that are not copied into the user namespace.
NOT_COPIED = frozenset(
    {
        "__name__",
        "__file__",
        "__builtins__",
        "__doc__",
        "__package__",
        "__spec__",
        "__loader__",
        "__cached__",
        RUNTIME_NAME,
    }
)


class ScriptRuntime(Runtime):
    """The runtime a script's generated code calls: magics at the script's top level see
    the script's own namespace (as local variables), not only the interactive one."""

    __slots__ = ()

    @staticmethod
    def _locals() -> dict[str, Any] | None:
        return sys._getframe(2).f_locals


def _script_path(name: str) -> str:
    """The file to run: ``name`` (``~`` expanded), else ``name.py``; a UsageError if neither."""
    path = os.path.expanduser(name)
    if not os.path.exists(path) and os.path.isfile(path + ".py"):
        path += ".py"
    if os.path.isdir(path):
        raise UsageError(f"%run: {name} is a directory, not a file", RUN_USAGE)
    if not os.path.isfile(path):
        raise UsageError(f"%run: file not found: {name}", RUN_USAGE)
    return os.path.abspath(path)


def _read_source(path: str, name: str) -> str:
    try:
        with tokenize.open(path) as f:  # honours a coding: line, like python FILE
            return f.read()
    except (OSError, SyntaxError, UnicodeDecodeError) as exc:
        raise UsageError(f"%run: cannot read {name}: {exc}", RUN_USAGE) from None


def _module_spec(module: str) -> Any:
    """The spec ``python -m MODULE`` would run (a package runs its ``__main__``)."""
    try:
        spec = importlib.util.find_spec(module)
        if spec is not None and spec.submodule_search_locations is not None:
            spec = importlib.util.find_spec(module + ".__main__")
            if spec is None:
                raise UsageError(f"%run: {module} is a package with no __main__ module", RUN_USAGE)
    except (ImportError, ValueError) as exc:
        raise UsageError(f"%run: cannot find module {module}: {exc}", RUN_USAGE) from None
    if spec is None:
        raise UsageError(f"%run: no module named {module}", RUN_USAGE)
    if spec.loader is None or not hasattr(spec.loader, "get_code"):
        raise UsageError(f"%run: module {module} cannot be run", RUN_USAGE)
    return spec


def _remove_first(items: list[str], value: str) -> None:
    if items and items[0] == value:
        del items[0]
    elif value in items:
        items.remove(value)


@magics_class
class RunMagics(Magics):
    """``%run``."""

    def complete_run(self, token: str, line: str) -> list[str] | None:
        """Options, then ``.py``/``.ipy`` files and folders for the file name; any path after."""
        if token.startswith("-"):
            return complete_options(RUN_SPEC, token)
        words = line.split()
        before = words[1:-1] if token and words else words[1:]
        if any(not w.startswith("-") for w in before) or (before and before[-1] == "-m"):
            return None  # the script's arguments (or a module name): the default completion
        from anymagic.registry.completion import complete_path

        return [m for m in complete_path(token) if m.endswith(("/", ".py", ".ipy"))]

    @line_magic
    def run(self, line: str) -> None:
        """Run a Python file as a program; its variables then land in the namespace.

        Usage:
          %run [-i] [-t] [-n] [-e] FILE [ARGS ...]
          %run [-i] [-t] [-n] [-e] -m MODULE [ARGS ...]

        The file runs as `__main__` in a fresh namespace with `sys.argv = [FILE, *ARGS]`
        (ARGS split like a shell does) and its folder first on `sys.path`; afterwards its
        global variables are copied into the interactive namespace.  `.ipy` files (and
        files containing magics) are read as anymagic input.

        Options:
          -i         run in the interactive namespace itself (the file sees your variables)
          -n         do not set `__name__` to `__main__` (it is the file's name, no .py)
          -t         print the CPU and wall time the file took
          -e         ignore `sys.exit()` (any exit code) instead of reporting it
          -m MODULE  run a module found on sys.path, like `python -m MODULE`

        `sys.exit(0)` ends the file silently; another exit code is reported as
        `SystemExit: N` and the session goes on.
        """
        opts, rest = parse_opts("run", line, RUN_SPEC, RUN_USAGE)
        try:
            words = shlex.split(rest, posix=os.name == "posix")
        except ValueError as exc:
            raise UsageError(f"%run: cannot split the arguments: {exc}", RUN_USAGE) from None
        module = opts["m"][-1] if "m" in opts else None
        if module is not None:
            spec = _module_spec(module)
            code = spec.loader.get_code(spec.name)
            path = spec.origin
            argv = [path, *words]
            run_name = "__main__" if "n" not in opts else module.rpartition(".")[2]
            search = os.getcwd()  # python -m puts the current folder first
            extra: dict[str, Any] = {"__spec__": spec, "__package__": spec.parent}
            if spec.has_location:
                extra["__cached__"] = spec.cached
        else:
            if not words:
                raise UsageError("%run: a FILE to run is required", RUN_USAGE)
            path = _script_path(words[0])
            argv = [words[0], *words[1:]]
            stem = os.path.splitext(os.path.basename(path))[0]
            run_name = "__main__" if "n" not in opts else stem
            search = os.path.dirname(path)
            extra = {"__package__": None, "__spec__": None}
            code = self._compile_file(path, words[0])
        self._execute(code, path, run_name, argv, search, extra, opts)

    def _compile_file(self, path: str, name: str) -> Any:
        """Code for the file: plain Python as-is; ``.ipy`` or magics through the input syntax."""
        source = _read_source(path, name)
        linecache.checkcache(path)  # tracebacks read the file as it is now
        if not path.endswith(".ipy"):
            try:
                return compile(source, path, "exec", 0, True)
            except SyntaxError as error:
                python = self.shell.syntax.transform(source)
                if python == source:
                    raise error from None
                try:
                    return compile(python, path, "exec", 0, True)
                except SyntaxError:
                    raise error from None  # not anymagic input either: Python's message
        return compile(self.shell.syntax.transform(source), path, "exec", 0, True)

    def _execute(
        self,
        code: Any,
        path: str,
        run_name: str,
        argv: list[str],
        search: str,
        extra: dict[str, Any],
        opts: dict[str, list[str]],
    ) -> None:
        user_ns = self.shell.user_ns
        interactive = "i" in opts
        module: types.ModuleType | None = None
        if interactive:
            ns = user_ns
            saved = {k: ns[k] for k in ("__name__", "__file__") if k in ns}
        else:
            module = types.ModuleType(run_name)
            ns = module.__dict__
            ns.update(extra)
            ns["__builtins__"] = builtins
            ns[RUNTIME_NAME] = ScriptRuntime(self.shell)
            saved = {}
        ns["__name__"] = run_name
        ns["__file__"] = path

        old_argv, old_module = sys.argv, sys.modules.get(run_name)
        sys.argv = argv
        sys.path.insert(0, search)
        if module is not None:
            sys.modules[run_name] = module  # pickle, dataclasses, `import __main__` find it
        cpu0, wall0 = os.times(), _time.perf_counter()
        try:
            exec(code, ns)  # noqa: S102 - running the user's file is the point
        except SystemExit as exc:
            status = exc.code
            if status not in (None, 0) and "e" not in opts:
                self.shell.write(f"SystemExit: {status}\n", "stderr")
        finally:
            wall = _time.perf_counter() - wall0
            cpu1 = os.times()
            sys.argv = old_argv
            _remove_first(sys.path, search)
            if module is not None:
                if old_module is None:
                    sys.modules.pop(run_name, None)
                else:
                    sys.modules[run_name] = old_module
            if interactive:
                for key in ("__name__", "__file__"):
                    if key in saved:
                        ns[key] = saved[key]
                    else:
                        ns.pop(key, None)
            else:
                user_ns.update((k, v) for k, v in ns.items() if k not in NOT_COPIED)
            if "t" in opts:
                user, system = cpu1.user - cpu0.user, cpu1.system - cpu0.system
                self.shell.write(
                    f"CPU times: user {format_time(user)}, sys: {format_time(system)}, "
                    f"total: {format_time(user + system)}\nWall time: {format_time(wall)}\n"
                )


hide_from_tracebacks(__file__)  # show the script's frames, not the magic's
