"""The anymagic kernel passes jupyter_kernel_test's protocol conformance suite."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

import pytest
from conftest import PRIVATE_DIRS, ipc_path

jupyter_kernel_test = pytest.importorskip("jupyter_kernel_test")

from anymagic.kernel import write_kernel_spec  # noqa: E402

_ENV_VARS = (*PRIVATE_DIRS, ("JUPYTER_PATH", "jupyter"))


class AnymagicKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "anymagic"
    language_name = "python"
    file_extension = ".py"

    code_hello_world = "print('hello, world')"
    code_stderr = "import sys; print('test', file=sys.stderr)"
    completion_samples = [  # noqa: RUF012 - the suite's own class attributes
        {"text": "zi", "matches": {"zip"}},
        {"text": "%lsmag", "matches": {"%lsmagic"}},
    ]
    complete_code_samples = [
        "1",
        "print('hello, world')",
        "def f(x):\n  return x*2\n\n\n",
        "%lsmagic",
    ]  # noqa: RUF012
    incomplete_code_samples = ["print('''hello", "def f(x):\n  x*2", "%%timeit\nx = 1"]  # noqa: RUF012
    invalid_code_samples = ["import = 7q"]  # noqa: RUF012
    code_page_something = "print?"
    code_generate_error = "raise ValueError('oops')"
    code_execute_result = [  # noqa: RUF012
        {"code": "1+2+3", "result": "6"},
        {"code": "[n*n for n in range(1, 4)]", "result": "[1, 4, 9]"},
        {
            "code": "class R:\n    def _repr_html_(self): return '<b>r</b>'\nR()",
            "mime": "text/html",
        },
    ]
    code_display_data = [  # noqa: RUF012
        {
            "code": "class R:\n    def _repr_html_(self): return '<b>r</b>'\ndisplay(R())",
            "mime": "text/html",
        },
        {"code": "display(5)", "mime": "text/plain"},
    ]
    code_history_pattern = "1?2*"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "zip"

    _tmp: str
    _saved_env: dict[str, str | None]

    @classmethod
    def setUpClass(cls) -> None:
        from jupyter_client.manager import KernelManager

        cls._tmp = tempfile.mkdtemp(prefix="anymagic-conformance-")
        base = Path(cls._tmp)
        write_kernel_spec(base / "jupyter" / "kernels" / "anymagic", sys.executable)
        cls._saved_env = {var: os.environ.get(var) for var, _ in _ENV_VARS}
        for var, sub in _ENV_VARS:
            os.environ[var] = str(base / sub)
        cls.km = KernelManager(kernel_name=cls.kernel_name, transport="ipc", ip=ipc_path())
        cls.km.shutdown_wait_time = 1
        cls.km.start_kernel()
        cls.kc = cls.km.client()
        cls.kc.start_channels()
        cls.kc.wait_for_ready(timeout=60)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=True)
        for var, value in cls._saved_env.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value
        shutil.rmtree(cls._tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
