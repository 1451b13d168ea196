"""The cron plane for ``pinnace up`` / ``pinnace run``: one CronController on the given client."""

from __future__ import annotations

from pinnace.resources.client import ResourceClient
from workflows.cron.clock import Clock
from workflows.cron.controller import CronController


class CronPlane:
    name = "cron"

    def __init__(self, client: ResourceClient, *, clock: Clock | None = None, namespace: str | None = None) -> None:
        self._client = client
        self._clock = clock
        self._namespace = namespace
        self.controller: CronController | None = None

    async def start(self) -> None:
        if self.controller is not None:
            return
        self.controller = CronController(self._client, clock=self._clock, namespace=self._namespace)
        self.controller.start()

    async def stop(self) -> None:
        controller, self.controller = self.controller, None
        if controller is not None:
            await controller.shutdown()
