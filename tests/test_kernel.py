"""The anymagic Jupyter kernel, driven by a real jupyter_client (one kernel for the module)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import private_env, started_kernel

pytest.importorskip("ipykernel")
pytest.importorskip("jupyter_client")

from anymagic.hosts.richrepr import mime_bundle  # noqa: E402
from anymagic.kernel import kernel_spec, write_kernel_spec  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 30


def kernel_env(base: Path) -> dict[str, str]:
    """Private Jupyter/IPython/anymagic folders under ``base``; the kernelspec in JUPYTER_PATH."""
    write_kernel_spec(base / "jupyter" / "kernels" / "anymagic", sys.executable)
    return {"JUPYTER_PATH": str(base / "jupyter"), **private_env(base)}


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    values = kernel_env(tmp_path_factory.mktemp("kernel"))
    with pytest.MonkeyPatch.context() as mp:
        for key, value in values.items():
            mp.setenv(key, value)
        mp.delenv("ANYMAGIC_DISABLE", raising=False)
        mp.delenv("ANYMAGIC_NO_AUTOLOAD", raising=False)
        yield values


@pytest.fixture(scope="module")
def kernel(env: dict[str, str]) -> Iterator[tuple[Any, Any]]:
    with started_kernel("anymagic", {**os.environ, **env}) as (km, kc):
        yield km, kc


def run(kc: Any, code: str, **kwargs: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Execute ``code``; the reply's content and the IOPub messages it caused."""
    outputs: list[dict[str, Any]] = []
    reply = kc.execute_interactive(code, timeout=TIMEOUT, output_hook=outputs.append, **kwargs)
    return reply["content"], outputs


def of_type(outputs: list[dict[str, Any]], msg_type: str) -> list[dict[str, Any]]:
    return [m["content"] for m in outputs if m["header"]["msg_type"] == msg_type]


def stdout(outputs: list[dict[str, Any]]) -> str:
    return "".join(c["text"] for c in of_type(outputs, "stream") if c["name"] == "stdout")


# -- unit: mime bundles ------------------------------------------------------------------------
def test_mime_bundle_formats() -> None:
    class Rich:
        def _repr_html_(self) -> str:
            return "<b>x</b>"

        def _repr_png_(self) -> bytes:
            return b"\x89PNG"

        def _repr_markdown_(self) -> None:
            return None

        def _repr_latex_(self) -> tuple[str, dict[str, Any]]:
            return "$x$", {"k": 1}

        def _repr_svg_(self) -> str:
            raise ValueError("broken")

        def __repr__(self) -> str:
            return "Rich()"

    data, metadata = mime_bundle(Rich())
    assert data == {
        "text/html": "<b>x</b>",
        "image/png": "iVBORw==",
        "text/latex": "$x$",
        "text/plain": "Rich()",
    }
    assert metadata == {"text/latex": {"k": 1}}
    assert mime_bundle(Rich)[0].keys() == {"text/plain"}  # a class is not rendered richly


def test_mime_bundle_mimebundle_method_and_pprint() -> None:
    class Bundle:
        def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
            return {"text/plain": "B", "application/json": {"a": 1}}, {"m": 2}

    assert mime_bundle(Bundle()) == ({"text/plain": "B", "application/json": {"a": 1}}, {"m": 2})
    long = list(range(40))
    assert "\n" in mime_bundle(long)[0]["text/plain"]
    assert mime_bundle(long, pretty=False)[0]["text/plain"] == repr(long)


def test_kernelspec() -> None:
    spec = kernel_spec("/py")
    assert spec["argv"] == ["/py", "-m", "anymagic.kernel", "-f", "{connection_file}"]
    assert spec["display_name"] == "anymagic (Python 3)"
    assert spec["language"] == "python"


def test_install_with_prefix(tmp_path: Path) -> None:
    import subprocess

    proc = subprocess.run(
        [sys.executable, "-m", "anymagic.kernel", "install", "--prefix", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    spec = tmp_path / "share" / "jupyter" / "kernels" / "anymagic" / "kernel.json"
    assert '"anymagic (Python 3)"' in spec.read_text()


# -- the kernel over jupyter_client -------------------------------------------------------------
def test_kernel_info(kernel: tuple[Any, Any]) -> None:
    _, kc = kernel
    reply = kc.kernel_info(reply=True, timeout=TIMEOUT)["content"]
    assert reply["implementation"] == "anymagic"
    assert reply["language_info"]["name"] == "python"
    assert "anymagic" in reply["banner"]


def test_execute_print_and_result(kernel: tuple[Any, Any]) -> None:
    _, kc = kernel
    reply, outputs = run(kc, "print('hello')\n6 * 7")
    assert reply["status"] == "ok"
    assert stdout(outputs) == "hello\n"
    (result,) = of_type(outputs, "execute_result")
    assert result["data"]["text/plain"] == "42"
    assert result["execution_count"] == reply["execution_count"]
    reply2, _ = run(kc, "x = 1")
    assert reply2["execution_count"] == reply["execution_count"] + 1


def test_rich_display(kernel: tuple[Any, Any]) -> None:
    _, kc = kernel
    code = "class H:\n    def _repr_html_(self):\n        return '<i>hi</i>'\nH()"
    reply, outputs = run(kc, code)
    (result,) = of_type(outputs, "execute_result")
    assert result["data"]["text/html"] == "<i>hi</i>"
    assert "text/plain" in result["data"]
    _, outputs = run(kc, "display(H(), 5)")
    shown = of_type(outputs, "display_data")
    assert [d["data"].get("text/html") for d in shown] == ["<i>hi</i>", None]
    assert shown[1]["data"]["text/plain"] == "5"


def test_error_traceback_shows_cell_lines(kernel: tuple[Any, Any]) -> None:
    _, kc = kernel
    reply, outputs = run(kc, "def f():\n    return 1 / 0\nf()")
    assert reply["status"] == "error"
    assert reply["ename"] == "ZeroDivisionError"
    (error,) = of_type(outputs, "error")
    text = "\n".join(error["traceback"])
    assert "return 1 / 0" in text
    assert "anymagic/" not in text  # anymagic's own frames are hidden


def test_usage_error(kernel: tuple[Any, Any]) -> None:
    _, kc = kernel
    reply, outputs = run(kc, "%no_such_magic")
    assert reply["status"] == "error"
    assert reply["ename"] == "UsageError"
    assert of_type(outputs, "error")[0]["traceback"] == [f"UsageError: {reply['evalue']}"]


def test_line_and_cell_magics(kernel: tuple[Any, Any]) -> None:
    _, kc = kernel
    reply, outputs = run(kc, "%lsmagic")
    assert reply["status"] == "ok"
    assert "%timeit" in stdout(outputs)
    reply, outputs = run(kc, "%%timeit -n1 -r1\ny = sum(range(10))")
    assert reply["status"] == "ok"
    assert "per loop" in stdout(outputs)


def test_shell_command_streams_lines(kernel: tuple[Any, Any]) -> None:
    _, kc = kernel
    reply, outputs = run(kc, "!echo one; echo two")
    assert reply["status"] == "ok"
    assert [c["text"] for c in of_type(outputs, "stream")] == ["one\n", "two\n"]
    _, outputs = run(kc, "lines = !echo captured\nlines")
    assert "captured" in of_type(outputs, "execute_result")[0]["data"]["text/plain"]


def test_doctest_mode_plain_repr(kernel: tuple[Any, Any]) -> None:
    _, kc = kernel
    _, outputs = run(kc, "list(range(40))")
    assert "\n" in of_type(outputs, "execute_result")[0]["data"]["text/plain"]
    run(kc, "%doctest_mode")
    try:
        _, outputs = run(kc, "list(range(40))")
        assert of_type(outputs, "execute_result")[0]["data"]["text/plain"] == repr(list(range(40)))
    finally:
        run(kc, "%doctest_mode")


def test_complete(kernel: tuple[Any, Any]) -> None:
    _, kc = kernel
    reply = kc.complete("%lsm", 4, reply=True, timeout=TIMEOUT)["content"]
    assert "%lsmagic" in reply["matches"]
    assert (reply["cursor_start"], reply["cursor_end"]) == (0, 4)
    run(kc, "my_variable_xyz = 1")
    reply = kc.complete("a = my_variable_x", reply=True, timeout=TIMEOUT)["content"]
    assert reply["matches"] == ["my_variable_xyz"]
    assert reply["cursor_start"] == 4
    reply = kc.complete("%lsmagic --", reply=True, timeout=TIMEOUT)["content"]
    assert reply["matches"] == ["--verbose"]
    assert (reply["cursor_start"], reply["cursor_end"]) == (9, 11)


def test_inspect(kernel: tuple[Any, Any]) -> None:
    _, kc = kernel
    reply = kc.inspect("len", 3, reply=True, timeout=TIMEOUT)["content"]
    assert reply["found"] is True
    assert "builtin_function_or_method" in reply["data"]["text/plain"]
    reply = kc.inspect("%lsmagic", 5, reply=True, timeout=TIMEOUT)["content"]
    assert reply["found"] is True
    assert "lsmagic" in reply["data"]["text/plain"]
    run(kc, "def documented():\n    'Some doc.'\n    return 1")
    reply = kc.inspect("documented(", 11, detail_level=1, reply=True, timeout=TIMEOUT)["content"]
    assert "return 1" in reply["data"]["text/plain"]  # detail 1 shows the source
    reply = kc.inspect("no_such_name_here", 5, reply=True, timeout=TIMEOUT)["content"]
    assert reply["found"] is False


@pytest.mark.parametrize(
    ("code", "status", "indent"),
    [
        ("x = 1", "complete", None),
        ("for i in range(3):", "incomplete", "    "),
        ("%%timeit\nx = 1", "incomplete", ""),
        ("%lsmagic", "complete", None),
        ("1 +* 2", "invalid", None),
    ],
)
def test_is_complete(kernel: tuple[Any, Any], code: str, status: str, indent: Any) -> None:
    _, kc = kernel
    msg_id = kc.is_complete(code)
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    assert reply["parent_header"]["msg_id"] == msg_id
    reply = reply["content"]
    assert reply["status"] == status
    if indent is not None:
        assert reply["indent"] == indent


def test_history(kernel: tuple[Any, Any]) -> None:
    _, kc = kernel
    run(kc, "history_marker = 'hm'")
    reply = kc.history(hist_access_type="tail", n=3, reply=True, timeout=TIMEOUT)["content"]
    assert reply["status"] == "ok"
    assert reply["history"][-1][2] == "history_marker = 'hm'"
    reply = kc.history(
        hist_access_type="search", pattern="history_marker*", reply=True, timeout=TIMEOUT
    )["content"]
    assert [h[2] for h in reply["history"]] == ["history_marker = 'hm'"]
    reply = kc.history(
        hist_access_type="range", session=0, start=1, stop=3, output=True, reply=True
    )["content"]
    assert [h[1] for h in reply["history"]] == [1, 2]
    assert reply["history"][0][2][1] == "42"  # the first cell's result (6 * 7)


def test_malformed_and_unknown_requests(kernel: tuple[Any, Any]) -> None:
    _, kc = kernel
    msg = kc.session.msg("execute_request", {"silent": False})
    kc.shell_channel.send(msg)
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    assert reply["parent_header"]["msg_id"] == msg["header"]["msg_id"]
    assert reply["content"]["status"] == "error"
    msg = kc.session.msg("no_such_request", {})
    kc.shell_channel.send(msg)
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    assert reply["msg_type"] == "no_such_reply"
    assert reply["content"]["status"] == "error"
    reply, _ = run(kc, "'still here'")
    assert reply["status"] == "ok"


def test_input_without_stdin(kernel: tuple[Any, Any]) -> None:
    _, kc = kernel
    reply, _ = run(kc, "input('name? ')", allow_stdin=False)
    assert reply["status"] == "error"
    assert reply["ename"] == "StdinNotImplementedError"


def test_interrupt(kernel: tuple[Any, Any]) -> None:
    km, kc = kernel
    msg_id = kc.execute("while True: pass")
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:  # wait until the loop runs
        msg = kc.get_iopub_msg(timeout=TIMEOUT)
        if msg["msg_type"] == "execute_input" and msg["parent_header"]["msg_id"] == msg_id:
            break
    time.sleep(0.2)
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    assert reply["parent_header"]["msg_id"] == msg_id
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    reply, outputs = run(kc, "1 + 1")
    assert reply["status"] == "ok"
    assert of_type(outputs, "execute_result")[0]["data"]["text/plain"] == "2"


def test_interrupt_of_an_await_cell_stops_the_task(kernel: tuple[Any, Any]) -> None:
    km, kc = kernel
    run(kc, "import asyncio, threading, time\nticks = []")
    msg_id = kc.execute("while True:\n    ticks.append(1)\n    await asyncio.sleep(0.05)")
    time.sleep(0.5)
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    assert reply["parent_header"]["msg_id"] == msg_id
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    assert not any("compiling.py" in line for line in reply["content"]["traceback"])
    reply, outputs = run(kc, "n = len(ticks); time.sleep(0.3); print(len(ticks) - n)")
    assert of_type(outputs, "stream")[0]["text"] == "0\n"  # nothing runs on behind the prompt


def test_restart(kernel: tuple[Any, Any]) -> None:  # last: it resets the namespace
    km, kc = kernel
    run(kc, "before_restart = 1")
    km.restart_kernel(now=True)
    kc.wait_for_ready(timeout=60)
    reply, _ = run(kc, "before_restart")
    assert reply["status"] == "error"
    assert reply["ename"] == "NameError"
    reply, _ = run(kc, "%lsmagic")
    assert reply["status"] == "ok"


def test_notebook_runs(env: dict[str, str]) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(ROOT / "docs" / "examples" / "magics-tour.ipynb", as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name="anymagic", timeout=60)
    client.km = client.create_kernel_manager()
    client.km.transport = "ipc"
    client.km.shutdown_wait_time = 1
    client.execute()
    outputs = {cell.source: cell.outputs for cell in nb.cells if cell.cell_type == "code"}
    assert "%timeit" in outputs["%lsmagic"][0]["text"]
    apples = outputs["apples = 21\nprint(f'{apples} apples')\napples * 2"]
    assert apples[0]["text"] == "21 apples\n"
    assert apples[1]["output_type"] == "execute_result"
    assert apples[1]["data"]["text/plain"] == "42"
    assert outputs["!echo hello from the shell"][0]["text"] == "hello from the shell\n"
    assert outputs["%shout hello notebook"][0]["data"]["text/plain"] == "'HELLO NOTEBOOK!'"
    assert any("text/html" in out.get("data", {}) for cell in outputs.values() for out in cell)
    errors = [out for cell in outputs.values() for out in cell if out["output_type"] == "error"]
    assert errors == []


def test_without_the_kernel_packages_a_one_line_message(monkeypatch, capsys) -> None:
    import importlib.util

    from anymagic import kernel as kernel_module

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "ipykernel" else real(name)
    )
    assert kernel_module.main(["install", "--user"]) == 2
    assert capsys.readouterr().err == (
        "anymagic.kernel: the Jupyter kernel needs ipykernel: pip install 'anymagic[kernel]'\n"
    )
