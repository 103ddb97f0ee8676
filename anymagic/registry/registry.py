"""The registry: which function answers ``%name`` and ``%%name``, loaded lazily.

Three layers, highest first, per kind (line or cell) and name:
1. registrations made at run time (``register_magics``, extensions, the user), newest first;
2. entry points of the ``anymagic.magics`` group, imported on first use;
3. nothing: the name is unknown.

Knows no host and no concrete magic.  Conflicts between entry points resolve
deterministically (anymagic's own first, then distributions by name) and are recorded.
"""

from __future__ import annotations

import importlib
import traceback
from collections.abc import Callable, Iterable
from typing import Any

from .decorators import KINDS, magic_kinds
from .discovery import SELF, EntryPoint, is_enabled, normalize
from .errors import PluginError, UsageError

MagicFunc = Callable[..., Any]


class Binding:
    """One function bound to a magic name, with who provided it."""

    __slots__ = ("func", "provider", "source", "owner")

    def __init__(
        self, func: MagicFunc, provider: str, source: str, owner: str | None = None
    ) -> None:
        self.func = func
        self.provider = provider  # distribution, "extension:NAME", or "user"
        self.source = source  # "module:attr" for the docs and %lsmagic -v
        self.owner = owner  # extension whose unload removes it

    def __repr__(self) -> str:
        return f"Binding({self.source!r}, provider={self.provider!r}, owner={self.owner!r})"


class Plugin:
    """A lazily imported entry-point target (``module:attr``) and the names it claims."""

    __slots__ = ("value", "dist", "names", "loaded", "error")

    def __init__(self, value: str, dist: str) -> None:
        self.value = value
        self.dist = dist
        self.names: list[str] = []
        self.loaded = False
        self.error: str | None = None

    def __repr__(self) -> str:
        return f"Plugin({self.value!r}, dist={self.dist!r}, names={self.names!r})"


class MagicRegistry:
    """Line and cell magics by name, with lazy entry-point plugins beneath."""

    def __init__(self, make_group: Callable[[type], Any] | None = None) -> None:
        self._bindings: dict[str, dict[str, list[Binding]]] = {k: {} for k in KINDS}
        self._lazy: dict[str, Plugin] = {}  # magic name -> plugin not yet imported
        self.plugins: dict[str, Plugin] = {}  # "module:attr" -> plugin
        self.conflicts: dict[str, list[str]] = {}  # name -> providers, winner first
        self.disabled: list[EntryPoint] = []
        self._make_group = make_group or (lambda cls: cls())
        self._groups: dict[type, Any] = {}

    # -- entry points -------------------------------------------------------------------
    def add_entry_points(
        self,
        entry_points: Iterable[EntryPoint],
        disabled: Iterable[str] = (),
        autoload: bool = True,
    ) -> None:
        """Claim names for entry-point plugins without importing anything."""
        off = {normalize(name) for name in disabled}
        by_name: dict[str, list[EntryPoint]] = {}
        for ep in entry_points:
            if not is_enabled(ep, off, autoload):
                self.disabled.append(ep)
                continue
            by_name.setdefault(ep.name, []).append(ep)
        for name, claims in by_name.items():
            claims.sort(key=lambda ep: (ep.dist != SELF, normalize(ep.dist), ep.value))
            winner = claims[0]
            if len({(ep.dist, ep.value) for ep in claims}) > 1:
                self.conflicts[name] = [f"{ep.dist} ({ep.value})" for ep in claims]
            plugin = self.plugins.setdefault(winner.value, Plugin(winner.value, winner.dist))
            plugin.names.append(name)
            self._lazy[name] = plugin

    def load_plugin(self, plugin: Plugin) -> None:
        """Import a plugin now (PluginError on failure); a no-op once loaded."""
        self._load_plugin(plugin)

    def _load_plugin(self, plugin: Plugin) -> None:
        """Import a plugin and register what it provides; on failure record why."""
        if plugin.loaded or plugin.error:
            return
        module_name, _, attr = plugin.value.partition(":")
        try:
            module = importlib.import_module(module_name.strip())
            target: Any = module
            for part in filter(None, attr.strip().split(".")):
                target = getattr(target, part)
            self._register_target(target, plugin)
        except Exception as exc:  # a broken plugin is named and skipped
            plugin.error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            for name in plugin.names:
                self._lazy.pop(name, None)
            raise PluginError(f"{plugin.dist} ({plugin.value})", exc) from exc
        plugin.loaded = True
        for name in plugin.names:
            self._lazy.pop(name, None)

    def _register_target(self, target: Any, plugin: Plugin) -> None:
        claimed = set(plugin.names)
        if isinstance(target, type) and hasattr(target, "magics"):
            group = self.group_instance(target)
            for kind, table in group.magics.items():
                for name, func in table.items():
                    # names another plugin won stay with it; unclaimed extras come along
                    other = self._lazy.get(name)
                    if name in claimed or other is None or other is plugin:
                        self._bind(kind, name, Binding(func, plugin.dist, plugin.value), top=False)
            return
        if callable(target):
            kinds = magic_kinds(target) or {"line": plugin.names[0]}
            for kind in kinds:
                for name in plugin.names:
                    self._bind(kind, name, Binding(target, plugin.dist, plugin.value), top=False)
            return
        raise TypeError(f"{plugin.value} is neither a Magics class nor a function")

    def groups(self) -> list[Any]:
        """The Magics group instances created so far (imports nothing)."""
        return list(self._groups.values())

    def group_instance(self, cls: type) -> Any:
        """One shared instance per Magics class."""
        if cls not in self._groups:
            self._groups[cls] = self._make_group(cls)
        return self._groups[cls]

    def load_all(self) -> dict[str, str]:
        """Import every pending plugin (for %lsmagic, completion); returns load errors."""
        errors: dict[str, str] = {}
        for plugin in list(dict.fromkeys(self._lazy.values())):
            try:
                self._load_plugin(plugin)
            except PluginError as exc:
                errors[plugin.dist] = str(exc)
        return errors

    # -- run-time registration -----------------------------------------------------------
    def _bind(self, kind: str, name: str, binding: Binding, top: bool = True) -> None:
        stack = self._bindings[kind].setdefault(name, [])
        if top:
            stack.append(binding)
        else:
            stack.insert(0, binding)

    def register(
        self,
        kind: str,
        name: str,
        func: MagicFunc,
        provider: str = "user",
        owner: str | None = None,
    ) -> None:
        """Bind ``func`` as the ``kind`` magic ``name``; it shadows earlier bindings."""
        if kind not in KINDS:
            raise ValueError(f"magic kind must be 'line' or 'cell', not {kind!r}")
        if not name.replace(".", "").replace("_", "a").isalnum():
            raise ValueError(f"not a valid magic name: {name!r}")
        source = f"{getattr(func, '__module__', '?')}:{getattr(func, '__qualname__', name)}"
        self._bind(kind, name, Binding(func, provider, source, owner))

    def register_group(self, group: Any, provider: str = "user", owner: str | None = None) -> None:
        """Register every magic of a Magics instance."""
        for kind, table in group.magics.items():
            for name, func in table.items():
                self.register(kind, name, func, provider, owner)

    def unregister_owner(self, owner: str) -> int:
        """Remove every binding an extension made; earlier ones reappear. Returns the count."""
        removed = 0
        for table in self._bindings.values():
            for name in list(table):
                keep = [b for b in table[name] if b.owner != owner]
                removed += len(table[name]) - len(keep)
                if keep:
                    table[name] = keep
                else:
                    del table[name]
        return removed

    # -- look-up ----------------------------------------------------------------------------
    def find(self, kind: str, name: str) -> MagicFunc | None:
        """The function for ``%name`` (kind 'line') or ``%%name`` (kind 'cell'), or None."""
        binding = self.binding(kind, name)
        return binding.func if binding else None

    def binding(self, kind: str, name: str) -> Binding | None:
        stack = self._bindings[kind].get(name)
        if not stack and name in self._lazy:
            self._load_plugin(self._lazy[name])  # PluginError propagates: it names the plugin
            stack = self._bindings[kind].get(name)
        return stack[-1] if stack else None

    def __contains__(self, name: object) -> bool:
        """Whether ``name`` is a known magic of either kind (no import needed)."""
        return isinstance(name, str) and (
            name in self._lazy or any(name in table for table in self._bindings.values())
        )

    def names(self, kind: str | None = None) -> list[str]:
        """Known names, sorted; for a kind, pending plugins count since their kind is unknown."""
        names = set(self._lazy)
        for k, table in self._bindings.items():
            if kind in (None, k):
                names.update(table)
        return sorted(names)

    def loaded_names(self, kind: str) -> dict[str, Binding]:
        """Current bindings of a kind, by name (imports nothing)."""
        return {name: stack[-1] for name, stack in self._bindings[kind].items() if stack}

    def plugin_for(self, name: str) -> Plugin | None:
        return self._lazy.get(name)

    def require(self, kind: str, name: str) -> MagicFunc:
        """Like :meth:`find`, but an unknown name is a UsageError with a hint."""
        func = self.find(kind, name)
        if func is not None:
            return func
        other = "cell" if kind == "line" else "line"
        hint = ""
        if self.find(other, name) is not None:
            prefix = "%%" if other == "cell" else "%"
            hint = f" (there is a {other} magic: {prefix}{name})"
        label = "Line" if kind == "line" else "Cell"
        magic = f"{'%' if kind == 'line' else '%%'}{name}"
        for plugin in self.plugins.values():
            if plugin.error and name in plugin.names:  # say why, not just "not found"
                why = plugin.error.splitlines()[-1]
                raise UsageError(
                    f"{label} magic function `{magic}` is not available: "
                    f"plugin {plugin.dist} ({plugin.value}) failed to load: {why}"
                )
        raise UsageError(
            f"{label} magic function `{'%' if kind == 'line' else '%%'}{name}` not found{hint}."
        )
