"""anymagic inside IPython: ``%load_ext anymagic`` makes every anymagic magic available there.

:class:`IPythonHost` is the host protocol over a running ``InteractiveShell``; the
:class:`~anymagic.registry.session.Session` built on it keeps anymagic's registry (built-in
groups and every third-party group found through entry points, imported on first use).  Each
anymagic magic name gets a small wrapper in IPython's magics manager that calls the session
(``$var`` expansion is anymagic's, done once).  Where a name is one of IPython's own magics,
IPython's stays unless ``c.AnymagicIPython.override`` lists it (or ``'*'``); ``%anymagic NAME``
always runs anymagic's, and ``%anymagic`` lists what won.  ``%unload_ext anymagic`` removes
everything that was registered.  See ``docs/ipython.md``.
"""

from __future__ import annotations

import os
import sys
import weakref
from pathlib import Path
from typing import Any

from traitlets import List, Unicode, observe
from traitlets.config.configurable import Configurable

from anymagic.registry.decorators import KINDS
from anymagic.registry.errors import PluginError, UsageError
from anymagic.registry.host import default_data_dir

#: The magic that lists what won and runs anymagic's version of a name IPython keeps.
CONTROL = "anymagic"
#: IPython's own magics that manage IPython itself: ``'*'`` does not replace them (naming one
#: in ``override`` does); anymagic's versions are ``%anymagic NAME``.
KEEP = frozenset(
    {"automagic", "config", "load_ext", "lsmagic", "magic", "reload_ext", "unload_ext"}
)

_adapters: weakref.WeakKeyDictionary[Any, IPythonAdapter] = weakref.WeakKeyDictionary()


class AnymagicIPython(Configurable):
    """anymagic in IPython (``c.AnymagicIPython`` in ``ipython_config.py``, or ``%config``)."""

    override = List(
        Unicode(),
        default_value=[],
        help="Names of IPython's own magics that anymagic's replace here ('*': every one but "
        "%load_ext, %unload_ext, %reload_ext, %config, %lsmagic, %magic and %automagic). "
        "By default IPython's own magics win; %anymagic NAME runs anymagic's anyway.",
    ).tag(config=True)

    data_dir = Unicode(
        "",
        help="anymagic's data folder in IPython (bookmarks, %store, caches). Default: "
        "$ANYMAGIC_DIR if set, else the 'anymagic' folder of the IPython profile.",
    ).tag(config=True)

    @observe("override")
    def _override_changed(self, change: Any) -> None:
        adapter = _adapters.get(self.parent)
        if adapter is not None and adapter.settings is self:
            adapter.sync()


class _IPythonEvents:
    """IPython's ``EventManager``, remembering what anymagic registered (removed on unload).

    anymagic's session start fires ``shell_initialized``; here only callbacks registered
    through anymagic get it (IPython fired its own when it started).
    """

    def __init__(self, events: Any) -> None:
        self._events = events
        self._mine: list[tuple[str, Any]] = []

    @property
    def callbacks(self) -> dict[str, list[Any]]:
        return self._events.callbacks

    def register(self, event: str, function: Any) -> None:
        self._events.register(event, function)
        if (event, function) not in self._mine:
            self._mine.append((event, function))

    def unregister(self, event: str, function: Any) -> None:
        self._events.unregister(event, function)
        if (event, function) in self._mine:
            self._mine.remove((event, function))

    def trigger(self, event: str, *args: Any, **kwargs: Any) -> None:
        if event != "shell_initialized":
            self._events.trigger(event, *args, **kwargs)
            return
        for function in list(self._events.callbacks.get(event, [])):
            if (event, function) in self._mine:
                function(*args, **kwargs)

    def close(self) -> None:
        for event, function in list(self._mine):
            try:
                self.unregister(event, function)
            except (KeyError, ValueError):
                pass


class IPythonHost:
    """The host protocol over a running IPython ``InteractiveShell``."""

    def __init__(self, ip: Any, data_dir: str | os.PathLike[str] | None = None) -> None:
        self.ip = ip
        self.events = _IPythonEvents(ip.events)
        self._data_dir = Path(data_dir) if data_dir else None
        self._history: list[str] = [""]
        self.session: Any = None

    @property
    def user_ns(self) -> dict[str, Any]:
        return self.ip.user_ns

    @property
    def history(self) -> Any:
        manager = getattr(self.ip, "history_manager", None)
        return manager.input_hist_raw if manager is not None else self._history

    @property
    def data_dir(self) -> Path:
        """``data_dir`` setting, else ``$ANYMAGIC_DIR``, else ``<IPython profile>/anymagic``."""
        if self._data_dir is not None:
            return self._data_dir
        profile = getattr(self.ip, "profile_dir", None)
        if os.environ.get("ANYMAGIC_DIR") or profile is None:
            return default_data_dir()
        return Path(profile.location) / "anymagic"

    def run_cell(self, source: str, *, store_history: bool = False) -> Any:
        return self.ip.run_cell(source, store_history=store_history)

    def write(self, text: str, stream: str = "stdout") -> None:
        out = sys.stderr if stream == "stderr" else sys.stdout  # IPython's (a kernel's streams)
        out.write(text)
        out.flush()

    def display(self, obj: Any, *, execution_count: int | None = None) -> None:
        if execution_count is None:
            from IPython.display import display

            display(obj)
        else:
            self.ip.displayhook(obj)

    def system(self, cmd: str, *, capture: bool = False) -> int | list[str]:
        # IPython's process helpers without ip.system's own $-expansion (anymagic's is done)
        from IPython.utils import process

        if capture:
            return process.getoutput(cmd).splitlines()
        sys.stdout.flush()
        status = process.system(cmd)
        return int(status or 0)


class _Wrapper:
    """What IPython's magics manager holds for one anymagic magic."""

    _ipython_magic_no_var_expand = True  # IPython must not: anymagic expands $var once
    needs_local_scope = True

    def __init__(self, adapter: IPythonAdapter, kind: str, name: str) -> None:
        self.adapter = adapter
        self.kind = kind
        self.name = name
        self.__name__ = self.__qualname__ = name
        self.__module__ = "anymagic"

    def __call__(self, line: str, cell: str | None = None, local_ns: Any = None) -> Any:
        session = self.adapter.session
        if self.kind == "line":
            call = lambda: session.run_line_magic(self.name, line, local_ns=local_ns)  # noqa: E731
        else:
            call = lambda: session.run_cell_magic(  # noqa: E731
                self.name, line, cell or "", local_ns=local_ns
            )
        return self.adapter.call(call)

    @property
    def __doc__(self) -> str | None:  # type: ignore[override]  # read by %name? and %magic
        try:
            func = self.adapter.session.find_magic(self.name, self.kind)
        except PluginError as exc:
            return f"anymagic: could not load the plugin of %{self.name}: {exc}"
        return getattr(func, "__doc__", None) if func is not None else None

    def __repr__(self) -> str:
        prefix = "%" if self.kind == "line" else "%%"
        return f"<anymagic magic {prefix}{self.name}>"


class IPythonAdapter:
    """anymagic loaded into one IPython shell: its session and what it put into IPython."""

    def __init__(self, ip: Any) -> None:
        from anymagic.registry.session import Session

        self.ip = ip
        self.module = __name__  # the extension name it was loaded under
        self.settings = AnymagicIPython(parent=ip)
        ip.configurables.append(self.settings)
        self.host = IPythonHost(ip, self.settings.data_dir or None)
        self.session = Session(self.host, config=ip.config)
        self.host.session = self.session
        # anymagic's %load_ext of an IPython-only extension hands it the real shell
        self.session.extensions.ipython_shell_factory = lambda session: ip
        self.wrappers: dict[tuple[str, str], _Wrapper] = {}
        self.saved: dict[tuple[str, str], Any] = {}  # IPython's magics an override replaced
        self.shadowed: set[tuple[str, str]] = set()  # anymagic's magics IPython's own hide
        hidden = getattr(ip, "user_ns_hidden", None)
        if isinstance(hidden, dict):
            from anymagic.registry.syntax import RUNTIME_NAME

            hidden[RUNTIME_NAME] = self.session.runtime
        self.control = {
            "line": _Control(self, "line"),
            "cell": _Control(self, "cell"),
        }
        manager = ip.magics_manager.magics
        for kind, func in self.control.items():
            manager[kind][CONTROL] = func
        self.sync()

    # -- what IPython's magics manager holds ---------------------------------------------------
    def wanted(self) -> set[tuple[str, str]]:
        """(kind, name) of every anymagic magic; a plugin not yet imported claims both kinds."""
        registry = self.session.registry
        bound = {kind: registry.loaded_names(kind) for kind in KINDS}
        keys = set()
        for name in registry.names():
            if name == CONTROL:
                continue
            pending = registry.plugin_for(name) is not None
            for kind in KINDS:
                if pending or name in bound[kind]:
                    keys.add((kind, name))
        return keys

    def overridden(self, name: str) -> bool:
        override = self.settings.override
        return name in override or ("*" in override and name not in KEEP)

    def sync(self) -> None:
        """Put wrappers in IPython's magics manager for the names anymagic provides now."""
        table = self.ip.magics_manager.magics
        wanted = self.wanted()
        self.shadowed = set()
        for key in sorted(wanted):
            kind, name = key
            wrapper = self.wrappers.get(key)
            current = table[kind].get(name)
            if wrapper is not None and current is wrapper:
                if key in self.saved and not self.overridden(name):
                    table[kind][name] = self.saved.pop(key)  # the override was withdrawn
                    del self.wrappers[key]
                    self.shadowed.add(key)
                continue
            if current is not None and not self.overridden(name):
                self.shadowed.add(key)  # IPython's own (or another extension's) stays
                continue
            if current is not None:
                self.saved[key] = current
            wrapper = wrapper or _Wrapper(self, kind, name)
            self.wrappers[key] = table[kind][name] = wrapper
        for key in [k for k in self.wrappers if k not in wanted]:
            self._remove(key)

    def _remove(self, key: tuple[str, str]) -> None:
        kind, name = key
        table = self.ip.magics_manager.magics[kind]
        wrapper = self.wrappers.pop(key)
        if table.get(name) is wrapper:
            if key in self.saved:
                table[name] = self.saved.pop(key)
            else:
                del table[name]
        self.saved.pop(key, None)

    def call(self, run: Any) -> Any:
        """Run an anymagic magic for IPython: anymagic's errors become IPython's one-liners."""
        from IPython.core.error import UsageError as IPythonUsageError

        try:
            return run()
        except UsageError as exc:
            raise IPythonUsageError(str(exc)) from None
        except PluginError as exc:
            message = f"anymagic could not load plugin {exc} (%anymagic lsmagic -v)"
            raise IPythonUsageError(message) from None
        finally:
            self.sync()  # a plugin imported on first use now has its real kinds

    # -- %anymagic --------------------------------------------------------------------------------
    def report(self) -> str:
        """Which of anymagic's names IPython's own magics hide, and which anymagic replaced."""
        lines = []
        if self.shadowed:
            names = "  ".join(_label(k) for k in sorted(self.shadowed, key=_order))
            lines.append(
                "IPython's own magics win for (run anymagic's with %anymagic NAME, or list "
                f"them in c.AnymagicIPython.override): {names}"
            )
        if self.saved:
            names = "  ".join(_label(k) for k in sorted(self.saved, key=_order))
            lines.append(f"anymagic's replace IPython's (c.AnymagicIPython.override): {names}")
        lines.append(
            f"anymagic data folder: {self.host.data_dir}; %anymagic NAME ARGS runs anymagic's "
            "%NAME, %%anymagic NAME ARGS its %%NAME."
        )
        return "\n".join(lines) + "\n"

    def close(self) -> None:
        """Remove everything anymagic put into IPython."""
        for name in list(self.session.extensions.loaded):
            try:
                self.session.extensions.unload(name)
            except (UsageError, PluginError) as exc:
                self.host.write(f"anymagic: {exc}\n", "stderr")
        for key in list(self.wrappers):
            self._remove(key)
        table = self.ip.magics_manager.magics
        for kind, func in self.control.items():
            if table[kind].get(CONTROL) is func:
                del table[kind][CONTROL]
        self.host.events.close()
        if self.settings in self.ip.configurables:
            self.ip.configurables.remove(self.settings)
        from anymagic.registry import session as session_module
        from anymagic.registry.syntax import RUNTIME_NAME

        if self.ip.user_ns.get(RUNTIME_NAME) is self.session.runtime:
            del self.ip.user_ns[RUNTIME_NAME]
        hidden = getattr(self.ip, "user_ns_hidden", None)
        if isinstance(hidden, dict):
            hidden.pop(RUNTIME_NAME, None)
        if session_module._current is self.session:
            session_module._current = None


class _Control(_Wrapper):
    """``%anymagic [lsmagic [-v]]`` and ``%anymagic NAME ARGS`` / ``%%anymagic NAME ARGS``."""

    def __init__(self, adapter: IPythonAdapter, kind: str) -> None:
        super().__init__(adapter, kind, CONTROL)

    @property
    def __doc__(self) -> str:  # type: ignore[override]
        return (
            "anymagic's magics here: `%anymagic` lists them and which of IPython's own win; "
            "`%anymagic NAME ARGS` runs anymagic's %NAME (also one IPython keeps); "
            "`%%anymagic NAME ARGS` runs anymagic's cell magic %%NAME on the cell."
        )

    def __call__(self, line: str, cell: str | None = None, local_ns: Any = None) -> Any:
        name, _, rest = line.strip().partition(" ")
        session = self.adapter.session
        if self.kind == "cell":
            if not name:
                raise _ipython_usage("usage: %%anymagic NAME ARGS (a cell magic of anymagic)")
            return self.adapter.call(
                lambda: session.run_cell_magic(name, rest, cell or "", local_ns=local_ns)
            )
        if name in ("", "lsmagic"):
            self.adapter.call(lambda: session.run_line_magic("lsmagic", rest, local_ns=local_ns))
            self.adapter.host.write(self.adapter.report())
            return None
        return self.adapter.call(lambda: session.run_line_magic(name, rest, local_ns=local_ns))


def _ipython_usage(message: str) -> Exception:
    from IPython.core.error import UsageError as IPythonUsageError

    return IPythonUsageError(message)


def _label(key: tuple[str, str]) -> str:
    kind, name = key
    return ("%" if kind == "line" else "%%") + name


def _order(key: tuple[str, str]) -> tuple[str, str]:
    return key[1], key[0]


# -- the IPython extension hooks ----------------------------------------------------------------
def load_ipython_extension(ip: Any, module: str = __name__) -> None:
    """``%load_ext anymagic`` (or ``c.InteractiveShellApp.extensions = ['anymagic']``)."""
    adapter = _adapters.get(ip)
    if adapter is not None:
        sys.stdout.write(
            "The anymagic extension is already loaded. To reload it, use:\n"
            f"  %reload_ext {adapter.module}\n"
        )
        return
    _adapters[ip] = IPythonAdapter(ip)
    _adapters[ip].module = module


def unload_ipython_extension(ip: Any, module: str = __name__) -> None:
    """``%unload_ext anymagic``: remove every magic, event and setting anymagic added."""
    adapter = _adapters.get(ip)
    if adapter is not None and adapter.module == module:  # not the name that said "already"
        del _adapters[ip]
        adapter.close()


def adapter_for(ip: Any) -> IPythonAdapter | None:
    """The loaded anymagic of an IPython shell (None when ``%load_ext anymagic`` did not run)."""
    return _adapters.get(ip)
