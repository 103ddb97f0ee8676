"""``%store``: keep variables between sessions, in IPython's own database format.

The database is a pickleshare directory (``autorestore/NAME``, one pickle per variable; see
:mod:`anymagic.registry.pickledb`), by default ``data_dir/db``.  Point
``StoreMagics.db_dir`` at IPython's ``profile_default/db`` and variables stored in IPython
restore here, and the other way round.  Every write is atomic.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from traitlets import Bool, Int, TraitError, Unicode, validate

from anymagic.registry.decorators import line_magic, magics_class
from anymagic.registry.errors import UsageError
from anymagic.registry.magics import Magics
from anymagic.registry.pickledb import PROTOCOL, PickleDB, StoreError, is_valid_name

USAGE = (
    "usage: %store [VAR ...] | %store -r [VAR ...] | %store -d VAR [VAR ...] | %store -z"
    " | %store VAR > FILE | %store VAR >> FILE"
)
_REDIRECT = re.compile(r"^(?P<target>[^>]*?)\s*(?P<op>>>?)\s*(?P<file>.*)$", re.S)
_MODES = {"d": "delete", "r": "restore", "z": "forget all"}


def _fail(message: str) -> UsageError:
    return UsageError(f"%store: {message}", USAGE)


@magics_class
class StoreMagics(Magics):
    """Lightweight persistence for Python variables (IPython-compatible database)."""

    #: The session starts this group at start-up when the config names it (see :meth:`start`).
    autostart = True

    autorestore = Bool(False, help="Restore every %store-d variable when a session starts.").tag(
        config=True
    )
    db_dir = Unicode(
        "",
        help="The pickleshare database folder (default: DATA_DIR/db). Set it to IPython's "
        "profile_default/db to share stored variables with IPython.",
    ).tag(config=True)
    pickle_protocol = Int(
        PROTOCOL,
        help="Pickle protocol of stored values (2 to 5). IPython reads all of them; 2 is "
        "what pickleshare writes, but it needs several times a large value's size in memory.",
    ).tag(config=True)

    @validate("pickle_protocol")
    def _check_protocol(self, proposal: Any) -> int:
        import pickle

        value = proposal["value"]
        if not 2 <= value <= pickle.HIGHEST_PROTOCOL:
            raise TraitError(f"pickle_protocol must be 2 to {pickle.HIGHEST_PROTOCOL}, not {value}")
        return value

    @property
    def db(self) -> PickleDB:
        """The database as configured now (``%config`` changes take effect at once)."""
        root = Path(self.db_dir).expanduser() if self.db_dir else Path(self.shell.data_dir) / "db"
        return PickleDB(root, self.pickle_protocol)

    # -- start-up ---------------------------------------------------------------------------
    def start(self) -> None:
        """Run at session start-up: restore every stored variable if ``autorestore`` is set.

        Never raises: a refused or unreadable database is reported on stderr.
        """
        if not self.autorestore:
            return
        try:
            self.restore()
        except UsageError as exc:
            self.shell.write(f"{str(exc).splitlines()[0]} (autorestore skipped)\n", "stderr")

    # -- the magic ----------------------------------------------------------------------------
    @line_magic
    def store(self, line: str) -> None:
        """Lightweight persistence for Python variables.

        * ``%store``             list stored variables and a short repr of their values
        * ``%store spam bar``    store the *current* values of spam and bar
        * ``%store -r``          restore every stored variable (``-r spam bar``: just those)
        * ``%store -d spam``     forget spam
        * ``%store -z``          forget every stored variable
        * ``%store spam > a.txt``  write ``str(spam)`` to a.txt (``>>`` appends)

        Values are pickled into a pickleshare database, IPython's format
        (``StoreMagics.db_dir``, default DATA_DIR/db); every write is atomic.  With
        ``c.StoreMagics.autorestore = True`` stored variables come back at start-up.
        Store a variable again after changing it.  Instances of classes defined
        interactively cannot be stored (their class would not exist when restoring).
        """
        text = line.strip()
        if ">" in text and not text.startswith("-"):
            self._write_file(text)
            return
        flags, names = _split(text)
        if len(flags) > 1:
            raise _fail("use one of -d, -r, -z at a time")
        mode = flags.pop() if flags else None
        if mode == "d":
            self.delete(names)
        elif mode == "z":
            if names:
                raise _fail("-z takes no names (it forgets every stored variable)")
            self._call(self.db.clear)
        elif mode == "r":
            self.restore(names or None)
        elif not names:
            self.list()
        else:
            self.save(names)

    # -- the actions ----------------------------------------------------------------------------
    def save(self, names: list[str]) -> None:
        """Store variables from the user namespace: all of them, or (on any error) none."""
        ns = self.shell.user_ns
        items = []
        aliases = {name: self._alias(name) for name in names if name not in ns}
        for name, command in aliases.items():  # IPython: a name that is an alias stores it
            if command is None:
                raise _fail(f"unknown variable {name!r}")
        names = [name for name in names if name not in aliases]
        for name in names:
            if not is_valid_name(name) or name not in ns:
                raise _fail(f"unknown variable {name!r}")
            value = ns[name]
            if _defined_interactively(value):
                raise _fail(
                    f"cannot store {name!r}: {_kind(value)} is defined in this session "
                    "(__main__) and would not exist when restoring; define it in a module"
                )
            items.append((name, value))
        if items:
            self._call(self.db.save, items)
        for name, value in items:
            self.shell.write(f"Stored {name!r} ({type(value).__name__})\n")
        if aliases:
            table = self._call(self.db.load_aliases)
            table.update(aliases)
            self._call(self.db.save_aliases, table)
            for name, command in aliases.items():
                self.shell.write(f"Alias stored: {name} ({command})\n")

    def _alias_manager(self) -> Any:
        """The session's alias manager (importing the alias group if needed), or None."""
        if getattr(self.shell, "alias_manager", None) is None:
            try:
                self.shell.find_magic("alias")  # loading the alias group sets alias_manager
            except Exception:  # noqa: BLE001 - no alias group: no aliases
                return None
        return getattr(self.shell, "alias_manager", None)

    def _alias(self, name: str) -> str | None:
        """The command of alias ``name``, or None."""
        manager = self._alias_manager()
        if manager is None or not manager.is_alias(name):
            return None
        return manager.retrieve_alias(name)

    def restore(self, names: list[str] | None = None) -> list[str]:
        """Restore all or some variables; entries that fail are named in a warning.

        Returns the names restored.
        """
        db = self.db
        self._call(db.check_trusted)
        stored = self._call(db.names)
        if names is None:
            names = stored
        else:
            known = set(stored)
            for name in names:
                if name not in known:
                    raise _fail(f"no stored variable {name!r}")
        if names is stored:  # everything: the stored aliases come back too (as in IPython)
            self._restore_aliases(db)
        ns = self.shell.user_ns
        restored = []
        for name in names:
            try:
                ns[name] = db.load(name)
            except KeyError:  # removed by another process since the listing
                self._warn(name, "it was deleted meanwhile")
            except StoreError as exc:
                self._warn(name, str(exc))
            else:
                restored.append(name)
        return restored

    def _restore_aliases(self, db: PickleDB) -> None:
        try:
            table = db.load_aliases()
        except StoreError as exc:
            self._warn("stored_aliases", str(exc))
            return
        manager = self._alias_manager() if table else None
        if manager is None:
            return
        for name, command in table.items():
            try:
                manager.define_alias(name, command)
            except Exception as exc:  # noqa: BLE001 - one bad alias must not stop the rest
                self._warn(f"alias {name}", str(exc).splitlines()[0])

    def delete(self, names: list[str]) -> None:
        """Forget variables; every name must be stored (else nothing is removed)."""
        if not names:
            raise _fail("-d needs the name of a variable to forget")
        db = self.db
        stored = set(self._call(db.names))
        for name in names:
            if name not in stored:
                raise _fail(f"no stored variable {name!r}")
        for name in names:
            try:
                self._call(db.delete, name)
            except KeyError:  # another process forgot it first: same outcome
                pass

    def list(self) -> None:
        """Show stored variables with the first 50 characters of their values' repr."""
        db = self.db
        names = self._call(db.names)
        if not names:
            self.shell.write("No stored variables.\n")
            return
        self._call(db.check_trusted)
        width = max(map(len, names))
        out = ["Stored variables and their in-db values:"]
        for name in names:
            try:
                shown = _short_repr(db.load(name))
            except KeyError:
                continue
            except StoreError as exc:
                shown = f"<unavailable: {exc}>"
            out.append(f"{name:<{width}} -> {shown}")
        self.shell.write("\n".join(out) + "\n")

    def _write_file(self, text: str) -> None:
        """``%store VAR > FILE`` / ``>> FILE``: write (or append) ``str(value)``."""
        match = _REDIRECT.match(text)
        if match is None or not match.group("target") or ">" in match.group("file"):
            raise _fail(f"cannot read {text!r}")
        target, op, filename = match.group("target"), match.group("op"), match.group("file").strip()
        if not filename:
            raise _fail(f"a file name must follow {op}")
        if len(filename) > 1 and filename[0] == filename[-1] and filename[0] in "'\"":
            filename = filename[1:-1]
        value = self._evaluate(target)
        try:
            content = value if isinstance(value, str) else str(value)
        except Exception as exc:
            raise _fail(f"str({target}) failed: {type(exc).__name__}: {exc}") from None
        if not content.endswith("\n"):
            content += "\n"
        path = os.path.expanduser(filename)
        parent = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(parent):
            raise _fail(f"cannot write {filename!r}: no such directory {parent}")
        if os.path.isdir(path):
            raise _fail(f"cannot write {filename!r}: it is a directory")
        try:
            with open(path, "a" if op == ">>" else "w", encoding="utf-8") as handle:
                handle.write(content)
        except OSError as exc:
            raise _fail(f"cannot write {filename!r}: {exc.strerror or exc}") from None
        action = "Appending" if op == ">>" else "Writing"
        self.shell.write(f"{action} {target!r} ({type(value).__name__}) to file {filename!r}.\n")

    # -- helpers -------------------------------------------------------------------------------
    def _evaluate(self, target: str) -> Any:
        ns = self.shell.user_ns
        if is_valid_name(target):
            if target not in ns:
                raise _fail(f"unknown variable {target!r}")
            return ns[target]
        try:
            return eval(target, ns)  # noqa: S307 - IPython evaluates the expression too
        except Exception as exc:
            raise _fail(f"cannot evaluate {target!r}: {type(exc).__name__}: {exc}") from None

    def _warn(self, name: str, why: str) -> None:
        self.shell.write(
            f"%store: could not restore {name!r}: {why} "
            f"(other variables were restored; %store -d {name} forgets it)\n",
            "stderr",
        )

    @staticmethod
    def _call(func: Any, *args: Any) -> Any:
        try:
            return func(*args)
        except StoreError as exc:
            raise _fail(str(exc)) from None


def _split(text: str) -> tuple[set[str], list[str]]:
    """Flags (letters of -d/-r/-z) and names; unknown options are a UsageError."""
    flags: set[str] = set()
    names: list[str] = []
    for token in text.split():
        if token.startswith("-") and len(token) > 1:
            if token.startswith("--"):
                raise _fail(f"unknown option {token}")
            for letter in token[1:]:
                if letter not in _MODES:
                    raise _fail(f"unknown option -{letter}")
                flags.add(letter)
        else:
            names.append(token)
    return flags, names


def _defined_interactively(value: Any) -> bool:
    """Whether ``value`` (or its class) comes from the session's own ``__main__``."""
    try:
        module = value.__module__ if isinstance(value, type) else type(value).__module__
        if module != "__main__" and callable(value):
            module = getattr(value, "__module__", module)
    except Exception:  # noqa: BLE001 - exotic objects: let pickle decide
        return False
    return module == "__main__"


def _kind(value: Any) -> str:
    if isinstance(value, type):
        return f"class {value.__name__}"
    if callable(value) and hasattr(value, "__name__"):
        return f"function {value.__name__}"
    return f"its class {type(value).__name__}"


def _short_repr(value: Any) -> str:
    try:
        return repr(value)[:50]
    except Exception as exc:  # noqa: BLE001 - a user's repr may raise anything
        return f"<repr failed: {type(exc).__name__}>"


def autorestore(session: Any) -> None:
    """Start-up hook for hosts: restore stored variables if ``StoreMagics.autorestore``."""
    session.registry.group_instance(StoreMagics).start()
