"""``%config``: show and set configurable options at run time."""

from __future__ import annotations

import re
from typing import Any

from anymagic.registry.config import options_class
from anymagic.registry.decorators import line_magic, magics_class
from anymagic.registry.errors import UsageError
from anymagic.registry.magics import Magics

_SETTING = re.compile(r"^\s*([A-Za-z_]\w*)(?:\.([A-Za-z_]\w*))?\s*(?:=\s*(.*?))?\s*$", re.S)
USAGE = "usage: %config [Class[.trait[ = value]]]"


@magics_class
class ConfigMagics(Magics):
    """Configuration of the session and of every loaded magics group."""

    def _configurables(self) -> dict[str, Any]:
        session = self.shell
        objects: dict[str, Any] = {}
        if getattr(session, "_options_object", None) is None:
            cls = options_class()
            session._options_object = cls(
                **{k: v for k, v in session.options.items() if k in cls.class_trait_names()}
            )
            session._options_object.observe(self._apply_session_option)
        objects["Anymagic"] = session._options_object
        for group in session.registry.groups():
            objects[type(group).__name__] = group
        return objects

    def _import_group(self, cls_name: str) -> dict[str, Any] | None:
        registry = self.shell.registry
        for plugin in list(registry.plugins.values()):
            if plugin.value.rpartition(":")[2].strip() == cls_name:
                registry.load_plugin(plugin)
                return self._configurables()
        return None

    def _apply_session_option(self, change: Any) -> None:
        self.shell.options[change["name"]] = change["new"]
        if change["name"] == "automagic":
            self.shell.syntax.automagic = bool(change["new"])

    @line_magic("config")
    def config_magic(self, line: str) -> None:  # not `config`: that is the Configurable's trait
        """Show or set options: `%config`, `%config Class`, `%config Class.trait = value`.

        Without arguments, list the configurable objects; with a class, show its options,
        their current values and help; with an assignment, set one (the value is a Python
        expression evaluated in the user namespace). Settings last for this session; put
        them in anymagic_config.py in the data directory to keep them.
        """
        match = _SETTING.match(line)
        objects = self._configurables()
        if not line.strip():
            names = "\n".join(f"    {name}" for name in sorted(objects))
            self.shell.write(f"Available objects for config:\n{names}\n")
            return
        if match is None:
            raise UsageError(f"%config: cannot read {line.strip()!r}", USAGE)
        cls_name, trait, value_text = match.groups()
        if cls_name not in objects:  # a group not imported yet: import it by its class name
            objects = self._import_group(cls_name) or objects
        target = objects.get(cls_name)
        if target is None:
            raise UsageError(f"%config: no configurable named {cls_name!r} (try %config)", USAGE)
        if trait is None:
            if value_text is not None:
                raise UsageError("%config: give Class.trait = value", USAGE)
            self.shell.write(self._describe(cls_name, target))
            return
        traits = target.traits(config=True)
        if trait not in traits:
            raise UsageError(
                f"%config: {cls_name} has no option {trait!r}; "
                f"options: {', '.join(sorted(traits))}",
                USAGE,
            )
        if value_text is None:
            self.shell.write(f"{cls_name}.{trait} = {getattr(target, trait)!r}\n")
            return
        try:
            value = eval(value_text, self.shell.user_ns)  # noqa: S307 - IPython's semantics
        except Exception as exc:
            raise UsageError(
                f"%config: cannot evaluate {value_text!r}: {type(exc).__name__}: {exc}"
            ) from None
        try:
            setattr(target, trait, value)
        except Exception as exc:  # traitlets.TraitError: nothing is changed
            raise UsageError(f"%config: {cls_name}.{trait}: {exc}") from None
        self._remember(cls_name, trait, getattr(target, trait))

    def _remember(self, cls_name: str, trait: str, value: Any) -> None:
        """Record the setting in the session's config, so groups loaded later get it too."""
        from traitlets.config.loader import Config

        session = self.shell
        if session.config is None:
            session.config = Config()
        session.config[cls_name][trait] = value

    @staticmethod
    def _describe(cls_name: str, target: Any) -> str:
        lines = [f"{cls_name}({type(target).__mro__[1].__name__}) options", "-" * 40]
        for name, trait in sorted(target.traits(config=True).items()):
            lines.append(f"{cls_name}.{name}=<{type(trait).__name__}>")
            lines.append(f"    Current: {getattr(target, name)!r}")
            if trait.help:
                lines.extend("    " + part for part in trait.help.splitlines())
        return "\n".join(lines) + "\n"
