"""A pytest suite that checks a host against anymagic's host protocol.

Use it from your own test module::

    from anymagic.testing import HostConformance

    class TestMyHost(HostConformance):
        def make_host(self, tmp_path):
            host = MyHost(data_dir=tmp_path / "anymagic")
            host.session = Session(host)
            return host

pytest then runs every ``test_*`` method below on your host.  The contract:

``make_host(self, tmp_path) -> host`` (required)
    A fresh host implementing :class:`anymagic.Host`, already attached to a
    :class:`~anymagic.Session`; ``tmp_path`` is a private folder for its ``data_dir``.
``session_of(self, host) -> Session`` (optional)
    The host's session; the default reads ``host.session``.
``read_output(self, host) -> str`` (optional)
    Everything the host has shown (both streams, in order) since the previous call.  The
    default reads what reached file descriptors 1 and 2 (pytest's ``capfd``), which suits
    hosts that print to ``sys.stdout``/``sys.stderr``; a host that shows output elsewhere
    (a widget, a message queue, a recording list) returns that instead.
``sync(self, host)`` (optional)
    Called after the kit registers magics or loads or unloads an extension directly
    through the session; a host that mirrors the session's registry elsewhere (IPython's
    magics manager) refreshes it here.  The default does nothing.
``close_host(self, host)`` (optional)
    Called after each test; the default does nothing.
``skip_checks`` (optional class attribute)
    Names of checks your host cannot pass on purpose (each is then skipped, with the
    reason given as the value of a ``dict`` entry).

Everything else is the kit's own: it registers a small group of magics
(:class:`ConformanceMagics`) into the session and writes a throw-away extension module
into ``tmp_path``, so the checks do not depend on anymagic's built-in magics.  Code runs
through ``host.run_cell(...)`` and results are read back through ``host.user_ns``, which
works for every host; only the output checks use ``read_output``.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from anymagic.registry.arguments import argument, magic_arguments, parse_argstring
from anymagic.registry.completion import complete
from anymagic.registry.decorators import cell_magic, line_magic, magics_class
from anymagic.registry.errors import UsageError
from anymagic.registry.host import Host
from anymagic.registry.magics import Magics

__all__ = ["ConformanceMagics", "HostConformance", "host_fixture"]


@magics_class
class ConformanceMagics(Magics):
    """The magics the conformance kit registers into the session under test."""

    @line_magic
    def kit_echo(self, line: str) -> str:
        """Store the (expanded) line in ``_kit_line`` and return it."""
        self.shell.user_ns["_kit_line"] = line
        return line

    @cell_magic
    def kit_cell(self, line: str, cell: str) -> int:
        """Store ``(line, cell)`` in ``_kit_cell``; return the number of body lines."""
        self.shell.user_ns["_kit_cell"] = (line, cell)
        return len(cell.splitlines())

    @magic_arguments()
    @argument("-n", type=int, default=1, help="a number")
    @line_magic
    def kit_args(self, line: str) -> None:
        """Parse ``-n N`` (a bad option is a UsageError) and store N in ``_kit_n``."""
        args = parse_argstring(self.kit_args, line)
        self.shell.user_ns["_kit_n"] = args.n

    @line_magic
    def kit_run(self, line: str) -> None:
        """Run ``line`` as a cell through the host, as a macro would."""
        self.shell.host.run_cell(line)


EXTENSION_SOURCE = '''\
"""An extension written by anymagic's conformance kit."""


def kit_ext_magic(line):
    return "ext:" + line


def _count(result=None):
    ns = _ip.user_ns
    ns["kit_ext_events"] = ns.get("kit_ext_events", 0) + 1


_ip = None


def load_extension(session):
    global _ip
    _ip = session
    session.register_magic_function(kit_ext_magic, "line", "kit_ext_magic")
    session.register_event("post_execute", _count)
    session.user_ns["kit_ext_loaded"] = True


def unload_extension(session):
    session.user_ns["kit_ext_unloaded"] = True
'''


def host_fixture(
    factory: Callable[[Path], Any], *, name: str = "host"
) -> Callable[..., Iterator[Any]]:
    """A pytest fixture (named ``name``) giving ``factory(tmp_path)``, with a private ANYMAGIC_DIR.

    In a test module: ``host = host_fixture(lambda tmp: MyHost(tmp).attached())``; a host
    with a ``close()`` method is closed after the test.
    """

    @pytest.fixture(name=name)
    def _host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
        monkeypatch.setenv("ANYMAGIC_DIR", str(tmp_path / "anymagic"))
        host = factory(tmp_path)
        yield host
        close = getattr(host, "close", None)
        if callable(close):
            close()

    return _host


class HostConformance:
    """Subclass (as ``Test...``) and define :meth:`make_host` to check a host."""

    #: {check name: reason} for checks a host deliberately does not pass.
    skip_checks: dict[str, str] = {}

    # -- what a host author provides ------------------------------------------------------
    def make_host(self, tmp_path: Path) -> Any:
        raise NotImplementedError("define make_host(self, tmp_path) returning an attached host")

    def session_of(self, host: Any) -> Any:
        return host.session

    def read_output(self, host: Any) -> str:
        out, err = self._capfd.readouterr()
        return out + err

    def sync(self, host: Any) -> None:
        pass

    def close_host(self, host: Any) -> None:
        pass

    # -- fixtures -------------------------------------------------------------------------
    @pytest.fixture
    def host(
        self,
        request: pytest.FixtureRequest,
        tmp_path: Path,
        capfd: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
    ) -> Iterator[Any]:
        reason = self.skip_checks.get(request.node.originalname or request.node.name)
        if reason:
            pytest.skip(reason)
        self._capfd = capfd
        monkeypatch.setenv("ANYMAGIC_DIR", str(tmp_path / "anymagic"))
        monkeypatch.syspath_prepend(str(tmp_path))
        host = self.make_host(tmp_path)
        self.session_of(host).register_magics(ConformanceMagics)
        self.sync(host)
        self.read_output(host)  # drop banners and start-up messages
        yield host
        self.close_host(host)

    # -- helpers --------------------------------------------------------------------------
    def run(self, host: Any, source: str, *, store_history: bool = True) -> Any:
        """Run a cell as typed; return what ``host.run_cell`` returns."""
        return host.run_cell(source, store_history=store_history)

    def assert_ran(self, host: Any, source: str) -> None:
        """Run ``source`` and check it succeeded, through a flag it sets in the namespace."""
        host.user_ns.pop("_kit_ok", None)
        self.run(host, source + "\n_kit_ok = True")
        output = self.read_output(host)
        assert host.user_ns.get("_kit_ok") is True, f"cell failed: {source!r}\n{output}"

    # -- the checks -----------------------------------------------------------------------
    def test_protocol_members(self, host: Any) -> None:
        assert isinstance(host, Host), "missing members of anymagic.Host"
        assert isinstance(host.user_ns, dict)
        assert isinstance(Path(host.data_dir), Path)
        session = self.session_of(host)
        assert session.host is host or session.user_ns is host.user_ns

    def test_namespace(self, host: Any) -> None:
        ns = host.user_ns
        assert "__anymagic__" in ns, "the session's runtime is missing from user_ns"
        ns["kit_in"] = 20
        self.run(host, "kit_out = kit_in * 2 + 2")
        assert ns["kit_out"] == 42
        self.run(host, "import math as kit_math\ndef kit_f():\n    return kit_math.pi")
        assert ns["kit_f"]() == pytest.approx(3.14159, abs=1e-4)

    def test_run_cell(self, host: Any) -> None:
        ns = host.user_ns
        count = len(host.history)
        self.run(host, "kit_value = 20\nkit_value * 2 + 2")
        assert ns["_"] == 42
        assert ns["Out"][count] == 42 and ns[f"_{count}"] == 42
        self.run(host, "for kit_i in range(3):\n    kit_last = kit_i\n")
        assert ns["kit_last"] == 2
        self.run(host, "async def kit_co():\n    return 7\nkit_awaited = await kit_co()")
        assert ns["kit_awaited"] == 7

    def test_run_cell_from_magic(self, host: Any) -> None:
        self.run(host, "%kit_run kit_nested = 5")
        assert host.user_ns["kit_nested"] == 5

    def test_history(self, host: Any) -> None:
        history = host.history
        assert history[0] == ""
        start = len(history)
        self.run(host, "kit_h = 1")
        self.run(host, "%kit_echo two")
        assert len(history) == start + 2
        assert history[start] == "kit_h = 1" and history[start + 1] == "%kit_echo two"
        assert host.user_ns[f"_i{start + 1}"] == "%kit_echo two"
        self.run(host, "kit_h = 3", store_history=False)
        assert len(history) == start + 2

    def test_events(self, host: Any) -> None:
        seen: list[tuple[str, Any]] = []
        names = ("pre_execute", "pre_run_cell", "post_execute", "post_run_cell")
        callbacks = {}
        for name in names:
            if name.endswith("run_cell"):
                callbacks[name] = lambda result, name=name: seen.append((name, result))
            else:
                callbacks[name] = lambda name=name: seen.append((name, None))
            host.events.register(name, callbacks[name])
        self.run(host, "kit_e = 1")
        assert [name for name, _ in seen] == list(names)
        info = dict(seen)["pre_run_cell"]
        assert getattr(info, "source", "kit_e = 1") == "kit_e = 1"
        seen.clear()
        self.session_of(host).run_cell("kit_e = 2", silent=True)
        assert [name for name, _ in seen] == ["pre_execute", "post_execute"]
        for name in names:
            host.events.unregister(name, callbacks[name])
        seen.clear()
        self.run(host, "kit_e = 3")
        assert seen == []

    def test_output_write(self, host: Any) -> None:
        host.write("kit-out\n")
        host.write("kit-err\n", "stderr")
        self.run(host, "print('kit-print')")
        output = self.read_output(host)
        for text in ("kit-out", "kit-err", "kit-print"):
            assert text in output, (text, output)

    def test_display(self, host: Any) -> None:
        self.run(host, "6 * 7")
        assert "42" in self.read_output(host)
        self.run(host, "6 * 9;")
        assert "54" not in self.read_output(host), "a trailing ; must hide the value"
        host.display("kit-shown")
        assert "kit-shown" in self.read_output(host)

    def test_line_magic(self, host: Any) -> None:
        ns = host.user_ns
        ns["kit_name"] = "world"
        self.run(host, "%kit_echo hello $kit_name {1 + 1}")
        assert ns["_kit_line"] == "hello world 2"
        self.run(host, "kit_r = %kit_echo assigned")
        assert ns["kit_r"] == "assigned"
        self.run(
            host, "def kit_g():\n    kit_v = %kit_echo inside\n    return kit_v\nkit_gr = kit_g()"
        )
        assert ns["kit_gr"] == "inside"

    def test_cell_magic(self, host: Any) -> None:
        self.run(host, "%%kit_cell -x 1\nfirst line\n  second: not python\n")
        line, cell = host.user_ns["_kit_cell"]
        assert line == "-x 1"
        assert cell.splitlines() == ["first line", "  second: not python"]

    def test_extension_load_unload(self, host: Any, tmp_path: Path) -> None:
        name = f"anymagic_kit_ext_{uuid.uuid4().hex[:8]}"
        (tmp_path / f"{name}.py").write_text(EXTENSION_SOURCE, "utf-8")
        session, ns = self.session_of(host), host.user_ns
        try:
            session.extensions.load(name)
            self.sync(host)
            assert ns["kit_ext_loaded"] is True
            self.run(host, "kit_x = %kit_ext_magic hi")
            assert ns["kit_x"] == "ext:hi"
            assert ns.get("kit_ext_events", 0) >= 1
            session.extensions.unload(name)
            self.sync(host)
            assert ns["kit_ext_unloaded"] is True
            events = ns["kit_ext_events"]
            self.run(host, "kit_y = %kit_ext_magic hi")
            assert "kit_y" not in ns, "the extension's magic survived its unload"
            assert ns["kit_ext_events"] == events, "the extension's event survived its unload"
            assert "UsageError" in self.read_output(host)
        finally:
            sys.modules.pop(name, None)

    def test_usage_error_is_one_line(self, host: Any) -> None:
        self.run(host, "%kit_args -n notanumber")
        output = self.read_output(host)
        assert "Traceback" not in output, output
        assert [line for line in output.splitlines() if "UsageError" in line], output
        self.run(host, "%kit_nosuch_magic")
        output = self.read_output(host)
        lines = [line for line in output.splitlines() if line.strip()]
        assert len(lines) == 1 and "UsageError" in lines[0], output
        result = self.session_of(host).run_cell("%kit_args -n 3")
        assert result.success and host.user_ns["_kit_n"] == 3
        with pytest.raises(UsageError):
            self.session_of(host).run_line_magic("kit_args", "--nosuch")

    def test_error_traceback(self, host: Any) -> None:
        self.run(host, "def kit_fail():\n    raise ValueError('kit-boom')\nkit_fail()")
        output = self.read_output(host)
        assert "ValueError" in output and "kit-boom" in output, output
        assert "kit_fail" in output, "the traceback should show the user's frames"
        assert "registry/session.py" not in output.replace("\\", "/"), output
        self.assert_ran(host, "kit_after = 1")
        self.run(host, "kit_bad syntax here")
        assert "SyntaxError" in self.read_output(host)
        self.assert_ran(host, "kit_after = 2")

    def test_system(self, host: Any) -> None:
        ns = host.user_ns
        ns["kit_word"] = "kit-sys"
        self.run(host, "!echo $kit_word")
        assert "kit-sys" in self.read_output(host)
        assert ns["_exit_code"] == 0
        self.run(host, "!exit 3")
        assert ns["_exit_code"] == 3
        self.run(host, "kit_lines = !printf 'a\\nb\\n'")
        assert list(ns["kit_lines"]) == ["a", "b"]
        assert host.system("echo direct", capture=True) == ["direct"]

    def test_completion(self, host: Any) -> None:
        found = complete(self.session_of(host), "%kit_ec")
        assert "%kit_echo" in found.matches
        found = complete(self.session_of(host), "%kit_args -")
        assert "-n" in found.matches

    def test_help(self, host: Any) -> None:
        self.run(host, "%kit_echo?")
        assert "Store the (expanded) line" in self.read_output(host)
