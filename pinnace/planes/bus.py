"""The bus plane: an embedded nats-server (unless a URL is given) and the JetStream connection."""

from __future__ import annotations

import logging
from pathlib import Path

from bus.embedded import EmbeddedNats
from bus.jetstream import JetStreamBus
from bus.settings import StreamSettings

log = logging.getLogger("pinnace.bus")


class BusPlane:
    name = "bus"

    def __init__(self, data_dir: Path, nats_url: str | None = None, stream: StreamSettings | None = None) -> None:
        self._data_dir = data_dir
        self._url = nats_url
        self._stream = stream
        self.server: EmbeddedNats | None = None
        self._bus: JetStreamBus | None = None

    @property
    def bus(self) -> JetStreamBus:
        if self._bus is None:
            raise RuntimeError("the bus plane is not started")
        return self._bus

    @property
    def url(self) -> str:
        if self._url:
            return self._url
        if self.server is None:
            raise RuntimeError("the bus plane is not started")
        return self.server.url

    async def start(self) -> None:
        if not self._url:
            self.server = EmbeddedNats(self._data_dir)
            await self.server.start()
            log.info("embedded nats-server on %s (store %s)", self.server.url, self.server.store_dir)
        self._bus = await JetStreamBus.connect(self.url, self._stream)

    async def stop(self) -> None:
        bus, self._bus = self._bus, None
        if bus is not None:
            await bus.close()
        server, self.server = self.server, None
        if server is not None:
            await server.stop()
