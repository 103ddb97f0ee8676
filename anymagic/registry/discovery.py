"""Find ``anymagic.magics`` and ``anymagic.extensions`` entry points without importing them.

Scanning every installed distribution's metadata costs tens of milliseconds, so the
result is cached in a JSON file keyed by ``sys.path`` and the modification time of each of
its folders: installing or removing a distribution adds or removes a ``*.dist-info``
folder, which changes its parent's mtime, so a changed install is seen and an unchanged
one is never rescanned.  Reading the map never imports a plugin (nor importlib.metadata).
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import NamedTuple

MAGICS_GROUP = "anymagic.magics"
EXTENSIONS_GROUP = "anymagic.extensions"
GROUPS = (MAGICS_GROUP, EXTENSIONS_GROUP)
CACHE_VERSION = 2
SELF = "anymagic"  # our own distribution: its entry points are the built-ins

_META_SUFFIXES = (".dist-info", ".egg-info")


class EntryPoint(NamedTuple):
    """One entry point: ``name = value`` in ``group`` of distribution ``dist``."""

    group: str
    name: str
    value: str
    dist: str

    @property
    def module(self) -> str:
        return self.value.partition(":")[0].strip()

    @property
    def attr(self) -> str | None:
        attr = self.value.partition(":")[2].strip()
        return attr or None


def normalize(name: str) -> str:
    """PEP 503 normalisation of a distribution name (``My_Pkg`` -> ``my-pkg``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _searched(path: list[str] | None) -> list[str]:
    """The sys.path entries searched for distributions: all but ``""`` (the current folder,
    which a prompt puts first: distributions are never installed there, and its mtime
    changes whenever a file is saved, which would force a rescan)."""
    return [entry for entry in (sys.path if path is None else path) if entry]


def is_enabled(ep: EntryPoint, disabled: set[str], autoload: bool) -> bool:
    """Whether an entry point is used: its distribution is not disabled (``disabled`` holds
    normalised names) and, with autoload off, it is anymagic's own."""
    return normalize(ep.dist) not in disabled and (autoload or ep.dist == SELF)


def cache_key(path: list[str] | None = None) -> list[list[object]]:
    """What, when unchanged, guarantees an unchanged set of distributions: each searched
    sys.path entry and its mtime (a missing entry counts too, so creating it is seen)."""
    key: list[list[object]] = [[sys.version]]
    for entry in _searched(path):
        try:
            mtime = os.stat(entry).st_mtime_ns
        except OSError:
            mtime = None
        key.append([entry, mtime])
    return key


def scan(path: list[str] | None = None) -> list[EntryPoint]:
    """Read the entry points of our groups from every distribution on ``path``.

    The first distribution of a name on sys.path wins, as importlib.metadata does.
    """
    seen: set[str] = set()
    found: list[EntryPoint] = []
    for entry in _searched(path):
        try:
            names = sorted(os.listdir(entry))
        except OSError:
            continue
        for folder in names:
            if not folder.endswith(_META_SUFFIXES):
                continue
            dist = normalize(folder.rsplit(".", 1)[0].split("-", 1)[0])
            if dist in seen:
                continue
            seen.add(dist)
            try:
                text = Path(entry, folder, "entry_points.txt").read_text("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if "anymagic." in text:
                found.extend(parse_entry_points(text, dist))
    return found


def parse_entry_points(text: str, dist: str) -> list[EntryPoint]:
    """Parse the INI-like ``entry_points.txt``, keeping only anymagic's groups."""
    found: list[EntryPoint] = []
    group = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            group = line[1:-1].strip()
            continue
        if group in GROUPS and "=" in line:
            name, _, value = line.partition("=")
            value = value.split("[", 1)[0].strip()  # drop "[extra]" markers
            found.append(EntryPoint(group, name.strip(), value, dist))
    return found


CACHE_SLOTS = 8  # keys remembered: running from a few folders must not rescan each time


def load(cache_file: Path | None) -> list[EntryPoint]:
    """The entry points, from the cache when it is still valid, else by a scan (then cached).

    The cache keeps the last few keys (``sys.path[0]`` differs between ``python -m`` runs
    from different folders), most recent first.
    """
    key = cache_key()
    slots: list[dict] = []
    if cache_file is not None:
        try:
            data = json.loads(cache_file.read_text("utf-8"))
            if data.get("version") == CACHE_VERSION:
                slots = [slot for slot in data["slots"] if isinstance(slot, dict)]
                for slot in slots:
                    if slot.get("key") == key:
                        return [EntryPoint(*row) for row in slot["entry_points"]]
        except (OSError, ValueError, TypeError, KeyError):
            slots = []
    found = scan()
    if cache_file is not None:
        rows = [[ep.group, ep.name, ep.value, ep.dist] for ep in found]
        slots = [{"key": key, "entry_points": rows}, *slots][:CACHE_SLOTS]
        _write_cache(cache_file, slots)
    return found


def _write_cache(cache_file: Path, slots: list[dict]) -> None:
    from .files import atomic_write_text

    payload = json.dumps({"version": CACHE_VERSION, "slots": slots})
    try:
        atomic_write_text(cache_file, payload)
    except OSError:
        pass  # a read-only data directory only costs a rescan next time
