"""``python -m anymagic.kernel``: start the anymagic Jupyter kernel, or install its kernelspec.

    python -m anymagic.kernel install [--user | --sys-prefix | --prefix PREFIX] [--name NAME]
    python -m anymagic.kernel -f CONNECTION_FILE

The kernelspec (``anymagic``, "anymagic (Python 3)") runs this interpreter with
``-m anymagic.kernel -f {connection_file}``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

KERNEL_NAME = "anymagic"
DISPLAY_NAME = "anymagic (Python 3)"

INSTALL_USAGE = """\
usage: python -m anymagic.kernel install [--user | --sys-prefix | --prefix PREFIX] [--name NAME]
                                         [--display-name TEXT]

Install the anymagic kernelspec (default: system-wide, as `jupyter kernelspec install`).
"""


def kernel_spec(executable: str | None = None, display_name: str = DISPLAY_NAME) -> dict[str, Any]:
    """The ``kernel.json`` content for this interpreter."""
    return {
        "argv": [executable or sys.executable, "-m", "anymagic.kernel", "-f", "{connection_file}"],
        "display_name": display_name,
        "language": "python",
        "interrupt_mode": "signal",
        "metadata": {"debugger": False},
    }


def write_kernel_spec(folder: Any, executable: str | None = None, **kwargs: Any) -> Any:
    """Write ``kernel.json`` into ``folder`` (created if needed); return the folder's path."""
    from pathlib import Path

    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    (path / "kernel.json").write_text(json.dumps(kernel_spec(executable, **kwargs), indent=1))
    return path


def install(
    user: bool = False,
    prefix: str | None = None,
    name: str = KERNEL_NAME,
    display_name: str = DISPLAY_NAME,
) -> str:
    """Install the kernelspec with jupyter_client; return where it went."""
    import tempfile

    from jupyter_client.kernelspec import KernelSpecManager

    with tempfile.TemporaryDirectory() as tmp:
        folder = write_kernel_spec(f"{tmp}/{name}", display_name=display_name)
        return KernelSpecManager().install_kernel_spec(
            str(folder), name, user=user, prefix=prefix, replace=True
        )


def _install_main(argv: list[str]) -> int:
    user, prefix, name, display_name = False, None, KERNEL_NAME, DISPLAY_NAME
    args = iter(argv)
    for arg in args:
        if arg in ("-h", "--help"):
            sys.stdout.write(INSTALL_USAGE)
            return 0
        if arg == "--user":
            user = True
        elif arg == "--sys-prefix":
            prefix = sys.prefix
        elif arg in ("--prefix", "--name", "--display-name") or arg.startswith(
            ("--prefix=", "--name=", "--display-name=")
        ):
            key, _, value = arg.partition("=")
            if not value:
                value = next(args, "")
            if not value:
                sys.stderr.write(f"anymagic.kernel: {key} needs a value\n{INSTALL_USAGE}")
                return 2
            if key == "--prefix":
                prefix = value
            elif key == "--name":
                name = value
            else:
                display_name = value
        else:
            sys.stderr.write(f"anymagic.kernel: unknown option {arg!r}\n{INSTALL_USAGE}")
            return 2
    if user and prefix:
        sys.stderr.write("anymagic.kernel: --user and --prefix/--sys-prefix exclude each other\n")
        return 2
    where = install(user=user, prefix=prefix, name=name, display_name=display_name)
    sys.stdout.write(f"Installed kernelspec {name} in {where}\n")
    return 0


def _missing_requirements() -> str | None:
    """The kernel's packages that are not installed, as one line, or None."""
    import importlib.util

    missing = [n for n in ("ipykernel", "jupyter_client") if importlib.util.find_spec(n) is None]
    if not missing:
        return None
    return (
        f"anymagic.kernel: the Jupyter kernel needs {' and '.join(missing)}: "
        "pip install 'anymagic[kernel]'\n"
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    missing = _missing_requirements()
    if missing:
        sys.stderr.write(missing)
        return 2
    if argv[:1] == ["install"]:
        return _install_main(argv[1:])
    from ipykernel.kernelapp import IPKernelApp

    from anymagic.hosts.kernel import AnymagicKernel

    IPKernelApp.launch_instance(argv=argv, kernel_class=AnymagicKernel)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
