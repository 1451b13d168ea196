"""One NATS connection: any URL, token or user/password auth, reconnect with backoff, typed errors.

nats-py buffers publishes while it reconnects, which would make a publisher hang until its
timeout. Callers check :meth:`BusConnection.require_connected` first so a publish during an
outage fails at once with :class:`TemporaryBusError`; reconnection continues in the background.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field
from typing import Any

import nats.errors
import nats.js.errors
from nats.aio.client import Client, Server
from nats.js import JetStreamContext

from bus.errors import BusError, PermanentBusError, TemporaryBusError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Credentials:
    """Token or user/password auth; empty means none (credentials in the URL also work)."""

    token: str | None = None
    user: str | None = None
    password: str | None = None


@dataclass(frozen=True)
class ConnectionSettings:
    url: str
    credentials: Credentials = field(default_factory=Credentials)
    name: str = "pinnace"
    connect_timeout: float = 2.0
    # Publishes and JetStream API calls give up after this long: callers get a temporary error.
    request_timeout: float = 2.0
    backoff_initial: float = 0.05
    backoff_max: float = 5.0
    # Detects a silently dead peer (no RST) within ping_interval * max_outstanding_pings.
    ping_interval: float = 5.0
    max_outstanding_pings: int = 3


def backoff_delay(attempt: int, initial: float, maximum: float) -> float:
    """Exponential backoff with ±20 % jitter, so replicas do not reconnect in lock-step."""
    base = min(maximum, initial * (2 ** min(attempt, 30)))
    return float(base * random.uniform(0.8, 1.2))


def bus_error(exc: BaseException, doing: str) -> BusError:
    """Map a nats-py failure to temporary (retry) or permanent (fix something) with advice."""
    if isinstance(exc, BusError):
        return exc
    if isinstance(exc, nats.errors.MaxPayloadError):
        return PermanentBusError(f"{doing}: message larger than the server's max_payload ({exc})")
    if isinstance(exc, nats.errors.AuthorizationError | nats.errors.InvalidUserCredentialsError) or (
        "authorization violation" in str(exc).lower()
    ):
        return PermanentBusError(f"{doing}: NATS refused the credentials; check the token or user/password")
    if isinstance(exc, nats.js.errors.NoStreamResponseError | nats.errors.NoRespondersError):
        return TemporaryBusError(f"{doing}: no JetStream stream answered; is the stream created?")
    if isinstance(exc, nats.js.errors.APIError):
        if exc.code in (None, 503, 408):
            return TemporaryBusError(f"{doing}: JetStream is not available right now ({exc})")
        return PermanentBusError(f"{doing}: JetStream refused the request ({exc})")
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return TemporaryBusError(f"{doing}: NATS did not answer in time; retry shortly")
    if isinstance(exc, nats.errors.Error | OSError):
        return TemporaryBusError(f"{doing}: NATS connection problem ({type(exc).__name__}: {exc})")
    return PermanentBusError(f"{doing}: {type(exc).__name__}: {exc}")


class BusConnection:
    """A connected NATS client plus its JetStream context; ``async with`` closes it."""

    def __init__(self, settings: ConnectionSettings) -> None:
        self.settings = settings
        self.nc: Client = Client()
        self._reported_down = False
        self._last_error: Exception | None = None
        self._auth_error: Exception | None = None

    @classmethod
    async def open(cls, settings: ConnectionSettings | str) -> BusConnection:
        if isinstance(settings, str):
            settings = ConnectionSettings(url=settings)
        conn = cls(settings)
        await conn._connect()
        return conn

    @property
    def js(self) -> JetStreamContext:
        return self.nc.jetstream(timeout=self.settings.request_timeout)

    @property
    def connected(self) -> bool:
        return bool(self.nc.is_connected)

    def require_connected(self, doing: str) -> None:
        """Raise at once when the connection is down rather than queueing behind a reconnect."""
        if self.nc.is_connected:
            return
        if self.nc.is_closed:
            raise PermanentBusError(f"{doing}: the bus connection was closed; open a new one")
        raise TemporaryBusError(
            f"{doing}: not connected to NATS at {self.settings.url} (reconnecting in the background)",
            retry_after=min(1.0, self.settings.backoff_max),
        )

    async def close(self) -> None:
        if self.nc.is_closed:
            return
        try:
            await self.nc.close()
        except Exception as exc:  # closing must never fail the caller's shutdown
            log.debug("closing NATS connection: %s", exc)

    async def __aenter__(self) -> BusConnection:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def _connect(self) -> None:
        s = self.settings
        cred = s.credentials
        servers = [u.strip() for u in s.url.split(",") if u.strip()]
        options: dict[str, Any] = {
            "servers": servers,
            "name": s.name,
            "connect_timeout": s.connect_timeout,
            "allow_reconnect": True,
            # The first connect tries each server twice and then reports; once connected,
            # reconnection never gives up (set below).
            "max_reconnect_attempts": 1,
            "reconnect_time_wait": 0.1,
            "ping_interval": s.ping_interval,
            "max_outstanding_pings": s.max_outstanding_pings,
            "error_cb": self._on_error,
            "disconnected_cb": self._on_disconnect,
            "reconnected_cb": self._on_reconnect,
            "reconnect_to_server_handler": self._next_server,
        }
        if cred.token:
            options["token"] = cred.token
        if cred.user is not None:
            options["user"] = cred.user
            options["password"] = cred.password or ""
        try:
            await self.nc.connect(**options)
        except Exception as exc:
            await self.close()
            # The server drops the socket right after refusing credentials; report the refusal.
            cause = self._auth_error or self._last_error or exc
            err = bus_error(cause, f"connecting to NATS at {s.url}")
            if isinstance(err, TemporaryBusError):
                err = TemporaryBusError(f"{err}; is the server running? (check --nats-url)")
            raise err from exc
        self.nc.options["max_reconnect_attempts"] = -1

    def _next_server(self, servers: list[Server], _info: dict[str, Any]) -> tuple[Server | None, float]:
        pick = min(servers, key=lambda srv: srv.reconnects)
        delay = backoff_delay(pick.reconnects, self.settings.backoff_initial, self.settings.backoff_max)
        return pick, delay

    async def _on_error(self, exc: Exception) -> None:
        self._last_error = exc
        if "authorization violation" in str(exc).lower():
            self._auth_error = exc
        # Reconnect attempts fail repeatedly while the server is down; say it once per outage.
        if not self._reported_down:
            log.warning("NATS %s: %s", self.settings.url, exc or type(exc).__name__)
            self._reported_down = True

    async def _on_disconnect(self) -> None:
        if not self.nc.is_closed:
            log.warning("disconnected from NATS at %s; reconnecting", self.settings.url)

    async def _on_reconnect(self) -> None:
        self._reported_down = False
        log.info("reconnected to NATS at %s", self.settings.url)


async def connect(url: str, credentials: Credentials | None = None, **settings: Any) -> BusConnection:
    """Shorthand: ``await connect("nats://127.0.0.1:4222", Credentials(token="..."))``."""
    return await BusConnection.open(ConnectionSettings(url=url, credentials=credentials or Credentials(), **settings))
