"""Event-source and sensor planes: one runner per resource, following the API."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bus.jetstream import JetStreamBus
from eventsources.runner import EventSourceRunner
from pinnace.planes.resources import ResourceWorkers
from pinnace.resources.client import Obj, ResourceClient
from sensors.runner import SensorService

log = logging.getLogger("pinnace.planes")

READY_WITHIN = 10.0


def eventsource_plane(client: ResourceClient, bus: JetStreamBus, host: str = "127.0.0.1") -> ResourceWorkers:
    async def run(obj: Obj, ready: Callable[[], None]) -> None:
        name = obj.get("metadata", {}).get("name")
        # ``kv`` is whatever opens KV buckets: each source opens the bucket it owns.
        async with EventSourceRunner(obj, bus, client=client, kv=bus, host=host) as runner:
            try:
                await runner.wait_ready(within=READY_WITHIN)
                log.info("eventsource %s ready", name)
            except TimeoutError as exc:
                # Its sources keep reconnecting with backoff; the others are already serving.
                log.warning("%s", exc)
            ready()
            await asyncio.Event().wait()

    return ResourceWorkers(client, "EventSource", run)


def sensor_plane(client: ResourceClient, bus: JetStreamBus) -> ResourceWorkers:
    async def run(obj: Obj, ready: Callable[[], None]) -> None:
        async with SensorService(obj, bus, client) as service:
            log.info("sensor %s ready", service.sensor.name)
            ready()
            await asyncio.Event().wait()

    return ResourceWorkers(client, "Sensor", run)
