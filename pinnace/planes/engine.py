"""The engine plane: the workflow controller and its embedded pod scheduler."""

from __future__ import annotations

from pathlib import Path

from pinnace.resources.client import ResourceClient
from workflows.controller import Controller


class EnginePlane:
    name = "engine"

    def __init__(self, client: ResourceClient, pods_dir: Path) -> None:
        self._client = client
        self._pods_dir = pods_dir
        self.controller: Controller | None = None

    async def start(self) -> None:
        self.controller = Controller(self._client, self._pods_dir)
        await self.controller.__aenter__()

    async def stop(self) -> None:
        controller, self.controller = self.controller, None
        if controller is not None:
            await controller.shutdown()
