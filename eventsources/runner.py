"""Run every event of one EventSource resource: one named task per event in a TaskGroup.

Usage::

    async with EventSourceRunner(resource, publisher, kv=kv) as runner:
        await runner.wait_ready()
        ...                           # events flow to the bus
    # leaving the block stops every source and the webhook servers (idempotent)

or ``await runner.run()`` to serve until cancelled. A bad spec raises ``EventSourceLoadError``
(from the constructor) listing each field path. A source that fails at run time (a Secret not
created yet, an unreachable broker it could not handle itself) is logged and restarted with
backoff so one broken event never stops the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from types import TracebackType
from typing import Any

from bus.interface import Publisher
from eventsources.base import EventSourceType
from eventsources.clock import Clock, SystemClock
from eventsources.emitter import EventEmitter
from eventsources.loading import LoadedSource, build_sources, parse_resource
from eventsources.metrics import EventSourceMetrics
from eventsources.reconnect import keep_connected
from eventsources.secrets import SecretResolver
from eventsources.spec import EventSource
from eventsources.webhook.server import WebhookPool
from pinnace.metrics import REGISTRY
from pinnace.resources.client import ResourceClient


class EventSourceRunner:
    def __init__(
        self,
        resource: EventSource | dict[str, Any],
        publisher: Publisher,
        *,
        client: ResourceClient | None = None,
        kv: Any = None,
        clock: Clock | None = None,
        metrics: EventSourceMetrics | None = None,
        secrets: SecretResolver | None = None,
        host: str = "127.0.0.1",
        log: logging.Logger | None = None,
    ) -> None:
        self.resource = parse_resource(resource)
        self.name = self.resource.metadata.name or ""
        self.namespace = self.resource.metadata.namespace or "default"
        self.log = log or logging.getLogger(f"eventsources.{self.name}")
        self.metrics = metrics or EventSourceMetrics(self.namespace, REGISTRY)
        clock = clock or SystemClock()
        self.pool = WebhookPool(host, self.metrics.render, self.log)
        self.emitter = EventEmitter(publisher, self.name, self.metrics, clock, self.log)
        shared = {
            "namespace": self.namespace,
            "metrics": self.metrics,
            "clock": clock,
            "secrets": secrets or SecretResolver(client, self.namespace),
            "kv": kv,
            "webhooks": self.pool,
            "host": host,
            "log": self.log,
        }
        self.sources: list[LoadedSource] = build_sources(self.resource, self.emitter, shared)
        self._main: asyncio.Task[None] | None = None
        self._stopped = False

    async def start(self) -> None:
        if self._main is None and not self._stopped:
            self._main = asyncio.create_task(self._supervise(), name=f"eventsource/{self.name}")

    async def wait_ready(self, within: float = 10.0) -> None:
        """Until every source listens; raises TimeoutError naming the ones that do not."""
        waits = [s.source.ready.wait() for s in self.sources]
        try:
            async with asyncio.timeout(within):
                await asyncio.gather(*waits)
        except TimeoutError:
            late = [f"{s.key}.{s.event_name}" for s in self.sources if not s.source.ready.is_set()]
            raise TimeoutError(f"event source {self.name}: not ready after {within:g}s: {', '.join(late)}") from None

    async def run(self) -> None:
        await self.start()
        assert self._main is not None
        try:
            await self._main
        finally:
            await self.stop()

    async def stop(self) -> None:
        self._stopped = True
        main, self._main = self._main, None
        if main is not None:
            main.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await main
        await self.pool.close()

    async def __aenter__(self) -> EventSourceRunner:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    def metrics_text(self) -> str:
        return self.metrics.render()

    async def _supervise(self) -> None:
        async with asyncio.TaskGroup() as tg:
            for loaded in self.sources:
                tg.create_task(
                    self._run_one(loaded.source),
                    name=f"eventsource/{self.name}/{loaded.key}/{loaded.event_name}",
                )

    async def _run_one(self, source: EventSourceType) -> None:
        what = f"{self.name}/{source.key}/{source.ctx.event_name}"
        self.metrics.running(self.name, +1)
        try:
            await keep_connected(what, lambda: source.run(self.emitter), self.log)
        finally:
            self.metrics.running(self.name, -1)
