"""Extensions written for IPython, in every anymagic host: one IPython-like shell over a session.

Many extensions exist only for IPython: ``load_ipython_extension(ip)`` calls
``ip.register_magics(...)`` with classes built on :mod:`IPython.core.magic`.  When IPython is
installed, anymagic's hosts set ``session.extensions.ipython_shell_factory`` to
:func:`shell_for` (see :func:`install`), and ``%load_ext`` of such a module gives its hooks an
:class:`IPythonShim`: an object that looks enough like IPython's ``InteractiveShell`` and
turns what the extension does into anymagic registrations, which ``%unload_ext`` removes.

The shim provides the names in :data:`PROVIDED`; any other attribute of ``InteractiveShell``
raises an :class:`AttributeError` that names the attribute and the extension that wanted it.
While one of its magics or event callbacks runs, IPython's ``get_ipython()`` returns the
shim (only when no real IPython shell exists in the process).

Importing this module is cheap: traitlets and IPython are imported when a shim is built.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

#: The parts of IPython's ``InteractiveShell`` API the shim provides.
PROVIDED = (
    "config",
    "configurables",
    "del_var",
    "drop_by_id",
    "enable_gui",
    "ev",
    "events",
    "ex",
    "execution_count",
    "find_cell_magic",
    "find_line_magic",
    "find_magic",
    "get_ipython",
    "getoutput",
    "hooks.show_in_pager",
    "magic",
    "magics_manager",
    "push",
    "register_magic_function",
    "register_magics",
    "run_cell",
    "run_cell_magic",
    "run_line_magic",
    "showsyntaxerror",
    "showtraceback",
    "system",
    "user_global_ns",
    "user_ns",
    "user_ns_hidden",
    "write",
    "write_err",
)


def available() -> bool:
    """Whether IPython is installed (checked without importing it)."""
    from importlib.util import find_spec

    return find_spec("IPython") is not None


#: Extensions bundled with IPython, loadable by their short name as in IPython.
BUNDLED = {"autoreload": "IPython.extensions.autoreload"}


def install(session: Any) -> None:
    """Make IPython-only extensions loaded in ``session`` get the shim, if IPython is installed.

    IPython's bundled extensions (``%load_ext autoreload``) then load by their short name
    (without IPython, that name says IPython is not installed).
    """
    manager = session.extensions
    for name, module in BUNDLED.items():  # without IPython: a clear "not installed" message
        manager.aliases.setdefault(name, module)
    if available():
        manager.ipython_shell_factory = shell_for


def shell_for(session: Any) -> Any:
    """An IPython-like shell over ``session`` for the extension now loading."""
    return _shim_class()(session, session.extensions.current)


class MissingShellFeature(AttributeError):
    """An extension used a part of IPython's shell the shim does not provide."""


# -- the shim ------------------------------------------------------------------------------------
class _ShimBase:
    """The methods of :class:`IPythonShim` (a traitlets Configurable is mixed in lazily)."""

    def __init__(self, session: Any, extension: str | None = None) -> None:
        from traitlets.config import Config

        config = session.config if session.config is not None else Config()
        super().__init__(config=config)  # type: ignore[call-arg]
        # plain attributes in __dict__: __getattr__ (the "not provided" error) never sees them
        self.__dict__.update(
            session=session,
            extension=extension,
            configurables=[],
            user_ns_hidden={},
            hooks=_Hooks(session),
            magics_manager=_MagicsManager(self),
        )
        self.__dict__["events"] = _Events(session.events, self)

    def __repr__(self) -> str:
        return f"<anymagic IPython-compatible shell for {self.extension or 'the user'}>"

    def __getattr__(self, name: str) -> Any:
        if name.startswith(("__", "_trait", "_ipython", "_repr_")):
            raise AttributeError(name)
        who = self.__dict__.get("extension") or "?"
        raise MissingShellFeature(
            f"anymagic's IPython compatibility does not provide InteractiveShell.{name} "
            f"(needed by extension {who})"
        )

    # -- namespaces ---------------------------------------------------------------------------
    @property
    def user_ns(self) -> dict[str, Any]:
        return self.session.user_ns

    @property
    def user_global_ns(self) -> dict[str, Any]:
        return self.session.user_ns

    @property
    def execution_count(self) -> int:
        return self.session.execution_count

    def get_ipython(self) -> Any:
        return self

    def push(self, variables: Any, interactive: bool = True) -> None:
        """Put variables in the user namespace: a dict, or names (str or list) of the caller's."""
        if isinstance(variables, dict):
            values = variables
        else:
            names = variables.replace(",", " ").split() if isinstance(variables, str) else variables
            frame = sys._getframe(1)
            values = {}
            for name in names:
                try:
                    values[name] = eval(name, frame.f_globals, frame.f_locals)  # noqa: S307
                except Exception:  # noqa: BLE001 - IPython reports and skips, too
                    self.session.write(f"Could not get variable {name} from caller\n", "stderr")
        self.user_ns.update(values)
        if not interactive:
            self.user_ns_hidden.update(values)

    def drop_by_id(self, variables: dict[str, Any]) -> None:
        """Remove the names of ``variables`` whose value is still the same object."""
        for name, obj in variables.items():
            if name in self.user_ns and self.user_ns[name] is obj:
                del self.user_ns[name]
                self.user_ns_hidden.pop(name, None)

    def del_var(self, varname: str, by_name: bool = False) -> None:
        if by_name:
            self.user_ns.pop(varname, None)
            return
        obj = self.user_ns.get(varname)
        for name in [n for n, v in self.user_ns.items() if v is obj]:
            del self.user_ns[name]

    def ev(self, expr: str) -> Any:
        return eval(expr, self.user_ns)  # noqa: S307 - the user's expression

    def ex(self, cmd: str) -> None:
        exec(cmd, self.user_ns)  # noqa: S102 - the user's code

    # -- running ------------------------------------------------------------------------------
    def run_cell(
        self,
        raw_cell: str,
        store_history: bool = False,
        silent: bool = False,
        shell_futures: bool = True,
        cell_id: Any = None,
    ) -> Any:
        return _Result(
            self.session,
            self.session.run_cell(raw_cell, store_history=store_history, silent=silent),
        )

    def run_line_magic(self, magic_name: str, line: str, _stack_depth: int = 1) -> Any:
        return self.session.run_line_magic(magic_name, line)

    def run_cell_magic(self, magic_name: str, line: str, cell: str) -> Any:
        return self.session.run_cell_magic(magic_name, line, cell)

    def magic(self, arg_s: str) -> Any:
        name, _, line = arg_s.lstrip("%").partition(" ")
        return self.run_line_magic(name, line)

    def find_magic(self, magic_name: str, magic_kind: str = "line") -> Any:
        return self.session.find_magic(magic_name, magic_kind)

    def find_line_magic(self, magic_name: str) -> Any:
        return self.session.find_magic(magic_name, "line")

    def find_cell_magic(self, magic_name: str) -> Any:
        return self.session.find_magic(magic_name, "cell")

    def system(self, cmd: str) -> None:
        self.user_ns["_exit_code"] = self.session.system(cmd)

    def getoutput(self, cmd: str, split: bool = True, depth: int = 0) -> Any:
        from anymagic.registry.runtime import LineList

        lines = self.session.system(cmd, capture=True)
        lines = LineList(lines if isinstance(lines, list) else [])
        return lines if split else lines.n

    def enable_gui(self, gui: str | None = None) -> None:
        if gui not in (None, "", "none"):
            raise MissingShellFeature(
                f"anymagic's IPython compatibility does not provide InteractiveShell.enable_gui "
                f"for {gui!r} (needed by extension {self.extension or '?'})"
            )

    # -- output -------------------------------------------------------------------------------
    def write(self, data: str) -> None:
        self.session.write(data)

    def write_err(self, data: str) -> None:
        self.session.write(data, "stderr")

    def showtraceback(self, exc_tuple: Any = None, *args: Any, **kwargs: Any) -> None:
        from anymagic.registry.tracebacks import format_exception

        exc = exc_tuple[1] if exc_tuple else sys.exc_info()[1]
        if exc is not None:
            self.session.write(format_exception(exc), "stderr")

    def showsyntaxerror(self, filename: str | None = None, running_compiled_code: bool = False):
        self.showtraceback()

    # -- magics -------------------------------------------------------------------------------
    def register_magics(self, *objs: Any) -> None:
        """IPython's ``register_magics``: Magics classes (built with the shim) or instances."""
        from anymagic.registry.magics import Magics as AnymagicMagics

        for obj in objs:
            if isinstance(obj, AnymagicMagics) or (
                isinstance(obj, type) and issubclass(obj, AnymagicMagics)
            ):
                self.session.register_magics(obj)  # an anymagic group: the session is its shell
                continue
            instance = obj(shell=self) if isinstance(obj, type) else obj
            table = getattr(instance, "magics", None)
            if not isinstance(table, dict):
                raise TypeError(f"{obj!r} is not a Magics class or instance")
            group = _Group(
                {kind: {n: self._adapt(f) for n, f in fns.items()} for kind, fns in table.items()}
            )
            self.session.register_magics(group)

    def register_magic_function(
        self, func: Callable[..., Any], magic_kind: str = "line", magic_name: str | None = None
    ) -> None:
        self.session.register_magic_function(
            self._adapt(func), magic_kind, magic_name or func.__name__
        )

    def _adapt(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Run an IPython magic with ``get_ipython()`` set and IPython's UsageError translated."""
        shim = self

        @functools.wraps(func)
        def magic(*args: Any, **kwargs: Any) -> Any:
            with shim.active():
                try:
                    return func(*args, **kwargs)
                except Exception as exc:
                    ipython_error = getattr(sys.modules.get("IPython.core.error"), "UsageError", ())
                    if isinstance(exc, ipython_error):  # one line, no traceback, as in IPython
                        raise _usage_error()(str(exc)) from None
                    raise

        magic.needs_local_scope = getattr(func, "needs_local_scope", False)  # type: ignore[attr-defined]
        # IPython's @no_var_expand mark, under the name anymagic's dispatch reads
        no_expand = getattr(func, "_ipython_magic_no_var_expand", False)
        magic._ipython_no_var_expand = no_expand or getattr(func, "_ipython_no_var_expand", False)  # type: ignore[attr-defined]
        return magic

    @contextmanager
    def active(self) -> Iterator[Any]:
        """While inside, IPython's ``get_ipython()`` returns this shim (if no real shell exists)."""
        cls = _interactive_shell()
        if cls is None or cls.initialized():
            yield self
            return
        saved = {name: cls.__dict__.get(name) for name in ("initialized", "instance")}
        shim = self
        cls.initialized = classmethod(lambda c: True)  # type: ignore[method-assign,assignment]
        cls.instance = classmethod(lambda c, *a, **k: shim)  # type: ignore[method-assign,assignment]
        try:
            yield self
        finally:
            for name, value in saved.items():
                if value is None:
                    delattr(cls, name)
                else:
                    setattr(cls, name, value)


def _interactive_shell() -> Any:
    module = sys.modules.get("IPython.core.interactiveshell")
    return getattr(module, "InteractiveShell", None)


def _usage_error() -> type[Exception]:
    from anymagic.registry.errors import UsageError

    return UsageError


@functools.cache
def _shim_class() -> type:
    from traitlets.config.configurable import Configurable

    class IPythonShim(_ShimBase, Configurable):
        """Looks enough like IPython's ``InteractiveShell`` for extensions written for it."""

    return IPythonShim


class _Group:
    """What ``session.register_magics`` takes: a ``magics`` table of functions."""

    def __init__(self, magics: dict[str, dict[str, Callable[..., Any]]]) -> None:
        self.magics = magics


class _Hooks:
    """``ip.hooks``: only ``show_in_pager``, which IPython's ``page()`` calls."""

    def __init__(self, session: Any) -> None:
        self._session = session

    def show_in_pager(self, data: Any, start: int = 0, screen_lines: int = 0) -> None:
        text = data.get("text/plain", "") if isinstance(data, dict) else str(data)
        lines = text.splitlines()[max(0, start) :]
        self._session.write("\n".join(lines) + "\n")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise MissingShellFeature(
            f"anymagic's IPython compatibility does not provide InteractiveShell.hooks.{name}"
        )


class _MagicsManager:
    """``ip.magics_manager``: the registry seen as IPython's tables, and registration."""

    def __init__(self, shim: Any) -> None:
        self.shell = shim

    @property
    def magics(self) -> dict[str, dict[str, Callable[..., Any]]]:
        registry = self.shell.session.registry
        registry.load_all()
        return {
            kind: {name: b.func for name, b in registry.loaded_names(kind).items()}
            for kind in ("line", "cell")
        }

    def register(self, *objs: Any) -> None:
        self.shell.register_magics(*objs)

    def register_function(
        self, func: Callable[..., Any], magic_kind: str = "line", magic_name: str | None = None
    ) -> None:
        self.shell.register_magic_function(func, magic_kind, magic_name)

    def register_alias(
        self, alias_name: str, magic_name: str, magic_kind: str = "line", magic_params: Any = None
    ) -> None:
        self.shell.session.register_magic_alias(alias_name, magic_name, magic_kind, magic_params)

    def lsmagic(self) -> dict[str, dict[str, Callable[..., Any]]]:
        return self.magics


class _Events:
    """anymagic's events as IPython's ``EventManager``, cell callbacks given IPython's objects.

    ``pre_run_cell`` callbacks get an ``ExecutionInfo``-like object (``raw_cell``,
    ``transformed_cell``, ``store_history``, ``silent``, ``cell_id``), ``post_run_cell``
    ones an ``ExecutionResult``-like one (``info``, ``result``, ``error_in_exec``,
    ``success``, ``execution_count``).
    """

    def __init__(self, events: Any, shim: Any) -> None:
        self._events = events
        self._shim = shim
        self._wrapped: dict[tuple[str, Any], Callable[..., Any]] = {}

    @property
    def callbacks(self) -> Any:
        return self._events.callbacks

    def register(self, event: str, function: Callable[..., Any]) -> None:
        if not callable(function):
            raise TypeError(f"need a callable, got {function!r}")
        key = (event, function)
        if key not in self._wrapped:
            self._wrapped[key] = self._wrap(event, function)
        self._events.register(event, self._wrapped[key])

    def _wrap(self, event: str, function: Callable[..., Any]) -> Callable[..., Any]:
        shim = self._shim
        adapter = {"pre_run_cell": _Info, "post_run_cell": _Result}.get(event)

        @functools.wraps(function)
        def callback(*args: Any, **kwargs: Any) -> Any:
            if adapter is not None and args:
                args = (adapter(shim.session, args[0]), *args[1:])
            with shim.active():
                return function(*args, **kwargs)

        return callback

    def unregister(self, event: str, function: Callable[..., Any]) -> None:
        self._events.unregister(event, self._wrapped.pop((event, function), function))

    def trigger(self, event: str, *args: Any, **kwargs: Any) -> None:
        self._events.trigger(event, *args, **kwargs)


class _Info:
    """IPython's ``ExecutionInfo`` over an anymagic ``CellResult``."""

    def __init__(self, session: Any, cell: Any) -> None:
        self._session = session
        self._cell = cell
        self.raw_cell = getattr(cell, "source", None) or ""
        self.store_history = getattr(cell, "execution_count", None) is not None
        self.silent = False
        self.shell_futures = True
        self.cell_id = None

    @functools.cached_property
    def transformed_cell(self) -> str:
        try:
            return self._session.transform_cell(self.raw_cell)
        except Exception:  # noqa: BLE001 - a cell that does not translate is shown as typed
            return self.raw_cell

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.__dict__["_cell"], name)


class _Result(_Info):
    """IPython's ``ExecutionResult`` over an anymagic ``CellResult``."""

    error_before_exec = None

    @property
    def info(self) -> _Info:
        return _Info(self._session, self._cell)

    @property
    def execution_count(self) -> int | None:
        return getattr(self._cell, "execution_count", None)

    @property
    def result(self) -> Any:
        return getattr(self._cell, "result", None)

    @property
    def error_in_exec(self) -> BaseException | None:
        return getattr(self._cell, "error", None)

    @property
    def success(self) -> bool:
        return self.error_in_exec is None

    def raise_error(self) -> None:
        if self.error_in_exec is not None:
            raise self.error_in_exec
