"""A fresh anymagic session per test, with a private data folder (never the real ~/.anymagic)."""

import pytest
from anymagic import BaseHost
from anymagic.testing import host_fixture

# A plain host for each test; anymagic's helper points ANYMAGIC_DIR at a temporary folder.
host = host_fixture(lambda tmp_path: BaseHost(data_dir=tmp_path / "anymagic"))


@pytest.fixture
def session(host):
    """The host's anymagic session, as in any shell: installed entry points included."""
    return host.attach()


@pytest.fixture
def magics(session):
    """The same session with the sample group registered directly (no install needed)."""
    from {{ cookiecutter.package_name }}.magics import {{ cookiecutter.group_class }}

    session.register_magics({{ cookiecutter.group_class }})
    return session
