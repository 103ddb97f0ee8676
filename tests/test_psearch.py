"""%psearch and the `pattern*?` syntax, through a session."""

from __future__ import annotations

import pytest


@pytest.fixture
def ns_shell(shell):
    shell.run("import os\napple = 1\nApricot = 'x'\n_private_a = 3\ndef afunc(): pass")
    return shell


def lines(out: str) -> list[str]:
    return out.splitlines()


def test_wildcards_case_insensitive_by_default(ns_shell):
    out, err, _ = ns_shell.run("%psearch ap*")
    assert lines(out) == ["Apricot", "apple"] and err == ""


def test_case_sensitive(ns_shell):
    assert lines(ns_shell.run("%psearch -c ap*")[0]) == ["apple"]


def test_question_mark_wildcard(ns_shell):
    assert "abs" in lines(ns_shell.run("%psearch a?s")[0])


def test_type_filter_and_type_list(ns_shell):
    assert lines(ns_shell.run("%psearch a* function")[0]) == ["afunc"]
    assert lines(ns_shell.run("%psearch a* str")[0]) == ["Apricot"]
    listing = lines(ns_shell.run("%psearch -l")[0])
    assert "function" in listing and "module" in listing and "dict" in listing


def test_underscore_names_only_with_a(ns_shell):
    assert "_private_a" not in ns_shell.run("%psearch *private*")[0]
    assert "_private_a" in lines(ns_shell.run("%psearch -a *private*")[0])


def test_dotted_patterns(ns_shell):
    found = lines(ns_shell.run("%psearch os.*sep")[0])
    assert "os.sep" in found and "os.pathsep" in found and all(n.startswith("os.") for n in found)


def test_namespaces_search_and_exclude(ns_shell):
    assert lines(ns_shell.run("%psearch -e builtin a*")[0]) == ["Apricot", "afunc", "apple"]
    assert ns_shell.run("%psearch -e user -e user_global -e builtin a*")[0] == ""


def test_question_syntax_runs_psearch(ns_shell):
    out, err, _ = ns_shell.run("ap*?")
    assert lines(out) == ["Apricot", "apple"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("%psearch", "%psearch: a PATTERN is required"),
        ("%psearch a* nosuchtype", "unknown type 'nosuchtype'"),
        ("%psearch -e nowhere a*", "unknown namespace 'nowhere'"),
        ("%psearch --bogus a*", "unrecognized arguments: --bogus"),
    ],
)
def test_bad_input_is_one_line(ns_shell, line, message):
    out, err, result = ns_shell.run(line)
    assert out == "" and err.startswith("UsageError: ") and message in err.splitlines()[0]
    assert err.splitlines()[1].startswith("usage: %psearch")
