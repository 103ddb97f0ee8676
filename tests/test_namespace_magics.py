"""%who, %who_ls, %whos, %reset, %xdel."""

from __future__ import annotations

import os

from conftest import Shell, ok, usage_error


def setup_vars(shell: Shell) -> None:
    ok(
        shell,
        "import os\nn = 1\nm = 2\ntext = 'hi'\nitems = [1, 2, 3]\ndef fn(): pass\n_hidden = 1",
    )


def test_who(shell: Shell) -> None:
    assert ok(shell, "%who") == "Interactive namespace is empty.\n"
    setup_vars(shell)
    ok(shell, "n")  # Out, _, _N exist now
    assert ok(shell, "%who") == "fn\titems\tm\tn\tos\ttext\n"
    assert ok(shell, "%who int") == "m\tn\n"
    assert ok(shell, "%who function module") == "fn\tos\n"
    assert ok(shell, "%who float") == "No variables match your requested type.\n"


def test_who_ls(shell: Shell) -> None:
    assert shell.session.run_line_magic("who_ls", "") == []
    setup_vars(shell)
    assert shell.session.run_line_magic("who_ls", "") == ["fn", "items", "m", "n", "os", "text"]
    assert shell.session.run_line_magic("who_ls", "str list") == ["items", "text"]
    out = ok(shell, "%who_ls int")
    assert out.endswith("['m', 'n']\n")  # shown as Out


def test_whos(shell: Shell) -> None:
    ok(shell, "n = 1\ntext = 'hi'\nitems = [1, 2, 3]\nlong = 'x' * 100")
    lines = ok(shell, "%whos").splitlines()
    assert lines[0].split() == ["Variable", "Type", "Data/Info"]
    assert set(lines[1]) == {"-"}
    rows = {line.split()[0]: line.split(None, 2)[1:] for line in lines[2:]}
    assert rows["n"] == ["int", "1"]
    assert rows["text"] == ["str", "'hi'"]
    assert rows["items"] == ["list", "n=3"]
    assert rows["long"][1] == "'" + "x" * 24 + "<...>" + "x" * 24 + "'"
    assert ok(shell, "%whos int").splitlines()[2:] == [lines[2 + sorted(rows).index("n")]]


def test_reset_needs_f(shell: Shell) -> None:
    ok(shell, "x = 1")
    line = usage_error(shell, "%reset")
    assert "use %reset -f" in line
    assert "-f" in usage_error(shell, "%reset out")
    assert "don't know how to reset 'bogus'" in usage_error(shell, "%reset -f bogus")
    assert shell.ns["x"] == 1


def test_reset_f(shell: Shell) -> None:
    setup_vars(shell)
    ok(shell, "n")
    dh = shell.ns["_dh"]
    assert ok(shell, "%reset -f") == ""
    assert ok(shell, "%who") == "Interactive namespace is empty.\n"
    ns = shell.ns
    assert "_hidden" not in ns and "_" not in ns and ns["Out"] == {}
    assert ns["_dh"] is dh and "__anymagic__" in ns and "__builtins__" in ns
    assert ns["__name__"] == "__main__"
    ok(shell, "y = 2")  # still works
    assert ok(shell, "y + 1").endswith(": 3\n")


def test_reset_soft_keeps_history(shell: Shell) -> None:
    setup_vars(shell)
    ok(shell, "n")
    ok(shell, "%reset -f -s")
    assert ok(shell, "%who") == "Interactive namespace is empty.\n"
    assert shell.ns["_hidden"] == 1 and shell.ns["Out"] and "_i1" in shell.ns


def test_reset_out_and_in(shell: Shell) -> None:
    ok(shell, "x = 5")
    ok(shell, "x")
    out = ok(shell, "%reset -f out")
    assert out == "Flushing output cache (1 entries)\n"
    assert shell.ns["Out"] == {} and "_2" not in shell.ns and shell.ns["_"] == ""
    assert shell.ns["x"] == 5
    assert ok(shell, "%reset -f in") == "Flushing input history\n"
    assert "_i1" not in shell.ns and shell.ns["_i"] == ""
    assert all(entry == "" for entry in shell.ns["In"])
    count = shell.session.execution_count
    ok(shell, "z = 1")
    assert shell.session.execution_count == count + 1


def test_reset_dhist(shell: Shell) -> None:
    shell.ns["_dh"].append("/somewhere")
    assert ok(shell, "%reset -f dhist") == "Flushing directory history\n"
    assert shell.ns["_dh"] == [os.getcwd()]


def test_xdel(shell: Shell) -> None:
    ok(shell, "big = [1, 2]\nother = 3")
    ok(shell, "big")
    count = shell.session.execution_count - 1
    assert shell.ns["Out"][count] is shell.ns["big"]
    assert ok(shell, "%xdel big") == ""
    assert "big" not in shell.ns and "_" not in shell.ns and f"_{count}" not in shell.ns
    assert count not in shell.ns["Out"]
    assert shell.ns["other"] == 3
    assert usage_error(shell, "%xdel big") == "UsageError: %xdel: name 'big' is not defined"
    assert "one variable NAME" in usage_error(shell, "%xdel")
    ok(shell, "a = [1]\nb = a")
    ok(shell, "%xdel -n a")
    assert "a" not in shell.ns and shell.ns["b"] == [1]
