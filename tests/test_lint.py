"""The code base stays ruff-clean (lint and format), as CI would check it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def ruff(*args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("ruff")
    command = [str(exe)] if exe.exists() else [shutil.which("ruff") or "ruff"]
    return subprocess.run([*command, *args], cwd=ROOT, capture_output=True, text=True)


@pytest.mark.parametrize("args", [("check", "."), ("format", "--check", ".")])
def test_ruff_is_clean(args: tuple[str, ...]) -> None:
    proc = ruff(*args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
