"""Real installs of the test distributions in ``tests/data/dists`` for entry-point tests.

Each distribution is ``pip install``ed once per test session (``--no-build-isolation
--no-deps --target DIR``, all in parallel) into its own folder; a test then copies that
installed tree into a private ``site`` folder it puts on ``PYTHONPATH`` (or ``sys.path``),
and uninstalls it the way pip does: by removing every file its ``RECORD`` lists.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

DISTS_DIR = Path(__file__).parent / "data" / "dists"
NAMES = ("am-testplugin", "am-conflict", "am-broken")
ANYMAGIC_ENV = ("ANYMAGIC_DISABLE", "ANYMAGIC_NO_AUTOLOAD", "PYTHONPATH", "PYTHONSTARTUP")

_installed: dict[str, Path] = {}


def install_all(root: Path, names: tuple[str, ...] = NAMES) -> dict[str, Path]:
    """``pip install`` each distribution into ``root/NAME`` (once per process); name -> folder."""
    todo = [name for name in names if name not in _installed]
    procs = []
    for name in todo:
        src = root / "src" / name  # build from a copy: setuptools writes build/ and egg-info
        shutil.copytree(DISTS_DIR / name, src)
        target = root / name
        cmd = [sys.executable, "-m", "pip", "install", "--no-build-isolation", "--no-deps"]
        cmd += [
            "--no-index",
            "--disable-pip-version-check",
            "-q",
            "--target",
            str(target),
            str(src),
        ]
        procs.append(
            (name, target, subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
        )
    for name, target, proc in procs:
        out, _ = proc.communicate(timeout=120)
        if proc.returncode:
            raise RuntimeError(f"pip install of {name} failed:\n{out.decode(errors='replace')}")
        _installed[name] = target
    return {name: _installed[name] for name in names}


def place(installed: Path, site: Path) -> Path:
    """Copy an installed distribution's files into ``site`` (created if missing)."""
    site.mkdir(parents=True, exist_ok=True)
    for item in installed.iterdir():
        if item.is_dir():
            shutil.copytree(item, site / item.name, dirs_exist_ok=True)
        else:
            shutil.copy2(item, site / item.name)
    return site


def uninstall(site: Path, dist: str) -> None:
    """Remove a distribution from ``site`` as ``pip uninstall`` does: every file in RECORD."""
    prefix = dist.replace("-", "_") + "-"
    (info,) = [
        p for p in site.iterdir() if p.name.startswith(prefix) and p.name.endswith(".dist-info")
    ]
    with open(info / "RECORD", newline="", encoding="utf-8") as handle:
        files = [site / row[0] for row in csv.reader(handle) if row]
    dirs = set()
    for path in files:
        path.unlink(missing_ok=True)
        dirs.update(p for p in path.parents if site in p.parents)
    shutil.rmtree(info, ignore_errors=True)
    for folder in sorted(dirs, key=lambda p: len(p.parts), reverse=True):
        shutil.rmtree(folder / "__pycache__", ignore_errors=True)
        try:
            folder.rmdir()
        except OSError:
            pass


def anymagic_command() -> list[str]:
    """The ``anymagic`` console script of this interpreter's environment."""
    script = Path(sys.executable).with_name("anymagic")
    return [str(script)] if script.exists() else [sys.executable, "-m", "anymagic"]


def run_anymagic(
    *args: str,
    data_dir: Path,
    sites: list[Path] | tuple[Path, ...] = (),
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 30,
) -> subprocess.CompletedProcess[str]:
    """Run ``anymagic ARGS`` in a fresh process with ``sites`` on PYTHONPATH."""
    full = {k: v for k, v in os.environ.items() if k not in ANYMAGIC_ENV}
    full["ANYMAGIC_DIR"] = str(data_dir)
    if sites:
        full["PYTHONPATH"] = os.pathsep.join(str(s) for s in sites)
    full.update(env or {})
    return subprocess.run(
        [*anymagic_command(), *args],
        capture_output=True,
        text=True,
        env=full,
        cwd=cwd or data_dir,
        timeout=timeout,
    )
