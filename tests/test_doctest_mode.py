"""%doctest_mode through a terminal host: prompts, values, and an exact restore."""

from __future__ import annotations

import io
import textwrap
from contextlib import redirect_stdout

import pytest

from anymagic.hosts.terminal import TerminalHost


@pytest.fixture
def term(private_dirs):
    host = TerminalHost(data_dir=private_dirs)
    host.attach()
    return host


def run(host, source):
    out = io.StringIO()
    with redirect_stdout(out):
        result = host.session.run_cell(source, store_history=True)
    return out.getvalue(), result


def test_toggle_changes_output_and_restores_exactly(term):
    session = term.session
    run(term, "%config Anymagic.prompt_out = 'Result {count}> '")
    before = dict(session.options)
    out, _ = run(term, "%doctest_mode")
    assert out == "Exception reporting mode: Plain\nDoctest mode is: ON\n"
    assert session.options["prompt_in"] == ">>> " and session.options["prompt_cont"] == "... "
    assert run(term, "40 + 2")[0] == "42\n"
    assert run(term, "list(range(30))")[0] == repr(list(range(30))) + "\n"  # plain repr
    out, _ = run(term, "%doctest_mode")
    assert out == "Exception reporting mode: Context\nDoctest mode is: OFF\n"
    assert session.options == before
    assert run(term, "7")[0] == "Result 6> 7\n"


def test_explicit_on_off_and_bad_argument(term):
    run(term, "%doctest_mode on")
    run(term, "%doctest_mode on")  # idempotent: still restores the original settings
    run(term, "%doctest_mode off")
    assert term.session.options["prompt_in"] == "In [{count}]: "
    out, result = run(term, "%doctest_mode maybe")
    assert (
        str(result.error)
        == "%doctest_mode: expected on or off, got 'maybe'\nusage: %doctest_mode [on|off]"
    )


def test_pasted_doctest_runs_in_either_mode(term):
    source = textwrap.dedent(
        """\
        >>> def double(x):
        ...     return 2 * x
        >>> double(21)
        42
        """
    )
    assert run(term, source)[1].result == 42
    run(term, "%doctest_mode on")
    out, result = run(term, source)
    assert result.result == 42 and out == "42\n"
