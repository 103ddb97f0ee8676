"""Layer 3: bundled extensions loaded with ``%load_ext`` (and compatibility layers)."""
