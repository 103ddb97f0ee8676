"""Test helpers for people who build on anymagic.

:class:`HostConformance` is a ready pytest suite that checks a host against the host
protocol (see ``docs/host-protocol.md``): subclass it in a test module, give it a
``make_host(tmp_path)`` method, and pytest runs every check on your host.  pytest is
imported only when this package's names are used.
"""

from __future__ import annotations

from typing import Any

__all__ = ["HostConformance", "host_fixture"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import conformance

        return getattr(conformance, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
