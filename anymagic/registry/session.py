"""The session: one host plus anymagic's registry, extensions and input syntax.

A host (see :mod:`anymagic.registry.host`) builds one ``Session(host)`` and sends every
cell through :meth:`Session.run_cell`.  The session is itself a host for magics and
extensions: it forwards the protocol members to the real host and adds registration
(``register_magics``, ``register_magic_function``, input transformers).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from . import discovery
from .cellsource import PREFIX, remember
from .compiling import (
    CO_COROUTINE,
    FUTURE_FLAGS,
    PyCF_ALLOW_TOP_LEVEL_AWAIT,
    PyCF_ONLY_AST,
    ends_with_semicolon,
    no_running_loop,
    run_in_thread,
    with_filename,
)
from .decorators import magic_kinds, wants_expansion, wants_local_scope
from .errors import PluginError, UsageError
from .events import Events
from .extensions import ExtensionManager
from .registry import MagicRegistry
from .runtime import LineList, Runtime
from .syntax import RUNTIME_NAME, InputSyntax
from .tracebacks import format_exception, hide_from_tracebacks

__all__ = [
    "DEFAULTS",
    "CellResult",
    "LineList",
    "Runtime",
    "Session",
    "current_session",
    "format_exception",
    "get_session",
    "hide_from_tracebacks",
]

_current: Session | None = None


def current_session() -> Session | None:
    """The most recently started session (what ``register_line_magic`` registers into)."""
    return _current


def get_session() -> Session:
    """The running session, like IPython's ``get_ipython()``; an error if there is none."""
    if _current is None:
        raise RuntimeError("no anymagic session is running")
    return _current


#: Defaults of the ``Anymagic`` config section (see :mod:`anymagic.registry.config`).
DEFAULTS: dict[str, Any] = {
    "automagic": True,
    "autoload": True,
    "disabled_plugins": [],
    "extensions": [],
    # read by hosts each time they draw a prompt or show a value (%doctest_mode changes them)
    "prompt_in": "In [{count}]: ",
    "prompt_cont": "   ...: ",
    "prompt_out": "Out[{count}]: ",
    "pprint": True,
}


class CellResult:
    """What running one cell produced."""

    __slots__ = ("execution_count", "result", "error", "source")

    def __init__(
        self,
        execution_count: int | None = None,
        result: Any = None,
        error: BaseException | None = None,
        source: str | None = None,
    ) -> None:
        self.execution_count = execution_count
        self.result = result
        self.error = error
        #: The cell as typed (set before ``pre_run_cell``).
        self.source = source

    @property
    def success(self) -> bool:
        return self.error is None

    def __repr__(self) -> str:
        return (
            f"CellResult(execution_count={self.execution_count!r}, result={self.result!r}, "
            f"error={self.error!r}, source={self.source!r})"
        )


class Session:
    """anymagic's side of a host; magics see it as ``self.shell``."""

    def __init__(
        self,
        host: Any,
        *,
        config: Any = None,
        entry_points: Iterable[discovery.EntryPoint] | None = None,
        **options: Any,
    ) -> None:
        global _current
        missing = [name for name in ("user_ns", "write") if not hasattr(host, name)]
        if missing:
            raise TypeError(
                f"{type(host).__name__} is not a host: it needs {' and '.join(missing)} "
                "(see anymagic.Host)"
            )
        self.host = host
        # Optional members: a host without them still works (see the protocol's docs).
        self._events: Events = getattr(host, "events", None) or Events()
        self._history: Any = getattr(host, "history", None)
        if self._history is None:
            self._history = [""]
        self.config = config
        self.options = dict(DEFAULTS)
        if config is not None and "Anymagic" in config:
            from .config import options_class  # traitlets converts command-line strings

            configured = options_class()(config=config)
            self.options.update({k: getattr(configured, k) for k in DEFAULTS})
        self.options.update(options)
        env_disabled = os.environ.get("ANYMAGIC_DISABLE", "")
        disabled = list(self.options["disabled_plugins"]) + [
            name.strip() for name in env_disabled.split(",") if name.strip()
        ]
        autoload = self.options["autoload"] and not os.environ.get("ANYMAGIC_NO_AUTOLOAD")

        if entry_points is None:
            entry_points = discovery.load(self.cache_dir / "entry-points.json")
        entry_points = list(entry_points)
        self.registry = MagicRegistry(make_group=lambda cls: cls(shell=self))
        self.registry.add_entry_points(
            [ep for ep in entry_points if ep.group == discovery.MAGICS_GROUP], disabled, autoload
        )
        off = {discovery.normalize(name) for name in disabled}
        ext_points = {  # a disabled distribution's extensions are disabled too
            ep.name: ep.module
            for ep in entry_points
            if ep.group == discovery.EXTENSIONS_GROUP and discovery.is_enabled(ep, off, autoload)
        }
        self.extensions = ExtensionManager(self, ext_points)
        self.syntax = InputSyntax(
            is_magic=self.registry.__contains__,
            is_shadowed=self._is_shadowed,
            automagic=bool(self.options["automagic"]),
        )
        self.runtime = Runtime(self)
        #: The persistent HistoryStore when the host keeps one (the terminal shell sets it).
        self.history_store: Any = None
        #: The CellResult of the cell running now (None between cells); magics may read it.
        self.current_cell: CellResult | None = None
        self._cell_counter = 0
        self._compile_flags = 0
        self._code_cache: dict[tuple[str, int], tuple[Any, Any]] = {}
        self.user_ns.setdefault(RUNTIME_NAME, self.runtime)
        self.user_ns.setdefault("_dh", [os.getcwd()])  # directory history starts here
        _current = self
        for name, providers in self.registry.conflicts.items():
            self.write(
                f"anymagic: %{name} is claimed by {', '.join(providers)}; using the first "
                "(disable the others with ANYMAGIC_DISABLE)\n",
                "stderr",
            )
        for name in self.options["extensions"]:
            self.load_extension_safely(name)
        self._autostart_groups()
        self.events.trigger("shell_initialized", self)

    # -- the host protocol, forwarded -----------------------------------------------------
    @property
    def user_ns(self) -> dict[str, Any]:
        return self.host.user_ns

    @property
    def history(self) -> Any:
        """The host's numbered inputs, or the session's own list if the host keeps none."""
        return self._history

    @property
    def events(self) -> Events:
        """The host's events, or the session's own if the host has none."""
        return self._events

    @property
    def data_dir(self) -> Path:
        """The host's data directory, or ``$ANYMAGIC_DIR`` / ``~/.anymagic``."""
        data_dir = getattr(self.host, "data_dir", None)
        if data_dir is None:
            from .host import default_data_dir

            return default_data_dir()
        return Path(data_dir)

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    def write(self, text: str, stream: str = "stdout") -> None:
        self.host.write(text, stream)

    def display(self, obj: Any, *, execution_count: int | None = None) -> None:
        """Rich display through the host; a host without ``display`` gets the ``repr`` as text."""
        display = getattr(self.host, "display", None)
        if display is not None:
            display(obj, execution_count=execution_count)
            return
        from .host import _plain_repr

        prefix = "" if execution_count is None else f"Out[{execution_count}]: "
        self.write(f"{prefix}{_plain_repr(obj)}\n")

    def system(self, cmd: str, *, capture: bool = False) -> int | list[str]:
        """A shell command through the host; a clear error if the host cannot run one."""
        system = getattr(self.host, "system", None)
        if system is None:
            raise UsageError(
                f"this host ({type(self.host).__name__}) cannot run shell commands: "
                "it has no system()"
            )
        return system(cmd, capture=capture)

    @property
    def execution_count(self) -> int:
        """The number the next stored cell gets."""
        return len(self.history)

    # -- registration (what extensions and users call) ------------------------------------
    def register_magics(self, *groups: Any) -> None:
        """Register Magics classes or instances (IPython's ``register_magics``)."""
        owner = self.extensions.current
        provider = f"extension:{owner}" if owner else "user"
        for group in groups:
            instance = self.registry.group_instance(group) if isinstance(group, type) else group
            if not hasattr(instance, "magics"):
                raise TypeError(f"{group!r} is not a Magics class or instance")
            self.registry.register_group(instance, provider, owner)
        if owner:
            self.extensions.on_undo(lambda: self.registry.unregister_owner(owner))

    def register_magic_function(
        self,
        func: Callable[..., Any],
        magic_kind: str | tuple[str, ...] = "line",
        magic_name: str | None = None,
    ) -> None:
        """Register a plain function as a magic (``magic_kind``: 'line', 'cell' or both)."""
        kinds = (magic_kind,) if isinstance(magic_kind, str) else tuple(magic_kind)
        if kinds == ("line_cell",):
            kinds = ("line", "cell")
        owner = self.extensions.current
        provider = f"extension:{owner}" if owner else "user"
        for kind in kinds:
            name = magic_name or magic_kinds(func).get(kind) or func.__name__
            self.registry.register(kind, name, func, provider, owner)
        if owner:
            self.extensions.on_undo(lambda: self.registry.unregister_owner(owner))

    def register_magic_alias(
        self,
        alias_name: str,
        magic_name: str,
        magic_kind: str = "line",
        magic_params: str | None = None,
    ) -> None:
        """Make ``%alias_name`` run ``%magic_name`` (with ``magic_params`` prepended)."""
        prefix = (magic_params + " ") if magic_params else ""
        if magic_kind == "line":

            def alias(line: str) -> Any:
                return self.run_line_magic(magic_name, prefix + line, expand=False)
        else:

            def alias(line: str, cell: str) -> Any:  # type: ignore[misc]
                return self.run_cell_magic(magic_name, prefix + line, cell)

        alias.__doc__ = f"Alias for `%{'%' if magic_kind == 'cell' else ''}{magic_name}`."
        alias._ipython_magic_no_var_expand = True  # type: ignore[attr-defined]  # expanded by the target
        self.register_magic_function(alias, magic_kind, alias_name)

    def add_input_transformer(
        self, fn: Callable[..., Any], priority: int = 500, *, cell: bool = False
    ) -> None:
        """Add a line transform (see :class:`InputSyntax`), or with ``cell=True`` a cell one."""
        if cell:
            self.syntax.add_cell_transform(fn, priority)
            self.extensions.on_undo(lambda: self.syntax.remove_cell_transform(fn))
        else:
            self.syntax.add_line_transform(fn, priority)
            self.extensions.on_undo(lambda: self.syntax.remove_line_transform(fn))

    def register_event(self, event: str, function: Callable[..., Any]) -> None:
        """Register an event callback; an extension's are removed when it unloads."""
        self.events.register(event, function)
        self.extensions.on_undo(lambda: self.events.unregister(event, function))

    def load_extension_safely(self, name: str) -> str | None:
        """Load an extension, reporting (not raising) any failure; for start-up lists."""
        try:
            return self.extensions.load(name)
        except (UsageError, PluginError) as exc:
            self.write(f"anymagic: {exc}\n", "stderr")
            return None

    def _autostart_groups(self) -> None:
        """Start the groups the config names whose class sets ``autostart = True``.

        A group's ``start()`` runs once, now (``%store``'s autorestore).  Only groups with a
        config section (``c.StoreMagics.autorestore = True``) are imported: without config,
        start-up imports nothing.
        """
        if not self.config:
            return
        sections = set(self.config.keys())
        for plugin in list(self.registry.plugins.values()):
            if plugin.value.rpartition(":")[2].strip() not in sections:
                continue
            try:
                self.registry.load_plugin(plugin)
            except PluginError as exc:
                self.write(f"anymagic: {exc}\n", "stderr")
                continue
            for group in self.registry.groups():
                cls = type(group)
                if cls.__name__ in sections and getattr(cls, "autostart", False):
                    start = getattr(group, "start", None)
                    if callable(start) and not getattr(group, "_started", False):
                        group._started = True
                        try:
                            start()
                        except Exception as exc:  # a start-up hook never stops the session
                            message = f"anymagic: {cls.__name__}.start failed: {exc}\n"
                            self.write(message, "stderr")

    # -- dispatch ---------------------------------------------------------------------------
    def find_magic(self, name: str, kind: str = "line") -> Callable[..., Any] | None:
        """The function for a magic, importing its plugin if needed (None when unknown)."""
        return self.registry.find(kind, name)

    def run_line_magic(
        self, name: str, line: str, *, local_ns: dict[str, Any] | None = None, expand: bool = True
    ) -> Any:
        """Run ``%name line``; ``local_ns`` is the caller's locals (expansion, local scope)."""
        if name.startswith("%"):
            raise UsageError(f"Cell magic `%%{name[1:]}` must be the first line of a cell.")
        if not name:
            raise UsageError("A magic name must follow %: try %lsmagic for the list.")
        func = self.registry.require("line", name)
        if expand and wants_expansion(func):
            from .expansion import expand as expand_vars

            line = expand_vars(line, self.user_ns, local_ns)
        if wants_local_scope(func):
            return func(line, local_ns=self.user_ns if local_ns is None else local_ns)
        return func(line)

    def run_cell_magic(
        self, name: str, line: str, cell: str, *, local_ns: dict[str, Any] | None = None
    ) -> Any:
        """Run a ``%%name line`` cell with ``cell`` as its body."""
        if not name:
            raise UsageError("A magic name must follow %%: try %lsmagic for the list.")
        func = self.registry.require("cell", name)
        if wants_expansion(func):
            from .expansion import expand as expand_vars

            line = expand_vars(line, self.user_ns, local_ns)
        if wants_local_scope(func):
            return func(line, cell, local_ns=self.user_ns if local_ns is None else local_ns)
        return func(line, cell)

    # -- running cells ----------------------------------------------------------------------
    def transform_cell(self, source: str) -> str:
        """Plain Python for a cell's source (magics translated)."""
        return self.syntax.transform(source)

    def cache_source(self, source: str, label: int | str | None = None) -> str:
        """Register ``source`` in linecache under a unique name; return that name.

        Tracebacks, ``inspect.getsource`` and line_profiler then see code typed at a prompt.
        """
        self._cell_counter += 1
        label = self._cell_counter if label is None else label
        return remember(f"{PREFIX}{label}-{self._cell_counter}>", source)

    def compile(self, source: str, filename: str | None = None, mode: str = "exec") -> Any:
        """Compile translated Python, keeping ``from __future__`` imports across cells."""
        filename = filename or self.cache_source(source)
        code = compile(
            source, filename, mode, self._compile_flags | PyCF_ALLOW_TOP_LEVEL_AWAIT, True
        )
        self._compile_flags |= code.co_flags & FUTURE_FLAGS
        return code

    def run_cell(
        self,
        source: str,
        *,
        store_history: bool = False,
        silent: bool = False,
        filename: str | None = None,
    ) -> CellResult:
        """Run a cell as typed: translate, compile, execute, show its value, fire events.

        ``filename`` names a script the cell came from (tracebacks then show that name).
        """
        result = CellResult(source=source)
        if store_history:
            result.execution_count = self.execution_count
            self._store_input(source)
        self.user_ns[RUNTIME_NAME] = self.runtime
        self.events.trigger("pre_execute")
        if not silent:
            self.events.trigger("pre_run_cell", result)
        outer, self.current_cell = self.current_cell, result
        try:
            result.result = self._execute(source, result.execution_count, silent, filename)
        except SystemExit:
            raise
        except BaseException as exc:  # shown to the user; the host keeps running
            result.error = exc
            self.show_exception(exc)
        finally:
            self.current_cell = outer
        self.events.trigger("post_execute")
        if not silent:
            self.events.trigger("post_run_cell", result)
        return result

    def _store_input(self, source: str) -> None:
        """Append to the numbered history and keep IPython's ``In``/``_i``/``_ii``/``_iN``."""
        ns = self.user_ns
        self.history.append(source)
        count = len(self.history) - 1
        ns["In"] = ns["_ih"] = self.history
        ns["_iii"], ns["_ii"], ns["_i"] = ns.get("_ii", ""), ns.get("_i", ""), ns.get("_i00", "")
        ns["_i00"] = ns[f"_i{count}"] = source
        try:  # the persistent history never blocks or breaks a cell
            self.get_history_store().store(count, source)
        except Exception as exc:  # noqa: BLE001 - a host's own store may raise anything
            if not getattr(self, "_history_reported", False):
                self._history_reported = True
                self.write(f"anymagic: history is not being saved: {exc}\n", "stderr")

    def get_history_store(self) -> Any:
        """The persistent history: ``history_store``, else ``data_dir/history.sqlite``.

        Created on first use (the first cell run with ``store_history=True``) unless the
        host set ``session.history_store`` itself; its session ends at interpreter exit or
        at :meth:`close`.
        """
        store = self.history_store
        if store is None:
            from .history import HistoryStore, end_at_exit

            store = HistoryStore(
                self.data_dir / "history.sqlite", report=lambda text: self.write(text, "stderr")
            )
            end_at_exit(store)
            self.history_store = store
        return store

    def close(self) -> None:
        """End the persistent history's session (hosts call this when they stop)."""
        store = self.history_store
        if store is not None:
            try:
                store.end_session()
            except Exception:  # noqa: BLE001 - closing never fails on history
                pass

    def _execute(self, source: str, count: int | None, silent: bool, filename: str | None) -> Any:
        name = source.strip()
        if name.isidentifier() and name in self.user_ns:  # a macro's name alone runs its lines
            from .macro import macro_source

            lines = macro_source(self.user_ns[name])
            if lines is not None:
                source = lines
        cleaned = self.syntax.cleanup(source)
        python = self.syntax.translate(cleaned)
        if filename is None:
            filename = self.cache_source(cleaned, count)
        else:
            remember(filename, cleaned)
        # Compiling is most of a small cell's cost: a cell identical to an earlier one
        # (a repeated command, a silent kernel request, a replay) reuses its code, renamed
        # to this cell's filename so a traceback names the cell that ran.
        key = (python, self._compile_flags)
        codes = self._code_cache.get(key)
        if codes is None:
            codes = self._compile_cell(python, filename)
            if len(self._code_cache) >= 256:
                self._code_cache.clear()
            self._code_cache[key] = codes
        body, last = (None if code is None else with_filename(code, filename) for code in codes)
        ns = self.user_ns
        if body is not None:
            self._run_code(body, ns)
        if last is None:
            return None
        value = self._run_code(last, ns)
        if value is not None and not (silent or ends_with_semicolon(python)):
            self.show_result(value, count)
        return value

    def _compile_cell(self, python: str, filename: str) -> tuple[Any, Any]:
        """Code for a cell's statements and for its last expression (whose value shows).

        A one-line expression (``%magic``, ``x``) compiles once in eval mode; anything else
        is parsed to an AST and its last expression statement split off.
        """
        if "\n" not in python.strip() and not python.lstrip().startswith(("@", "#")):
            try:
                return None, self.compile(python.strip(), filename, "eval")
            except SyntaxError:
                pass  # a statement: take the general path
        flags = self._compile_flags | PyCF_ONLY_AST | PyCF_ALLOW_TOP_LEVEL_AWAIT
        tree = compile(python, filename, "exec", flags, True)
        import ast

        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        body = self.compile_ast(tree, filename, "exec") if tree.body else None
        if last is not None:  # after the body: its __future__ imports apply here too
            last = self.compile_ast(last, filename, "eval")
        return body, last

    def compile_ast(self, tree: Any, filename: str, mode: str) -> Any:
        code = compile(tree, filename, mode, self._compile_flags | PyCF_ALLOW_TOP_LEVEL_AWAIT, True)
        self._compile_flags |= code.co_flags & FUTURE_FLAGS
        return code

    def _run_code(self, code: Any, ns: dict[str, Any]) -> Any:
        value = eval(code, ns)  # noqa: S307 - running the user's own code is the point
        if code.co_flags & CO_COROUTINE:
            import asyncio

            value = asyncio.run(value) if no_running_loop() else run_in_thread(value)
        return value

    def show_result(self, value: Any, count: int | None) -> None:
        """Store a cell's value in ``_``, ``__``, ``___``, ``Out`` and ``_N``, then display it."""
        ns = self.user_ns
        ns["___"], ns["__"], ns["_"] = ns.get("__", ""), ns.get("_", ""), value
        out = ns.setdefault("Out", {})
        ns.setdefault("_oh", out)
        if count is not None:
            out[count] = value
            ns[f"_{count}"] = value
        self.display(value, execution_count=self.execution_count if count is None else count)

    def show_exception(self, exc: BaseException) -> None:
        """Show an error the way a user wants it: one line for usage errors, else a traceback."""
        self.write(format_exception(exc), "stderr")

    # -- help ---------------------------------------------------------------------------------
    def _is_shadowed(self, name: str) -> bool:
        import builtins

        return name in self.user_ns or hasattr(builtins, name)


hide_from_tracebacks(__file__)
