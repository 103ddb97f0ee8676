"""Tests of the sample magics: their behaviour, and how an installed copy registers them."""

from {{ cookiecutter.package_name }}.magics import {{ cookiecutter.group_class }}


def test_line_magic_returns_its_value(magics):
    assert magics.run_line_magic("{{ cookiecutter.magic_name }}", "") == "Hello, world!"
    result = magics.run_cell("x = %{{ cookiecutter.magic_name }} -n 2 --shout Ada")
    assert result.success
    assert magics.user_ns["x"] == "HELLO, ADA! HELLO, ADA!"


def test_line_magic_expands_variables(magics):
    magics.user_ns["who"] = "Grace"
    assert magics.run_cell("%{{ cookiecutter.magic_name }} $who").result == "Hello, Grace!"


def test_bad_arguments_are_a_usage_error(magics, capsys):
    result = magics.run_cell("%{{ cookiecutter.magic_name }} -n many")
    assert not result.success
    assert "UsageError" in capsys.readouterr().err
    assert not magics.run_cell("%{{ cookiecutter.magic_name }} -n 0").success


def test_cell_magic_greets_every_line(magics, capsys):
    result = magics.run_cell("%%{{ cookiecutter.cell_magic_name }} --shout\nAda\n\nGrace\n")
    assert result.success
    assert capsys.readouterr().out == "HELLO, ADA!\nHELLO, GRACE!\n"


def test_greeting_is_configurable(magics):
    magics.run_line_magic("config", "{{ cookiecutter.group_class }}.greeting = 'Hi'")
    assert magics.run_line_magic("{{ cookiecutter.magic_name }}", "Ada") == "Hi, Ada!"


def test_help_shows_the_usage(magics):
    from anymagic.registry.help import help_text

    text = help_text(magics, "{{ cookiecutter.magic_name }}")
    assert "--times" in text and "{{ cookiecutter.magic_name }}" in text


def test_group_lists_both_magics():
    table = {{ cookiecutter.group_class }}.magics
    assert "{{ cookiecutter.magic_name }}" in table["line"]
    assert "{{ cookiecutter.cell_magic_name }}" in table["cell"]
{%- if cookiecutter.registration in ["entry_points", "both"] %}


def test_installed_magics_need_no_load_ext(session):
    """Through the `anymagic.magics` entry points (run this against an installed copy)."""
    assert session.run_cell("%{{ cookiecutter.magic_name }} Ada").result == "Hello, Ada!"
    assert session.find_magic("{{ cookiecutter.cell_magic_name }}", "cell") is not None
{%- endif %}
{%- if cookiecutter.registration in ["extension", "both"] %}


def test_load_ext_and_unload_ext(session):
    """Through the `anymagic.extensions` entry point (run this against an installed copy)."""
    assert session.run_cell("%load_ext {{ cookiecutter.extension_name }}").success
    assert session.run_cell("%{{ cookiecutter.magic_name }} Ada").result == "Hello, Ada!"
    assert session.run_cell("%unload_ext {{ cookiecutter.extension_name }}").success
{%- if cookiecutter.registration == "extension" %}
    assert session.find_magic("{{ cookiecutter.magic_name }}") is None
{%- endif %}
{%- endif %}
{%- if cookiecutter.registration == "extension" %}


def test_not_there_before_load_ext(session):
    assert session.find_magic("{{ cookiecutter.magic_name }}") is None
{%- endif %}
