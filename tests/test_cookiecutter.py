"""The cookiecutter template at the top of the repository generates working magic packages.

Each baked project is installed into one fresh virtual environment shared by the module
(anymagic and the test tools come from this interpreter's site-packages through a ``.pth``
file), then its own tests run there and ``python -m anymagic -c`` shows its magic working:
through the entry points without ``%load_ext``, or after ``%load_ext`` for an extension.
"""

from __future__ import annotations

import importlib.util
import os
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytest.importorskip("pytest_cookies")
pytest.importorskip("cookiecutter")

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "cookiecutter"

# Each installed bake uses its own distribution, package and magic names: they share a venv.
CASES = {
    "entry_points": {
        "project_name": "anymagic-hello",  # the defaults, except the registration
        "registration": "entry_points",
    },
    "extension": {
        "project_name": "Pretty_Magic-Tools",
        "magic_name": "pretty",
        "cell_magic_name": "pretty_cell",
        "extension_name": "prettyext",
        "registration": "extension",
    },
    "both": {
        "project_name": "count-ER_magics",
        "magic_name": "count_er",
        "cell_magic_name": "countlines",
        "group_class": "Counter",
        "registration": "both",
        "description": "Count \"things\" \\ <fast> & 'well'",
        "author": 'Ada "the count" Lovelace',
    },
}
EXPECTED = {  # registration: (package, distribution, line magic, cell magic, extension name)
    "entry_points": ("anymagic_hello", "anymagic-hello", "hello", "hello_lines", None),
    "extension": ("pretty_magic_tools", "pretty-magic-tools", "pretty", "pretty_cell", "prettyext"),
    "both": ("count_er_magics", "count-er-magics", "count_er", "countlines", "count_er_magics"),
}


def _run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kwargs)  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv's python that also sees this interpreter's packages (anymagic, pytest,
    setuptools, wheel), installed ones taking precedence."""
    path = tmp_path_factory.mktemp("venv")
    have_pip = importlib.util.find_spec("pip") is not None
    proc = _run([sys.executable, "-m", "venv", *(["--without-pip"] if have_pip else []), str(path)])
    assert proc.returncode == 0, proc.stderr
    python = path / "bin" / "python"
    purelib = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
    ).stdout.strip()
    ours = [*site.getsitepackages(), sysconfig.get_paths()["purelib"]]
    lines = "".join(f"import site; site.addsitedir({folder!r})\n" for folder in dict.fromkeys(ours))
    Path(purelib, "zz_parent_site.pth").write_text(lines, "utf-8")
    return python


def _env(tmp: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "ANYMAGIC_", "VIRTUAL_ENV", "PIP_"))
    }
    # The checkout first: anymagic and its own entry points (anymagic.egg-info) are found
    # there even when this interpreter has no installed copy.
    env["PYTHONPATH"] = str(ROOT)
    env["ANYMAGIC_DIR"] = str(tmp / "anymagic-data")
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _bake(cookies: object, **context: str) -> object:
    return cookies.bake(extra_context=context, template=str(TEMPLATE))  # type: ignore[attr-defined]


def test_default_answers(cookies: object) -> None:
    result = _bake(cookies)
    assert result.exit_code == 0, result.exception
    project = result.project_path
    assert project.name == "anymagic-hello"
    files = sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file())
    assert files == [
        ".github/workflows/tests.yml",
        ".gitignore",
        "README.md",
        "pyproject.toml",
        "src/anymagic_hello/__init__.py",
        "src/anymagic_hello/magics.py",
        "tests/conftest.py",
        "tests/test_magics.py",
    ]
    pyproject = (project / "pyproject.toml").read_text("utf-8")
    assert '[project.entry-points."anymagic.magics"]' in pyproject
    assert 'hello = "anymagic_hello.magics:AnymagicHelloMagics"' in pyproject
    assert 'hello_lines = "anymagic_hello.magics:AnymagicHelloMagics"' in pyproject
    assert "anymagic.extensions" not in pyproject
    assert "load_extension" not in (project / "src/anymagic_hello/__init__.py").read_text()
    workflow = (project / ".github/workflows/tests.yml").read_text("utf-8")
    assert "${{ matrix.python-version }}" in workflow and "pytest" in workflow
    readme = (project / "README.md").read_text("utf-8")
    assert "%hello Ada" in readme and "{{" not in readme and "{%" not in readme
    for path in project.rglob("*.py"):
        compile(path.read_text("utf-8"), str(path), "exec")


@pytest.mark.parametrize("registration", list(CASES))
def test_baked_project_installs_and_works(
    cookies: object, venv: Path, tmp_path: Path, registration: str
) -> None:
    package, dist, line_magic, cell_magic, extension = EXPECTED[registration]
    result = _bake(cookies, **CASES[registration])
    assert result.exit_code == 0, result.exception
    project = result.project_path
    assert project.name == dist
    assert (project / "src" / package / "magics.py").is_file()
    pyproject = (project / "pyproject.toml").read_text("utf-8")
    assert ('"anymagic.magics"' in pyproject) == (registration != "extension")
    assert ('"anymagic.extensions"' in pyproject) == (registration != "entry_points")
    if sys.version_info >= (3, 11):  # answers with quotes and backslashes stay valid TOML
        import tomllib

        meta = tomllib.loads(pyproject)["project"]
        assert meta["description"] == CASES[registration].get("description", meta["description"])
        assert meta["authors"] == [{"name": CASES[registration].get("author", "Your Name")}]
    env = _env(tmp_path)

    install = _run(
        [str(venv), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
         "--no-index", str(project)],
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert install.returncode == 0, install.stdout + install.stderr

    tests = _run(
        [str(venv), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        env=env,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert " passed" in tests.stdout and "skipped" not in tests.stdout

    def anymagic(code: str) -> subprocess.CompletedProcess[str]:
        return _run([str(venv), "-m", "anymagic", "-c", code], cwd=tmp_path, env=env)

    if extension is None or registration == "both":
        shown = anymagic(f"%{line_magic} -n 2 Ada")
        assert shown.returncode == 0, shown.stderr
        assert shown.stdout == "Out[1]: 'Hello, Ada! Hello, Ada!'\n"
    else:
        missing = anymagic(f"%{line_magic} Ada")
        assert missing.returncode != 0
        assert f"`%{line_magic}` not found" in missing.stderr
    if extension is not None:
        shown = anymagic(f"%load_ext {extension}\n%{line_magic} --shout Ada")
        assert shown.returncode == 0, shown.stderr
        assert shown.stdout == "Out[1]: 'HELLO, ADA!'\n"
    if extension is None or registration == "both":
        cell = anymagic(f"%%{cell_magic}\nAda\nGrace")
    else:  # one cell loads the extension, then runs a cell through the session
        cell = anymagic(
            f"%load_ext {extension}\n"
            "from anymagic.registry.session import current_session\n"
            f"current_session().run_cell('%%{cell_magic}\\nAda\\nGrace');"
        )
    assert cell.returncode == 0, cell.stderr
    assert cell.stdout == "Hello, Ada!\nHello, Grace!\n"

    ruff = importlib.util.find_spec("ruff")
    if ruff is not None:
        for check in (["check"], ["format", "--check"]):
            lint = _run([sys.executable, "-m", "ruff", *check, "--no-cache", "."], cwd=project)
            assert lint.returncode == 0, lint.stdout + lint.stderr


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"project_name": "123-bad"}, "package_name '123_bad' (from project_name '123-bad')"),
        ({"project_name": "my magic!"}, "package_name 'my_magic!' (from project_name"),
        ({"project_name": 'say "hi"'}, """package_name 'say_"hi"' (from project_name"""),
        ({"magic_name": "class"}, "magic_name 'class' is a Python keyword"),
        ({"version": "one"}, "version 'one' is not a version number"),
        ({"magic_name": "hello", "cell_magic_name": "hello"}, "must differ"),
        ({"registration": "extension", "extension_name": "a b"}, "extension_name 'a b'"),
    ],
)
def test_invalid_answers_stop_generation(
    cookies: object, capfd: pytest.CaptureFixture[str], answers: dict[str, str], message: str
) -> None:
    result = _bake(cookies, **answers)
    assert result.exit_code != 0
    err = capfd.readouterr().err
    assert "ERROR: cannot generate the project:" in err
    assert message in err, err
