"""Test extension `testext`: registers %testext_magic and a post_run_cell callback."""

IMPORTED = True
runs = []


def testext_magic(line):
    """Magic of the testext extension."""
    return "testext:" + line


def _after(result=None):
    runs.append(result)


def load_extension(host):
    host.register_magic_function(testext_magic)
    host.register_event("post_run_cell", _after)


def unload_extension(host):
    pass  # anymagic removes what load_extension registered
