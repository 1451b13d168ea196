"""The engine plane: the workflow controller, its embedded pod scheduler and the cron controller."""

from __future__ import annotations

from pathlib import Path

from pinnace.resources.client import ResourceClient
from workflows.controller import Controller
from workflows.cron.plane import CronPlane


class EnginePlane:
    name = "engine"

    def __init__(self, client: ResourceClient, data_dir: Path) -> None:
        # The kubelet keeps each pod under ``<data_dir>/pods``.
        self._client = client
        self._data_dir = data_dir
        self.controller: Controller | None = None
        self.cron = CronPlane(client)

    async def start(self) -> None:
        self.controller = Controller(self._client, self._data_dir)
        await self.controller.__aenter__()
        await self.cron.start()

    async def stop(self) -> None:
        await self.cron.stop()
        controller, self.controller = self.controller, None
        if controller is not None:
            await controller.shutdown()
