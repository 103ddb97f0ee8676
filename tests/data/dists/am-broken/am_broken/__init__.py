"""Fails at import, like a plugin with a missing dependency."""

raise ImportError("am_broken needs a module that is not installed: no_such_dependency")


def brokenmagic(line):  # never reached
    return line
