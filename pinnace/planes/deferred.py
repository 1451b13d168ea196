"""A plane built only when it starts, from planes started before it (the engine needs the API's
client, sensors need the bus connection)."""

from __future__ import annotations

from collections.abc import Callable

from pinnace.planes.supervisor import Plane


class Deferred:
    def __init__(self, name: str, build: Callable[[], Plane]) -> None:
        self.name = name
        self._build = build
        self.plane: Plane | None = None

    async def start(self) -> None:
        self.plane = self._build()
        await self.plane.start()

    async def stop(self) -> None:
        plane, self.plane = self.plane, None
        if plane is not None:
            await plane.stop()
