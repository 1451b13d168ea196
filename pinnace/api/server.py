"""Running the API: ``ApiServer`` (bind, serve, drain) and ``serve_api`` (the whole api plane)."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from aiohttp import web

from pinnace.api import watch
from pinnace.api.app import READY, build_app
from pinnace.api.auth import load_or_create_token, write_kubeconfig
from pinnace.api.tls import ensure_certificate
from pinnace.store.admission import DEFAULT_LIMIT as DEFAULT_ACTIVE_LIMIT
from pinnace.store.store import Store
from pinnace.store.ttl import collect_forever

log = logging.getLogger(__name__)

DEFAULT_PORT = 2746


@dataclass
class ApiConfig:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT  # 0: any free port
    allow_remote: bool = False
    max_body: int = 3 * 1024 * 1024
    bookmark_interval: float = 30.0
    gc_interval: float = 5.0
    write_kubeconfig: bool = True
    # kubectl only sends the token over TLS, so https is the default; plain http is for proxies/tests.
    tls: bool = True
    # With ``tls`` and a ``tls_port``, plain http stays on ``port`` (the documented default address
    # http://127.0.0.1:2746) and https is served on ``tls_port``; the kubeconfig names the https one
    # because kubectl sends a bearer token only over TLS. 0 = any free port.
    tls_port: int | None = None
    # Creating a Workflow while this many are unfinished answers 429 + Retry-After (0: no bound).
    max_active_workflows: int = DEFAULT_ACTIVE_LIMIT


class RemoteBindRefused(ValueError):
    pass


def check_host(host: str, allow_remote: bool) -> None:
    if host == "localhost" or allow_remote:
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise RemoteBindRefused(f"refusing to listen on {host}: pass --allow-remote to expose the API beyond this "
                                "machine (clients still need the token from <data-dir>/kubeconfig)")


class ApiServer:
    """Serves ``store`` over HTTP; ``async with ApiServer(...) as srv: srv.url``."""

    def __init__(self, store: Store, token: str, config: ApiConfig) -> None:
        check_host(config.host, config.allow_remote)
        self.store = store
        self.token = token
        self.config = config
        self.app = build_app(store, token, max_body=config.max_body, bookmark_interval=config.bookmark_interval)
        self._runner: web.AppRunner | None = None
        self.cert = ensure_certificate(config.data_dir, [config.host]) if config.tls else None
        self.port = config.port
        self.tls_port: int | None = None
        self.kubeconfig: Path | None = None

    @property
    def url(self) -> str:
        host = self.config.host
        shown = f"[{host}]" if ":" in host else host
        return f"{self.scheme}://{shown}:{self.port}"

    @property
    def scheme(self) -> str:
        return "https" if self.cert and self.config.tls_port is None else "http"

    @property
    def tls_url(self) -> str | None:
        if self.tls_port is None:
            return None
        host = self.config.host
        shown = f"[{host}]" if ":" in host else host
        return f"https://{shown}:{self.tls_port}"

    async def _listen(self, runner: web.AppRunner, port: int, tls: bool) -> int:
        ssl_context = self.cert.server_context() if tls and self.cert else None
        site = web.TCPSite(runner, self.config.host, port, reuse_address=True, ssl_context=ssl_context)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []
        return int(sockets[0].getsockname()[1]) if sockets else port

    async def start(self) -> None:
        runner = web.AppRunner(self.app, access_log=None, handle_signals=False, shutdown_timeout=5.0)
        await runner.setup()
        self._runner = runner
        self.port = await self._listen(runner, self.config.port, self.scheme == "https")
        if self.cert and self.config.tls_port is not None:
            self.tls_port = await self._listen(runner, self.config.tls_port, True)
        if self.config.write_kubeconfig:
            self._write_kubeconfig()
        log.info("api listening", extra={"url": self.url, "tls_url": self.tls_url})

    def _write_kubeconfig(self) -> None:
        host = "127.0.0.1" if self.config.host in ("0.0.0.0", "::") else self.config.host
        shown = f"[{host}]" if ":" in host else host
        if self.tls_port is not None:
            url = f"https://{shown}:{self.tls_port}"
        else:
            url = f"{self.scheme}://{shown}:{self.port}"
        ca = self.cert.pem if self.cert else None
        self.kubeconfig = write_kubeconfig(self.config.data_dir, url, self.token, ca_pem=ca)

    async def stop(self) -> None:
        """Stop taking requests, end open watches, let running requests finish (idempotent)."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self.app[READY]["ready"] = False
        active = self.app[watch.ACTIVE_WATCHES]
        for w in list(active):
            w.close()
        await runner.cleanup()

    async def __aenter__(self) -> ApiServer:
        await self.start()
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)


async def serve_api(config: ApiConfig, *, stop: asyncio.Event | None = None,
                    on_ready: Callable[[ApiServer], None] | None = None) -> None:
    """The api plane alone: open the store in ``data_dir``, serve until ``stop`` or SIGINT/SIGTERM."""
    stop = stop or asyncio.Event()
    _stop_on_signals(stop)
    token = load_or_create_token(config.data_dir)
    opened = await Store.open(config.data_dir, max_active_workflows=config.max_active_workflows)
    async with opened as store, ApiServer(store, token, config) as server:
        if on_ready:
            on_ready(server)
        async with asyncio.TaskGroup() as tg:
            gc = tg.create_task(collect_forever(store, config.gc_interval), name="workflow-ttl-gc")
            await stop.wait()
            log.info("api shutting down")
            gc.cancel()
