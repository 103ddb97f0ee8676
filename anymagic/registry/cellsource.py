"""The source of code typed at a prompt, in ``linecache``, and kept there.

Tracebacks, ``inspect.getsource``, pdb and line_profiler find a cell's lines through
``linecache``.  Some tools empty it (line_profiler calls ``linecache.clearcache()``), so
every cell is also kept here and ``linecache.updatecache`` — what a cache miss calls — is
wrapped once to put a cell back instead of looking for a file that does not exist (what
IPython does for its cells, by another hook).
"""

from __future__ import annotations

import linecache
from typing import Any

#: Prefix of cell filenames.  Tools recognise ``<generated...>`` names as in-memory code
#: (line_profiler shows their source, as it does for IPython's ``<ipython-input-...>``).
PREFIX = "<generated-anymagic-input-"

_CELLS: dict[str, tuple[int, None, list[str], str]] = {}
_original_updatecache: Any = None


def remember(name: str, source: str) -> str:
    """Put ``source`` in linecache under ``name`` for good; return ``name``."""
    lines = source.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    entry = (len(source), None, lines, name)  # mtime None: checkcache leaves it alone
    _CELLS[name] = entry
    linecache.cache[name] = entry
    _install()
    return name


def _updatecache(filename: str, module_globals: Any = None) -> list[str]:
    entry = _CELLS.get(filename)
    if entry is not None:
        linecache.cache[filename] = entry
        return entry[2]
    return _original_updatecache(filename, module_globals)


def _install() -> None:
    global _original_updatecache
    if _original_updatecache is None:
        _original_updatecache = linecache.updatecache
        linecache.updatecache = _updatecache
