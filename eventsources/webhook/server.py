"""HTTP servers shared by webhook endpoints: one aiohttp server per port, routes added and removed
while it runs, ``/health`` and ``/metrics`` on every port (as Argo serves ``/health``)."""

from __future__ import annotations

import logging
import ssl
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from eventsources.webhook.route import Route
from pinnace.metrics import CONTENT_TYPE

SHUTDOWN_TIMEOUT = 5.0


@dataclass(frozen=True)
class TLSMaterial:
    cert_pem: str
    key_pem: str

    def context(self) -> ssl.SSLContext:
        # load_cert_chain only reads files; the material lives in a private temporary directory.
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        with tempfile.TemporaryDirectory(prefix="pinnace-tls-") as tmp:
            cert, key = Path(tmp) / "tls.crt", Path(tmp) / "tls.key"
            cert.write_text(self.cert_pem)
            key.write_text(self.key_pem)
            key.chmod(0o600)
            ctx.load_cert_chain(cert, key)
        return ctx


class PortConflict(ValueError):
    pass


class WebhookServer:
    def __init__(
        self,
        host: str,
        port: int,
        tls: TLSMaterial | None = None,
        metrics: Callable[[], str] | None = None,
        log: logging.Logger | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.tls = tls
        self.routes: dict[str, Route] = {}
        self._metrics = metrics
        self._runner: web.ServerRunner | None = None
        self.log = log or logging.getLogger("eventsources.webhook")

    async def start(self) -> None:
        # The low-level server: routing is one dict lookup, no router or middleware chain per request.
        low_level = web.Server(self._dispatch, access_log=None)
        runner = web.ServerRunner(low_level, handle_signals=False, shutdown_timeout=SHUTDOWN_TIMEOUT)
        await runner.setup()
        ssl_ctx = self.tls.context() if self.tls is not None else None
        site = web.TCPSite(runner, self.host, self.port, ssl_context=ssl_ctx, reuse_address=True)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        if self.port == 0:
            server = getattr(site, "_server", None)
            if server is not None and server.sockets:
                self.port = server.sockets[0].getsockname()[1]
        scheme = "https" if ssl_ctx else "http"
        self.log.info("webhook server listening on %s://%s:%d", scheme, self.host, self.port)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _dispatch(self, request: web.BaseRequest) -> web.StreamResponse:
        route = self.routes.get(request.path)
        if route is not None:
            return await route.handle(request)
        if request.path == "/health":
            return web.Response(text="OK")
        if request.path == "/metrics" and self._metrics is not None:
            return web.Response(body=self._metrics().encode(), headers={"Content-Type": CONTENT_TYPE})
        return web.Response(status=404, text="no webhook endpoint at this path")


class WebhookPool:
    """The servers of one process, keyed by port; started on first route, stopped by ``close``."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        metrics: Callable[[], str] | None = None,
        log: logging.Logger | None = None,
    ) -> None:
        self.host = host
        self.metrics = metrics
        self.log = log or logging.getLogger("eventsources.webhook")
        self.servers: dict[int, WebhookServer] = {}

    async def add(self, port: int, route: Route, tls: TLSMaterial | None = None) -> WebhookServer:
        server = self.servers.get(port)
        if server is None:
            server = WebhookServer(self.host, port, tls, self.metrics, self.log)
            await server.start()
            self.servers[port] = server
        elif server.tls != tls:
            raise PortConflict(f"port {port} is already served with a different TLS configuration")
        if route.endpoint in server.routes:
            raise PortConflict(f"endpoint {route.endpoint} on port {port} is already taken")
        server.routes[route.endpoint] = route
        return server

    def remove(self, port: int, endpoint: str) -> None:
        server = self.servers.get(port)
        if server is not None:
            server.routes.pop(endpoint, None)

    async def close(self) -> None:
        servers, self.servers = list(self.servers.values()), {}
        for server in servers:
            await server.stop()
