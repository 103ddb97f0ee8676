"""Layer 1: the Magics base class, decorators, argument parsing, the registry with lazy
entry-point discovery, extension loading, input syntax and the host protocol.

Knows no concrete host and no concrete magic.  Import submodules directly; nothing heavy
is imported here.
"""
