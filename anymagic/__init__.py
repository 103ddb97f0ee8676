"""anymagic: IPython-style ``%magics`` and extensions for any Python shell or kernel.

Names are imported on first use, so ``import anymagic`` stays cheap::

    from anymagic import Magics, magics_class, line_magic, cell_magic
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    # writing magics
    "Magics": "anymagic.registry.magics",
    "magics_class": "anymagic.registry.decorators",
    "line_magic": "anymagic.registry.decorators",
    "cell_magic": "anymagic.registry.decorators",
    "line_cell_magic": "anymagic.registry.decorators",
    "register_line_magic": "anymagic.registry.decorators",
    "register_cell_magic": "anymagic.registry.decorators",
    "register_line_cell_magic": "anymagic.registry.decorators",
    "needs_local_scope": "anymagic.registry.decorators",
    "no_var_expand": "anymagic.registry.decorators",
    "magic_arguments": "anymagic.registry.arguments",
    "argument": "anymagic.registry.arguments",
    "argument_group": "anymagic.registry.arguments",
    "parse_argstring": "anymagic.registry.arguments",
    "UsageError": "anymagic.registry.errors",
    # writing hosts
    "Host": "anymagic.registry.host",
    "BaseHost": "anymagic.registry.host",
    "Session": "anymagic.registry.session",
    "CellResult": "anymagic.registry.session",
    "Events": "anymagic.registry.events",
    "get_session": "anymagic.registry.session",
    # using
    "embed": "anymagic.hosts.embed",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'anymagic' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


def load_ipython_extension(ip: Any) -> None:
    """``%load_ext anymagic`` in IPython: every anymagic magic becomes available there."""
    from anymagic.hosts.ipython import load_ipython_extension as load

    load(ip, "anymagic")


def unload_ipython_extension(ip: Any) -> None:
    """``%unload_ext anymagic``: remove what ``%load_ext anymagic`` added."""
    from anymagic.hosts.ipython import unload_ipython_extension as unload

    unload(ip, "anymagic")
