"""``%load_ext`` bookkeeping: load, unload and reload extensions, tracking what each adds.

An extension is a module with ``load_extension(host)`` (or IPython's
``load_ipython_extension(ip)``) and optionally ``unload_extension(host)``.  It can be named
by module or by its ``anymagic.extensions`` entry-point name.  Everything an extension
registers through the session while its hook runs (magics, events, input transformers) is
recorded, so unloading removes it all whether or not the extension cleans up after itself.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .errors import PluginError, UsageError

if TYPE_CHECKING:
    from .session import Session

LOAD_HOOKS = ("load_extension", "load_ipython_extension")
UNLOAD_HOOKS = ("unload_extension", "unload_ipython_extension")


class ExtensionManager:
    """Loaded extensions of one session, and the undo list for each."""

    #: Builds what an IPython-only extension (``load_ipython_extension(ip)``) is given: an
    #: IPython-like shell over the session.  A higher layer sets it (the anymagic hosts use
    #: ``anymagic.extensions.ipython_compat.shell_for``); None passes the session itself.
    ipython_shell_factory: Callable[[Session], Any] | None = None

    def __init__(self, session: Session, entry_points: dict[str, str]) -> None:
        self.session = session
        self.entry_points = entry_points  # entry name -> module (never imported to list)
        self.loaded: dict[str, ModuleType] = {}  # module name -> module
        self._shells: dict[str, Any] = {}  # module name -> what its IPython hooks were given
        self.aliases: dict[str, str] = {}  # other loadable names, not listed ("autoreload")
        self._undo: dict[str, list[Callable[[], None]]] = {}
        self.current: str | None = None  # extension whose hook is running

    def resolve(self, name: str) -> str:
        """Module name for an entry-point name or a module name."""
        return self.entry_points.get(name) or self.aliases.get(name, name)

    def available(self) -> list[str]:
        """Extension names known from entry points (imports nothing)."""
        return sorted(self.entry_points)

    def on_undo(self, action: Callable[[], None]) -> None:
        """Record how to undo a registration made by the extension now loading."""
        if self.current is not None:
            self._undo.setdefault(self.current, []).append(action)

    def load(self, name: str) -> str:
        """Load an extension; returns ``"already loaded"`` or ``"loaded"``."""
        module_name = self.resolve(name.strip())
        if not module_name:
            raise UsageError("%load_ext: missing extension name", "usage: %load_ext NAME")
        if module_name in self.loaded:
            return "already loaded"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
                if module_name != name.strip() and module_name != exc.name:
                    raise UsageError(  # a known name whose package is missing
                        f"The {name} extension is {module_name}, and {exc.name} is not installed."
                    ) from None
                raise UsageError(f"No module or extension named {name!r}.") from None
            raise PluginError(f"extension {name!r}", exc) from exc
        except Exception as exc:
            raise PluginError(f"extension {name!r}", exc) from exc
        hook = _hook(module, LOAD_HOOKS)
        if hook is None:
            raise UsageError(f"{module_name} is not an extension: it has no load_extension(host).")
        self._run_hook(module, module_name, hook)
        self.loaded[module_name] = module
        return "loaded"

    def _target(self, module: ModuleType, module_name: str) -> Any:
        """The session, or for IPython-only extensions the factory's IPython-like shell."""
        if _hook(module, LOAD_HOOKS[:1]) is not None:  # an anymagic extension
            return self.session
        if module_name not in self._shells:
            factory = self.ipython_shell_factory
            self._shells[module_name] = self.session if factory is None else factory(self.session)
        return self._shells[module_name]

    def _run_hook(self, module: ModuleType, module_name: str, hook: Callable[[Any], Any]) -> None:
        previous, self.current = self.current, module_name
        before = self._callbacks()
        try:
            hook(self._target(module, module_name))
        except Exception as exc:
            self.current = previous
            self._shells.pop(module_name, None)
            self._track_events(module_name, before)
            self._rollback(module_name)
            raise PluginError(f"extension {module_name!r}", exc) from exc
        finally:
            self.current = previous
        self._track_events(module_name, before)

    def _callbacks(self) -> dict[str, list[Callable[..., Any]]]:
        callbacks = getattr(self.session.events, "callbacks", None)
        return {event: list(fns) for event, fns in (callbacks or {}).items()}

    def _track_events(self, module_name: str, before: dict[str, list[Callable[..., Any]]]) -> None:
        """Also undo callbacks the hook put straight on ``host.events`` (IPython style)."""
        events = self.session.events
        for event, fns in self._callbacks().items():
            for fn in fns:
                if fn not in before.get(event, ()):
                    undo = self._undo.setdefault(module_name, [])
                    undo.append(lambda event=event, fn=fn: events.unregister(event, fn))

    def _rollback(self, module_name: str) -> None:
        for action in reversed(self._undo.pop(module_name, [])):
            try:
                action()
            except Exception:  # noqa: BLE001 - undo is best effort, and already gone is fine
                pass

    def unload(self, name: str) -> str:
        """Unload an extension: its hook runs, then everything it registered is removed."""
        module_name = self.resolve(name.strip())
        module = self.loaded.pop(module_name, None)
        if module is None:
            raise UsageError(f"The {name} extension is not loaded.")
        hook = _hook(module, UNLOAD_HOOKS)
        error: Exception | None = None
        if hook is not None:
            previous, self.current = self.current, module_name
            try:
                hook(self._target(module, module_name))
            except Exception as exc:  # still remove what it registered
                error = exc
            finally:
                self.current = previous
        self._shells.pop(module_name, None)
        self._rollback(module_name)
        if error is not None:
            raise PluginError(f"extension {module_name!r} (unload)", error) from error
        return "unloaded"

    def reload(self, name: str) -> str:
        """Unload (if loaded), re-import the module, and load it again."""
        module_name = self.resolve(name.strip())
        if module_name in self.loaded:
            self.unload(module_name)
        module = sys.modules.get(module_name)
        if module is not None:
            try:
                importlib.reload(module)
            except Exception as exc:
                raise PluginError(f"extension {name!r}", exc) from exc
        return self.load(module_name)


def _hook(module: ModuleType, names: tuple[str, ...]) -> Callable[[Any], Any] | None:
    for hook_name in names:
        hook = getattr(module, hook_name, None)
        if callable(hook):
            return hook
    return None
