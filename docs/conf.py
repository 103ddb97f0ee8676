"""Sphinx configuration for anymagic's documentation (MyST Markdown pages, offline build)."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.abspath(".."))  # autodoc imports anymagic from this checkout
sys.path.insert(0, os.path.abspath("_ext"))  # config_reference: docs/_ext/config_reference.py

project = "anymagic"
author = "anymagic maintainers"
copyright = "anymagic maintainers"  # noqa: A001 - Sphinx's name
release = version = "0.1.0"

extensions = ["myst_parser", "sphinx.ext.autodoc", "config_reference"]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]

myst_heading_anchors = 3  # [text](page.md#a-heading) links work
autodoc_member_order = "bysource"
autodoc_typehints = "description"
html_theme = "alabaster"
html_static_path: list[str] = []
pygments_style = "sphinx"
suppress_warnings: list[str] = []


def setup(app):  # noqa: ANN001, ANN201 - Sphinx's hook
    """Register the ``anymagic`` lexer used by code blocks typed at an anymagic prompt."""
    from pygments.lexers.python import PythonLexer
    from pygments.token import Error, Keyword, Operator, Text

    class AnymagicLexer(PythonLexer):
        """Python, plus ``%magic`` / ``%%magic`` / ``!cmd`` lines and ``name?``.

        Magic and shell lines are shown as one token; anything Python cannot lex (a cell
        magic's body in another language) is shown as plain text rather than an error.
        """

        name = "anymagic"
        aliases = ["anymagic"]

        def get_tokens_unprocessed(self, text):  # noqa: ANN001, ANN201
            offset = 0
            for line in text.splitlines(keepends=True):
                body = line.lstrip()
                indent = len(line) - len(body)
                if body.startswith(("%", "!")) or body.rstrip().endswith("?"):
                    if indent:
                        yield offset, Text, line[:indent]
                    yield offset + indent, Keyword.Pseudo if body[0] == "%" else Operator, body
                else:
                    for index, token, value in PythonLexer.get_tokens_unprocessed(self, line):
                        yield offset + index, Text if token is Error else token, value
                offset += len(line)

    app.add_lexer("anymagic", AnymagicLexer)
    return {"parallel_read_safe": True}
