"""What every anymagic host does when it starts a session: read the config file, build the
session, and let extensions written for IPython load (the compatibility shim)."""

from __future__ import annotations

from typing import Any


def start_session(host: Any, session_class: Any = None, **options: Any) -> Any:
    """A session for ``host`` with the user's config file and the IPython-extension shim.

    A config file that cannot be read is reported on the host's stderr and the defaults
    apply (an interactive host should start anyway).  ``options`` are Session options.
    """
    from anymagic.extensions.ipython_compat import install
    from anymagic.registry.errors import UsageError
    from anymagic.registry.session import Session

    if "config" not in options:
        from anymagic.registry.config import load_config

        try:
            options["config"] = load_config(host.data_dir)
        except UsageError as exc:
            host.write(f"anymagic: {exc}\n", "stderr")
            options["config"] = None
    session = (session_class or Session)(host, **options)
    host.session = session
    install(session)  # IPython-only extensions get an IPython-like shell
    return session
