"""Errors a user sees as one line, never as a traceback."""

from __future__ import annotations


class UsageError(Exception):
    """A magic was called wrongly: shown as one line (plus the usage when known)."""

    def __init__(self, message: str, usage: str | None = None) -> None:
        super().__init__(message)
        self.usage = usage

    def __str__(self) -> str:  # the usage, when known, follows the one-line message
        message = super().__str__()
        return f"{message}\n{self.usage.rstrip()}" if self.usage else message


class PluginError(Exception):
    """A plugin (entry point or extension) could not be loaded; carries its name."""

    def __init__(self, plugin: str, cause: BaseException) -> None:
        super().__init__(f"{plugin}: {type(cause).__name__}: {cause}")
        self.plugin = plugin
        self.cause = cause
