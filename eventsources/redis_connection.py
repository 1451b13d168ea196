"""Connecting the ``redis`` and ``redisStream`` sources: hostAddress, db, username, password, TLS."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any, TypeVar

from redis.asyncio import Redis

from eventsources.base import EventSourceType, SpecError

T = TypeVar("T")
_CLOSE_TIMEOUT = 2.0


def split_host(address: str, path: str) -> tuple[str, int]:
    host, sep, port = address.rpartition(":")
    if not sep:
        return address, 6379
    try:
        return host.strip("[]"), int(port)
    except ValueError:
        raise SpecError(path, f"hostAddress {address!r} must look like host:port") from None


async def _tls_options(source: EventSourceType, tls: Any, tmp: Path) -> dict[str, Any]:
    opts: dict[str, Any] = {"ssl": True}
    if tls.ca_cert_secret is not None:
        opts["ssl_ca_data"] = await source.secret(tls.ca_cert_secret, "tls", "caCertSecret")
    if tls.client_cert_secret is not None and tls.client_key_secret is not None:
        cert, key = tmp / "tls.crt", tmp / "tls.key"
        cert.write_text(await source.secret(tls.client_cert_secret, "tls", "clientCertSecret"))
        key.write_text(await source.secret(tls.client_key_secret, "tls", "clientKeySecret"))
        key.chmod(0o600)
        opts.update(ssl_certfile=str(cert), ssl_keyfile=str(key))
    if tls.insecure_skip_verify:
        opts.update(ssl_cert_reqs="none", ssl_check_hostname=False)
    return opts


async def detached(coro: Awaitable[T]) -> T:
    """Await a blocking Redis call so that cancelling the caller always works.

    redis-py can absorb a cancellation that lands inside a blocking read (XREADGROUP BLOCK,
    pub/sub listen) and go on reading; the call runs in its own task instead, the caller is
    cancelled at once, and closing the client ends the abandoned read.
    """
    task = asyncio.ensure_future(coro)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        task.cancel()
        task.add_done_callback(_forget)
        raise


def _forget(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()  # retrieved: the abandoned read's outcome no longer matters


@contextlib.asynccontextmanager
async def open_redis(source: EventSourceType) -> AsyncIterator[Redis]:
    """A connected client for the source's spec (PING'ed), closed on exit."""
    spec = source.ctx.spec
    host, port = split_host(spec.host_address, source.path("hostAddress"))
    opts: dict[str, Any] = {"host": host, "port": port, "db": spec.db or 0, "socket_connect_timeout": 2.0}
    if spec.username:
        opts["username"] = spec.username
    if spec.password is not None:
        opts["password"] = await source.secret(spec.password, "password")
    with tempfile.TemporaryDirectory(prefix="pinnace-redis-") as tmp:
        if spec.tls is not None:
            opts.update(await _tls_options(source, spec.tls, Path(tmp)))
        client = Redis(**opts)
        try:
            await client.ping()
            yield client
        finally:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(_CLOSE_TIMEOUT):
                    await client.aclose()
