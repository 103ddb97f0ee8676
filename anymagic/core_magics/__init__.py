"""anymagic's built-in magic groups; each registers through anymagic's own entry points."""
