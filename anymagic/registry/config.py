"""traitlets configuration: the config file, ``--Class.trait=value`` and the ``Anymagic`` section.

Loading is lazy: with no config file and no command-line settings, traitlets is not even
imported (start-up stays fast).  ``c.Anymagic.*`` holds the session's own options; every
Magics group is a traitlets ``Configurable`` configured from the same object.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import UsageError

CONFIG_FILE = "anymagic_config.py"


def load_config(data_dir: Path, overrides: list[str] | None = None) -> Any:
    """The merged config (file, then command-line ``--Class.trait=value``), or None if neither."""
    path = Path(data_dir) / CONFIG_FILE
    overrides = overrides or []
    if not overrides and not path.is_file():
        return None
    from traitlets.config.loader import Config, KVArgParseConfigLoader, PyFileConfigLoader

    config = Config()
    if path.is_file():
        try:
            config.merge(PyFileConfigLoader(path.name, str(path.parent)).load_config())
        except Exception as exc:  # a broken file is reported; defaults still apply
            raise UsageError(
                f"config file {path} could not be loaded: {type(exc).__name__}: {exc}"
            ) from exc
    if overrides:
        for item in overrides:
            if "=" not in item or "." not in item.split("=", 1)[0]:
                raise UsageError(f"not a setting (want --Class.trait=value): {item}")
        try:
            config.merge(KVArgParseConfigLoader(overrides, classes=[options_class()]).load_config())
        except SystemExit:
            raise UsageError(f"bad setting: {' '.join(overrides)}") from None
    return config


def options_class() -> type:
    """The ``Anymagic`` Configurable describing the session's options (built on demand)."""
    global _Options
    if _Options is None:
        from traitlets import Bool, List, Unicode
        from traitlets.config.configurable import Configurable

        from .session import DEFAULTS

        class Anymagic(Configurable):
            """Options of the anymagic session itself."""

            automagic = Bool(
                DEFAULTS["automagic"], help="Run `name args` as `%name args` when name is a magic."
            ).tag(config=True)
            autoload = Bool(
                DEFAULTS["autoload"],
                help="Register magics of every installed package's entry points at start-up "
                "(anymagic's own always load). Also: ANYMAGIC_NO_AUTOLOAD=1.",
            ).tag(config=True)
            disabled_plugins = List(
                Unicode(),
                DEFAULTS["disabled_plugins"],
                help="Distributions whose entry points are ignored. Also: ANYMAGIC_DISABLE=a,b.",
            ).tag(config=True)
            extensions = List(
                Unicode(), DEFAULTS["extensions"], help="Extensions to load at start-up."
            ).tag(config=True)
            prompt_in = Unicode(
                DEFAULTS["prompt_in"], help="The input prompt; {count} is the cell's number."
            ).tag(config=True)
            prompt_cont = Unicode(
                DEFAULTS["prompt_cont"], help="The prompt of continuation lines."
            ).tag(config=True)
            prompt_out = Unicode(
                DEFAULTS["prompt_out"], help="Shown before a cell's value; {count} is its number."
            ).tag(config=True)
            pprint = Bool(
                DEFAULTS["pprint"], help="Pretty-print long containers (else plain repr)."
            ).tag(config=True)

        _Options = Anymagic
    return _Options


_Options: type | None = None
