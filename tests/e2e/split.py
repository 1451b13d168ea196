"""A split deployment for crash tests: a nats-server and ``pinnace run api|engine|sensors|eventsources``
as separate processes, each in a process group of its own; ``kill(plane)``/``restart(plane)`` crash
and restart one plane while the others run on. ``split()`` always leaves no process behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from tests.e2e.harness import (
    ApiReader,
    await_ready_line,
    free_port,
    kill_tree,
    processes_using,
)


class PlaneProcess:
    """One ``pinnace run PLANE ...`` subprocess in a session of its own, stdout/stderr in files."""

    def __init__(self, key: str, args: list[str], logs: Path, wait_ports: tuple[int, ...] = ()) -> None:
        self.key, self.args, self.logs, self.wait_ports = key, args, logs, wait_ports
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.line = ""

    @property
    def log_path(self) -> Path:
        return self.logs / f"{self.key.replace('/', '-')}-{self.starts}.log"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float = 60.0) -> PlaneProcess:
        """Launch; return once ``pinnace <plane> ready`` is printed and every ``wait_ports`` port listens."""
        self.starts += 1
        out_path = self.log_path.with_suffix(".out")
        with open(out_path, "wb") as out, open(self.log_path, "wb") as err:
            self.proc = subprocess.Popen([sys.executable, "-m", "pinnace", "run", *self.args], stdout=out,
                                         stderr=err, stdin=subprocess.DEVNULL, start_new_session=True)
        prefix = f"pinnace {self.args[0]} ready"
        self.line = await_ready_line(self.proc, out_path, prefix, self.wait_ports, timeout)
        if self.line:
            return self
        tail = self.log_tail()
        self.kill()
        raise AssertionError(f"{self.key} never printed {prefix!r}; stderr tail:\n{tail}")

    def kill(self) -> None:
        """The crash: SIGKILL this plane and everything below it (an engine's pods too)."""
        if self.proc is not None:
            kill_tree(self.proc.pid)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(10)

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM; the exit code (SIGKILLed and an AssertionError when it hangs)."""
        assert self.proc is not None
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"{self.key} did not stop within {timeout}s; log tail:\n{self.log_tail()}") from None

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


class NatsProcess:
    """The shared nats-server (``bus.embedded.EmbeddedNats``): its own session, same port and store
    across restarts, so the planes' clients reconnect to the same URL and find the same stream."""

    key = "nats"

    def __init__(self, store: Path) -> None:
        from bus.embedded import EmbeddedNats

        self.server = EmbeddedNats(store)
        self.starts = 0

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def pid(self) -> int | None:
        return self.server.pid

    def alive(self) -> bool:
        return self.server.running

    def start(self, timeout: float = 60.0) -> NatsProcess:
        self.starts += 1
        self.server.start_blocking()
        return self

    def kill(self) -> None:
        if self.server.pid is not None:
            kill_tree(self.server.pid)
        self.server.kill()  # reaps it and forgets the process; the port and store stay

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM (JetStream flushes); 0 once it is gone. nats-server is not ours: no exit code kept."""
        self.server.stop_blocking(timeout)
        return 0 if not self.server.running else 1

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.server.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


Plane = PlaneProcess | NatsProcess


class SplitDeployment(ApiReader):
    """nats-server, ``pinnace run api``, ``engine``, ``eventsources`` and ``sensors`` as separate
    processes on one data dir, each in its own process group; any single plane can be SIGKILLed
    (``kill``) and started again (``start``), and ``kill_all`` leaves no process behind.

    The API listens on a port fixed at construction, so a restarted API serves the kubeconfig the
    other planes already hold; the webhook ports in ``wait_ports`` are awaited whenever the
    event-source plane (re)starts.
    """

    ORDER = ("nats", "api", "engine", "sensors", "eventsources")

    def __init__(self, data_dir: Path, files: list[Path], wait_ports: tuple[int, ...] = ()) -> None:
        self.data_dir = data_dir
        self.files = files
        self.api_port = free_port()
        logs = data_dir.parent / f"{data_dir.name}-logs"
        logs.mkdir(parents=True, exist_ok=True)
        self.nats = NatsProcess(data_dir / "natsd")
        d = ["--data-dir", str(data_dir)]
        self.planes: dict[str, Plane] = {"nats": self.nats, "api": PlaneProcess(
            "api", ["api", *d, "--port", str(self.api_port)], logs)}
        self.planes["engine"] = PlaneProcess("engine", ["engine", *d], logs)
        self._event_args = d
        self._logs, self._wait_ports = logs, wait_ports

    @property
    def api(self) -> str:
        return f"https://127.0.0.1:{self.api_port}"

    @property
    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.data_dir / "tls.crt"))

    def start(self) -> SplitDeployment:
        self.nats.start()
        self.planes["api"].start()
        for f in self.files:
            applied = self.cli("apply", "-f", str(f))
            assert applied.returncode == 0, f"apply {f}: {applied.stderr}"
        bus = ["--nats-url", self.nats.url, *self._event_args]
        self.planes["sensors"] = PlaneProcess("sensors", ["sensors", *bus], self._logs)
        self.planes["eventsources"] = PlaneProcess("eventsources", ["eventsources", *bus], self._logs,
                                                   self._wait_ports)
        for key in self.ORDER[2:]:
            self.planes[key].start()
        return self

    def kill(self, key: str) -> None:
        self.planes[key].kill()

    def restart(self, key: str) -> None:
        self.planes[key].start()

    def alive(self) -> dict[str, bool]:
        return {k: p.alive() for k, p in self.planes.items()}

    def stop(self) -> dict[str, int]:
        """SIGTERM every plane, event planes first, the bus last; their exit codes."""
        return {k: self.planes[k].stop() for k in reversed(self.ORDER) if k in self.planes}

    def kill_all(self) -> None:
        for key in reversed(self.ORDER):
            if key in self.planes:
                self.planes[key].kill()
        # Anything reparented away (an orphaned pod) still names the data dir.
        deadline = time.monotonic() + 5
        while (left := processes_using(self.data_dir)) and time.monotonic() < deadline:
            for p in left:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(p, signal.SIGKILL)
            time.sleep(0.1)

    def log_tails(self, chars: int = 1500) -> str:
        return "\n".join(f"--- {k} (start {getattr(p, 'starts', '?')}):\n{p.log_tail(chars)}"
                         for k, p in self.planes.items())


@contextlib.contextmanager
def split(data_dir: Path, *files: Path, wait_ports: tuple[int, ...] = ()) -> Iterator[SplitDeployment]:
    """A started split deployment; whatever happens, every plane and pod is gone afterwards."""
    deployment = SplitDeployment(data_dir, list(files), wait_ports)
    try:
        yield deployment.start()
    finally:
        deployment.kill_all()
