"""Sphinx extension: the configuration reference, generated from the traitlets classes.

A page holding the (empty) directive block ``{anymagic-config-reference}`` gets it replaced,
when Sphinx reads the page, by one section per configurable class: the ``Anymagic`` options
(:func:`anymagic.registry.config.options_class`), then every ``Magics`` group that anymagic's
own entry points name (``anymagic.magics`` targets, and the groups defined in
``anymagic.extensions`` modules), each option with its type, default and help.  Nothing is
written by hand: a new trait, or a new group in ``pyproject.toml``, shows up in the next build.
The page is re-read on every build, so an incremental build never shows stale options.

``python docs/_ext/config_reference.py`` prints the generated Markdown.
"""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"^```\{anymagic-config-reference\}[ \t]*\n```[ \t]*$", re.M)


@dataclass
class Section:
    """One configurable class and what the reference says about it."""

    cls: type
    magics: list[str] = field(default_factory=list)  # "%name" / "%%name"
    extension: str | None = None  # the %load_ext name, for groups of an extension


def own_entry_points() -> list[tuple[str, str, str]]:
    """``(group, name, value)`` of anymagic's own entry points, from the checkout's
    ``pyproject.toml`` (the code being documented), else from the installed metadata."""
    pyproject = ROOT / "pyproject.toml"
    try:
        import tomllib
    except ImportError:  # Python 3.10
        tomllib = None  # type: ignore[assignment]
    if tomllib is not None and pyproject.is_file():
        table = tomllib.loads(pyproject.read_text("utf-8"))["project"]["entry-points"]
        return [
            (group, name, value)
            for group in ("anymagic.magics", "anymagic.extensions")
            for name, value in table.get(group, {}).items()
        ]
    from anymagic.registry import discovery

    return [(ep.group, ep.name, ep.value) for ep in discovery.scan() if ep.dist == discovery.SELF]


def sections() -> list[Section]:
    """The ``Anymagic`` section, then every group of anymagic's entry points, in that order."""
    from anymagic.registry.config import options_class
    from anymagic.registry.magics import Magics

    found: dict[type, Section] = {options_class(): Section(options_class())}

    def add(cls: type, extension: str | None = None) -> None:
        if cls not in found:
            table = getattr(cls, "magics", {})
            names = [f"%{n}" for n in table.get("line", {})]
            names += [f"%%{n}" for n in table.get("cell", {})]
            found[cls] = Section(cls, names, extension)

    for group, name, value in own_entry_points():
        module_name, _, attr = value.partition(":")
        module = importlib.import_module(module_name.strip())
        if group == "anymagic.magics":
            target = getattr(module, attr.strip()) if attr else None
            if isinstance(target, type) and issubclass(target, Magics):
                add(target)
        else:
            for _, obj in inspect.getmembers(module, inspect.isclass):
                if issubclass(obj, Magics) and obj.__module__ == module.__name__:
                    add(obj, extension=name)
    return list(found.values())


def type_name(trait: Any) -> str:
    """``Bool``, ``Int``, ``List(Unicode)``, ``Enum('a', 'b')``, ..."""
    name = type(trait).__name__
    values = getattr(trait, "values", None)
    if values is not None and "Enum" in name:
        return f"{name}({', '.join(repr(v) for v in values)})"
    inner = getattr(trait, "_trait", None)
    if inner is not None:
        return f"{name}({type(inner).__name__})"
    return name


def code(text: str) -> str:
    """``text`` as a Markdown code span that survives backticks and table pipes."""
    text = text.replace("|", "\\|")
    ticks = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def prose(text: str) -> str:
    """Help text as one table cell: whitespace collapsed, Markdown specials escaped outside
    code spans (help text is plain text, not Markdown)."""
    text = " ".join(text.split())
    parts = re.split(r"(`[^`]*`)", text)
    for i in range(0, len(parts), 2):
        parts[i] = re.sub(r"([\\|<>*_\[\]])", r"\\\1", parts[i])
    return "".join(parts).replace("|", "\\|") or "(no help)"


def first_paragraph(doc: str | None) -> str:
    return prose(inspect.cleandoc(doc or "").split("\n\n", 1)[0]) if doc else ""


def render() -> str:
    """The reference, as MyST Markdown: a level-2 section per class with options, then a
    table of the groups without any."""
    out: list[str] = []
    bare: list[Section] = []
    for section in sections():
        cls = section.cls
        traits = sorted(cls.class_traits(config=True).items())
        if not traits:
            bare.append(section)
            continue
        out += [f"## `{cls.__name__}`", ""]
        about = first_paragraph(cls.__doc__)
        if section.magics:
            about += f" Provides {provides(section)} (module `{cls.__module__}`)."
        out += [about.strip(), ""]
        out += ["| Option | Type | Default | Help |", "|---|---|---|---|"]
        for name, trait in traits:
            out.append(
                f"| {code(f'c.{cls.__name__}.{name}')} | {code(type_name(trait))} "
                f"| {code(trait.default_value_repr())} | {prose(trait.help)} |"
            )
        out.append("")
    if bare:
        out += [
            "## Groups without options",
            "",
            "These groups are configurable classes too, but declare no options (yet).",
            "",
            "| Group | Provides | Module |",
            "|---|---|---|",
        ]
        for section in bare:
            cls = section.cls
            out.append(f"| `{cls.__name__}` | {provides(section)} | `{cls.__module__}` |")
        out.append("")
    return "\n".join(out)


def provides(section: Section) -> str:
    names = ", ".join(f"`{m}`" for m in section.magics)
    return f"extension `{section.extension}`: {names}" if section.extension else names


def _source_read(app: Any, docname: str, source: list[str]) -> None:
    if MARKER.search(source[0]):
        source[0] = MARKER.sub(lambda _: render(), source[0])


def _always_reread(app: Any, env: Any, added: set, changed: set, removed: set) -> list[str]:
    return [
        doc
        for doc in env.found_docs
        if doc not in added | changed and MARKER.search(Path(env.doc2path(doc)).read_text("utf-8"))
    ]


def setup(app: Any) -> dict[str, Any]:
    app.connect("source-read", _source_read)
    app.connect("env-get-outdated", _always_reread)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    print(render())
