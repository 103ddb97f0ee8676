"""Discovery and syntax help: ``%lsmagic``, ``%magic``, ``%automagic``."""

from __future__ import annotations

from anymagic.registry.arguments import argument, magic_arguments, parse_argstring
from anymagic.registry.decorators import line_magic, magics_class
from anymagic.registry.errors import UsageError
from anymagic.registry.magics import Magics

SYNTAX = """\
anymagic: IPython-style magics in any Python shell or kernel.

  %name args        run a line magic (also inside blocks, and as `x = %name args`)
  %%name args       as a cell's first line: run a cell magic on the rest of the cell
  name args         automagic: a line magic without `%`, when `name` is not a variable
  !cmd              run a shell command;  x = !cmd  or  !!cmd  capture its output lines
  $name, {expr}     in magic and shell lines, replaced by their value ($$ is a literal $)
  name?  name??     help on an object (?? adds the source); %name? for a magic
  a*b?              search names with wildcards (%psearch)
  >>> / In [1]:     pasted prompts are stripped (a pasted doctest runs as-is)

%lsmagic lists every magic by the package that provides it (-v: where each comes
from, and any plugin that failed to load).  %load_ext NAME loads an extension.
"""


@magics_class
class BasicMagics(Magics):
    """Listing magics and explaining the syntax."""

    @magic_arguments()
    @argument(
        "-v",
        "--verbose",
        action="store_true",
        help="show where each magic comes from, load errors and conflicts",
    )
    @line_magic
    def lsmagic(self, line: str) -> None:
        """List the line and cell magics, grouped by the package that provides them."""
        args = parse_argstring(self.lsmagic, line)
        registry = self.shell.registry
        errors = registry.load_all()
        out: list[str] = []
        for kind, prefix in (("line", "%"), ("cell", "%%")):
            by_provider: dict[str, list[str]] = {}
            bindings = registry.loaded_names(kind)
            for name, binding in sorted(bindings.items()):
                by_provider.setdefault(binding.provider, []).append(name)
            out.append(f"Available {kind} magics:")
            for provider in sorted(by_provider, key=lambda p: (p != "anymagic", p)):
                names = "  ".join(prefix + n for n in by_provider[provider])
                out.append(f"  {provider}: {names}")
            if args.verbose:
                for name, binding in sorted(bindings.items()):
                    out.append(f"    {prefix}{name:<20} {binding.source}")
            out.append("")
        state = (
            "ON, % prefix IS NOT needed"
            if self.shell.syntax.automagic
            else "OFF, % prefix IS needed"
        )
        out.append(f"Automagic is {state} for line magics.")
        if args.verbose:
            for name, providers in sorted(registry.conflicts.items()):
                out.append(f"Conflict: %{name} claimed by {', '.join(providers)} (first wins)")
            for plugin in registry.plugins.values():
                if plugin.error:
                    out.append(f"Failed to load {plugin.dist} ({plugin.value}): {plugin.error}")
            for ep in registry.disabled:
                out.append(f"Disabled: {ep.dist} ({ep.name} = {ep.value})")
            extensions = self.shell.extensions.available()
            if extensions:
                out.append("Extensions (%load_ext NAME): " + ", ".join(extensions))
        elif errors:
            out.append(
                f"{len(errors)} plugin(s) failed to load: {', '.join(sorted(errors))} (%lsmagic -v)"
            )
        self.shell.write("\n".join(out) + "\n")

    @line_magic
    def magic(self, line: str) -> None:
        """Explain anymagic's input syntax."""
        self.shell.write(SYNTAX)

    @line_magic
    def automagic(self, line: str) -> None:
        """Switch automagic (line magics without `%`): `%automagic [on|off]`; none toggles."""
        arg = line.strip().lower()
        syntax = self.shell.syntax
        if arg in ("", "toggle"):
            syntax.automagic = not syntax.automagic
        elif arg in ("on", "1", "true"):
            syntax.automagic = True
        elif arg in ("off", "0", "false"):
            syntax.automagic = False
        else:
            raise UsageError(
                f"%automagic: expected on or off, got {line.strip()!r}",
                "usage: %automagic [on|off]",
            )
        self.shell.options["automagic"] = syntax.automagic
        self.shell.write(f"Automagic is {'ON' if syntax.automagic else 'OFF'}.\n")
