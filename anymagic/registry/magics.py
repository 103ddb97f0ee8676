"""The :class:`Magics` base class: a configurable group of magics sharing state.

IPython's semantics: subclass, decorate methods with ``@line_magic`` / ``@cell_magic``,
decorate the class with ``@magics_class``; the group is built with ``shell=`` (here the
:class:`~anymagic.registry.session.Session`, which is a host) and the session's config,
so every trait declared ``.tag(config=True)`` is set by config files and ``%config``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from traitlets import Any as AnyTrait
from traitlets.config.configurable import Configurable

from .arguments import parse_argstring
from .errors import UsageError


class Magics(Configurable):
    """Base class for a group of magics; ``self.shell`` (alias ``self.host``) is the session."""

    magics: dict[str, dict[str, str]] = {"line": {}, "cell": {}}
    registered = False
    shell = AnyTrait(allow_none=True)

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        if shell is not None and "config" not in kwargs and getattr(shell, "config", None):
            kwargs["config"] = shell.config
        super().__init__(shell=shell, **kwargs)
        if not type(self).registered:
            raise TypeError(f"{type(self).__name__} must be decorated with @magics_class")
        # Bound methods, by kind and magic name: what the registry dispatches to.
        self.magics = {
            kind: {name: getattr(self, attr) for name, attr in table.items()}
            for kind, table in type(self).magics.items()
        }

    @property
    def host(self) -> Any:
        """The session this group runs in (it implements the host protocol)."""
        return self.shell

    def parse_options(
        self,
        arg_str: str,
        opt_str: str,
        *long_opts: str,
        mode: str = "string",
        list_all: bool = False,
    ) -> tuple[Any, Any]:
        """IPython's getopt-style parser, for ports of IPython magics.

        Returns ``(opts, args)`` where opts maps option letters to values; a bad option is
        a :class:`UsageError`.
        """
        import getopt

        from .arguments import split_args

        argv = split_args(arg_str)
        try:
            pairs, rest = getopt.getopt(argv, opt_str, list(long_opts))
        except getopt.GetoptError as exc:
            raise UsageError(
                f"{exc.msg}; options are {opt_str!r} {long_opts or ''}".strip()
            ) from None
        opts: dict[str, Any] = {}
        for key, value in pairs:
            key = key.lstrip("-")
            if list_all:
                opts.setdefault(key, []).append(value)
            elif key in opts and value:
                existing = opts[key]
                opts[key] = (existing if isinstance(existing, list) else [existing]) + [value]
            else:
                opts[key] = value
        args: Any = " ".join(rest) if mode == "string" else rest
        return _Struct(opts), args

    def arg_err(self, func: Callable[..., Any]) -> None:
        """Print a magic's docstring as its usage (IPython's helper)."""
        self.shell.write((func.__doc__ or "").strip() + "\n", "stderr")


class _Struct(dict):
    """A dict whose keys read as attributes, like IPython's ``Struct`` for options."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


__all__ = ["Magics", "parse_argstring"]
