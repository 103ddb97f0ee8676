"""Shell aliases: ``%alias``, ``%unalias``, ``%rehashx`` (IPython's semantics).

Each alias is a line magic, so ``%ls -a`` and, with automagic, ``ls -a`` run it.  The
table is ``session.alias_table`` (a plain ``{name: command}`` dict, so ``%store`` can keep
it); ``session.alias_manager`` is this group, with IPython's ``define_alias``,
``undefine_alias``, ``is_alias``, ``retrieve_alias`` and ``aliases``.
"""

from __future__ import annotations

import builtins
import keyword
import os
import re
import shlex
import sys
from typing import Any

from anymagic.registry.decorators import line_magic, magics_class, no_var_expand
from anymagic.registry.errors import UsageError
from anymagic.registry.magics import Magics

PROVIDER = "alias"
_SPEC = re.compile(r"%%([sl])|%([sl])")
ALIAS_USAGE = "usage: %alias [NAME COMMAND]  (COMMAND may use %s once per argument, or %l)"


def default_aliases() -> list[tuple[str, str]]:
    """IPython's default aliases for this platform (safe in a kernel: no pagers)."""
    if os.name != "posix":
        if os.name == "nt":
            return [
                ("ls", "dir /on"),
                ("ddir", "dir /ad /on"),
                ("ldir", "dir /ad /on"),
                ("mkdir", "mkdir"),
                ("rmdir", "rmdir"),
                ("echo", "echo"),
                ("ren", "ren"),
                ("copy", "copy"),
            ]
        return []
    common = [(name, name) for name in ("mkdir", "rmdir", "mv", "rm", "cp", "cat")]
    if sys.platform.startswith("linux"):
        ls, long = "ls -F --color", "ls -F -o --color"
    elif sys.platform.startswith(("openbsd", "netbsd")):
        ls, long = "ls -F", "ls -F -l"
    else:  # macOS and the other BSDs
        ls, long = "ls -F -G", "ls -F -l -G"
    return common + [
        ("ls", ls),
        ("ll", long),
        ("lf", f"{long} %l | grep ^-"),  # plain files
        ("lk", f"{long} %l | grep ^l"),  # symbolic links
        ("ldir", f"{long} %l | grep /$"),  # directories
        ("lx", f"{long} %l | grep ^-..x"),  # executables
    ]


def count_args(cmd: str) -> int:
    """How many ``%s`` an alias command takes; ``%s`` and ``%l`` together are an error."""
    found = [m.group(2) for m in _SPEC.finditer(cmd) if m.group(2)]
    if "s" in found and "l" in found:
        raise UsageError("%alias: %s and %l cannot be used together in one alias")
    return found.count("s")


def _split(rest: str, name: str) -> list[str]:
    """Words of an alias call; quoted words stay whole (and keep their quotes)."""
    lexer = shlex.shlex(rest, posix=False, punctuation_chars=False)
    lexer.whitespace_split = True
    try:
        return list(lexer)
    except ValueError as exc:
        raise UsageError(f"{name}: {str(exc).lower()} in: {rest}") from None


class Alias:
    """One alias: a line magic that runs a shell command through ``session.system``."""

    def __init__(self, shell: Any, name: str, cmd: str) -> None:
        self.shell = shell
        self.name = name
        self.cmd = cmd
        self.nargs = count_args(cmd)
        self.__doc__ = f"Alias for `!{cmd}`"

    def __repr__(self) -> str:
        return f"<alias {self.name} for {self.cmd!r}>"

    def command(self, rest: str = "") -> str:
        """The shell command for ``%name rest`` (``rest`` is already ``$``-expanded)."""
        from anymagic.registry.expansion import expand

        template = expand(self.cmd, self.shell.user_ns)  # $name in the alias: at call time
        rest = rest.strip()
        args = _split(rest, self.name) if self.nargs else []
        if len(args) < self.nargs:
            raise UsageError(
                f"Alias <{self.name}> requires {self.nargs} arguments, got {len(args)} "
                f"(it runs: {self.cmd})"
            )
        used_line = False
        queue = list(args[: self.nargs])

        def fill(match: re.Match[str]) -> str:
            nonlocal used_line
            if match.group(1):  # %%s, %%l: a literal %s, %l
                return "%" + match.group(1)
            if match.group(2) == "l":
                used_line = True
                return rest
            return queue.pop(0)

        cmd = _SPEC.sub(fill, template)
        extra = "" if used_line else " ".join(args[self.nargs :]) if self.nargs else rest
        return f"{cmd} {extra}".rstrip()

    def __call__(self, line: str = "") -> Any:
        status = self.shell.system(self.command(line))
        self.shell.user_ns["_exit_code"] = status


@magics_class
class AliasMagics(Magics):
    """Define shell commands as magics."""

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)
        table = getattr(shell, "alias_table", None)
        self.alias_table: dict[str, str] = table if isinstance(table, dict) else {}
        self._callers: dict[str, Alias] = {}
        if shell is None:
            return
        shell.alias_table = self.alias_table
        shell.alias_manager = self
        for name, cmd in list(self.alias_table.items()):  # e.g. restored before we loaded
            self.soft_define_alias(name, cmd)
        for name, cmd in default_aliases():
            if name not in self.alias_table:
                self.soft_define_alias(name, cmd)

    # -- IPython's AliasManager API ---------------------------------------------------------
    @property
    def aliases(self) -> list[tuple[str, str]]:
        return sorted(self.alias_table.items())

    def is_alias(self, name: str) -> bool:
        return name in self._callers

    def retrieve_alias(self, name: str) -> str:
        if name not in self.alias_table:
            raise ValueError(f"{name} is not an alias")
        return self.alias_table[name]

    def check_name(self, name: str) -> None:
        """Refuse names that are not identifiers, keywords, or other (non-alias) magics."""
        if not name.isidentifier():
            raise UsageError(f"%alias: invalid alias name {name!r}: use a Python identifier")
        if keyword.iskeyword(name) or keyword.issoftkeyword(name):
            raise UsageError(f"%alias: {name!r} is a Python keyword and cannot be an alias")
        if name in self.shell.registry and not self.is_alias(name) and not self._ours(name):
            raise UsageError(f"%alias: %{name} is a magic; an alias cannot replace it")

    def _ours(self, name: str) -> bool:
        """Whether ``name`` is an entry point of this group not bound yet (a default alias)."""
        plugin = self.shell.registry.plugin_for(name)
        cls = type(self)
        return (
            plugin is not None
            and plugin.value == f"{cls.__module__}:{cls.__qualname__}"
            and name not in cls.magics["line"]
        )

    def define_alias(self, name: str, cmd: str) -> None:
        """Define (or redefine) an alias; a bad name or command is a UsageError."""
        self.check_name(name)
        caller = Alias(self.shell, name, cmd)
        self._unbind(name)
        self.shell.registry.register("line", name, caller, PROVIDER, owner=f"alias:{name}")
        self._callers[name] = caller
        self.alias_table[name] = cmd

    def soft_define_alias(self, name: str, cmd: str) -> bool:
        """:meth:`define_alias`, reporting a problem instead of raising; whether it worked."""
        try:
            self.define_alias(name, cmd)
        except UsageError as exc:
            self.shell.write(f"anymagic: alias {name} not defined: {exc}\n", "stderr")
            return False
        return True

    def undefine_alias(self, name: str) -> None:
        if not self.is_alias(name):
            raise ValueError(f"{name} is not an alias")
        self._unbind(name)
        del self._callers[name]
        self.alias_table.pop(name, None)

    def _unbind(self, name: str) -> None:
        self.shell.registry.unregister_owner(f"alias:{name}")

    # -- magics -----------------------------------------------------------------------------
    @no_var_expand  # kept as typed: $name in COMMAND is expanded each time the alias runs
    @line_magic
    def alias(self, line: str) -> list[tuple[str, str]] | None:
        """Define an alias for a shell command: `%alias NAME COMMAND`.

        Then `%NAME args` (or `NAME args` with automagic) runs `COMMAND args`.  In COMMAND,
        `%s` takes one argument each (`%alias parts echo first %s second %s`), `%l` the whole
        line (`%alias bracket echo "<%l>"`); `%%s` is a literal `%s`.  `$name` and `{expr}`
        are expanded as in `!cmd`, in the arguments and in COMMAND, when the alias runs (`$$`
        is a literal `$`).  `%alias` alone lists the aliases; `%alias NAME` shows one.
        Aliases last for the session; `%store` can keep the table.
        """
        line = line.strip()
        if not line:
            self.shell.write(f"Total number of aliases: {len(self.alias_table)}\n")
            return self.aliases
        name, _, cmd = line.partition(" ")
        cmd = cmd.strip()
        if not cmd:
            if self.is_alias(name):
                self.shell.write(f"{name} is an alias for: {self.alias_table[name]}\n")
                return None
            raise UsageError(f"%alias: no alias named {name!r}; to define one", ALIAS_USAGE)
        count_args(cmd)
        self.define_alias(name, cmd)
        return None

    @line_magic
    def unalias(self, line: str) -> None:
        """Remove an alias: `%unalias NAME`."""
        names = line.split()
        if len(names) != 1:
            raise UsageError("%unalias: one alias NAME is required", "usage: %unalias NAME")
        try:
            self.undefine_alias(names[0])
        except ValueError:
            raise UsageError(f"%unalias: no alias named {names[0]!r} (%alias lists them)") from None

    def complete_unalias(self, token: str, line: str) -> list[str]:
        """Alias names, for `%unalias <tab>`."""
        return sorted(name for name in self.alias_table if name.startswith(token))

    @line_magic
    def rehashx(self, line: str) -> None:
        """Make an alias of every executable on `PATH` (earlier folders win).

        Existing aliases stay; names that are Python keywords, builtins or other magics are
        skipped, dots are dropped from names (`python3.11` becomes `python311`), and names
        that are still not identifiers (`apt-get`) are skipped.
        """
        if line.strip():
            raise UsageError("%rehashx takes no arguments", "usage: %rehashx")
        registry = self.shell.registry
        for folder in os.environ.get("PATH", "").split(os.pathsep):
            folder = os.path.abspath(os.path.expanduser(folder)) if folder else ""
            if not folder:
                continue
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for entry in sorted(entries, key=lambda e: e.name):
                name = entry.name.replace(".", "")
                if (
                    name in self.alias_table
                    or not name.isidentifier()
                    or keyword.iskeyword(name)
                    or keyword.issoftkeyword(name)
                    or hasattr(builtins, name)
                    or name in registry
                ):
                    continue
                try:
                    if not (entry.is_file() and os.access(entry.path, os.X_OK)):
                        continue
                except OSError:
                    continue
                self.define_alias(name, entry.name)
