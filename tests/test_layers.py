"""The layering of DESIGN.md, checked on the source: each layer imports only those above it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "anymagic"
LAYERS = ["registry", "core_magics", "extensions", "hosts"]  # top first


def imported_layers(path: Path) -> set[str]:
    """anymagic layers a module imports, anywhere in it (lazy imports inside functions too)."""
    found: set[str] = set()
    package = path.relative_to(PACKAGE.parent).with_suffix("").parts
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's package
                base = list(package[: len(package) - node.level])
                names = [".".join(base + ([node.module] if node.module else []))]
            elif node.module:
                names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "anymagic" and len(parts) > 1 and parts[1] in LAYERS:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("layer", LAYERS)
def test_each_layer_imports_only_layers_above_it(layer: str) -> None:
    allowed = set(LAYERS[: LAYERS.index(layer) + 1])
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(imported_layers(path) - allowed)
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        if imported_layers(path) - allowed
    }
    assert offenders == {}


def test_the_check_sees_lazy_and_relative_imports() -> None:
    # session.py imports its siblings relatively
    assert imported_layers(PACKAGE / "registry" / "session.py") == {"registry"}
    # setup.py and cli.py import other layers (and hosts) inside functions
    assert {"registry", "extensions"} <= imported_layers(PACKAGE / "hosts" / "setup.py")
    assert {"registry", "hosts"} <= imported_layers(PACKAGE / "hosts" / "cli.py")
