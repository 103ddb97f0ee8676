"""Adapters that plug anymagic into a shell or kernel through the host protocol."""
