"""``%load_ext``, ``%unload_ext``, ``%reload_ext``: extensions by module or entry-point name."""

from __future__ import annotations

from anymagic.registry.decorators import line_magic, magics_class
from anymagic.registry.errors import UsageError
from anymagic.registry.magics import Magics


def _one_name(magic: str, line: str) -> str:
    names = line.split()
    if len(names) != 1:
        raise UsageError(f"%{magic}: expected one extension name", f"usage: %{magic} NAME")
    return names[0]


@magics_class
class ExtensionMagics(Magics):
    """Load, unload and reload extensions."""

    @line_magic
    def load_ext(self, line: str) -> None:
        """Load an extension by module or entry-point name: `%load_ext NAME`.

        Without a name, list the extensions installed packages offer (none is imported).
        """
        manager = self.shell.extensions
        if not line.strip():
            available = manager.available()
            loaded = sorted(manager.loaded)
            self.shell.write(
                "Installed extensions: " + (", ".join(available) or "(none)") + "\n"
                "Loaded: " + (", ".join(loaded) or "(none)") + "\n"
            )
            return
        name = _one_name("load_ext", line)
        if manager.load(name) == "already loaded":
            self.shell.write(
                f"The {name} extension is already loaded. "
                f"To reload it, use:\n  %reload_ext {name}\n"
            )

    @line_magic
    def unload_ext(self, line: str) -> None:
        """Unload an extension and everything it registered: `%unload_ext NAME`."""
        self.shell.extensions.unload(_one_name("unload_ext", line))

    @line_magic
    def reload_ext(self, line: str) -> None:
        """Unload, re-import and load an extension again: `%reload_ext NAME`."""
        self.shell.extensions.reload(_one_name("reload_ext", line))
