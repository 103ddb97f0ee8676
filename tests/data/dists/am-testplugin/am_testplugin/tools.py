"""A plain function magic (no decorator): %twice TEXT."""


def twice(line):
    """Return the line twice."""
    return line * 2
