"""{{ cookiecutter.project_name }}: magics for anymagic (see README.md)."""

__version__ = "{{ cookiecutter.version }}"
{%- if cookiecutter.registration in ["extension", "both"] %}


def load_extension(session):
    """Called by `%load_ext {{ cookiecutter.extension_name }}`: register the magics.

    Everything registered through the session here is removed again by
    `%unload_ext {{ cookiecutter.extension_name }}`.
    """
    from .magics import {{ cookiecutter.group_class }}

    session.register_magics({{ cookiecutter.group_class }})
{%- endif %}
