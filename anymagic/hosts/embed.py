"""``anymagic.embed()``: open the interactive shell on the caller's namespace."""

from __future__ import annotations

import sys
from typing import Any


def embed(
    header: str = "",
    local_ns: dict[str, Any] | None = None,
    global_ns: dict[str, Any] | None = None,
) -> None:
    """Start the anymagic shell where it is called, seeing the caller's variables.

    The shell sees a copy of the caller's globals and locals: names assigned in it do not
    change the caller's variables (for locals, as in IPython; for globals, unlike IPython,
    which shares the module). Ctrl-D returns to the caller.
    """
    frame = sys._getframe(1)
    namespace = dict(frame.f_globals if global_ns is None else global_ns)
    namespace.update(frame.f_locals if local_ns is None else local_ns)
    from anymagic.hosts.cli import Options, make_session
    from anymagic.hosts.shell import run_interactive

    session = make_session(Options(), namespace)
    if header:
        session.write(header.rstrip("\n") + "\n")
    stdin = sys.stdin  # exit(n) in the shell closes sys.stdin; the caller still needs it
    try:
        run_interactive(session, banner=False)
    finally:
        sys.stdin = stdin
