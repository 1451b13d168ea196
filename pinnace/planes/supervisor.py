"""Start planes in order, stop them in reverse: the shape of ``pinnace up``.

Startup is ordered because each plane needs the one before it (sensors need the bus and the
API); shutdown runs in reverse so that event sources stop accepting before the bus goes away.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

log = logging.getLogger("pinnace.up")


class Plane(Protocol):
    name: str

    async def start(self) -> None:
        """Return once the plane takes traffic; raise to abort startup."""

    async def stop(self) -> None:
        """Drain and stop; must be idempotent."""


class Supervisor:
    def __init__(self, planes: list[Plane]) -> None:
        self._planes = planes
        self._started: list[Plane] = []
        self._stopping = False

    async def __aenter__(self) -> Supervisor:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        for plane in self._planes:
            log.info("starting %s", plane.name)
            try:
                await plane.start()
            except BaseException:
                await self.stop()
                raise
            self._started.append(plane)
            log.info("%s ready", plane.name)

    async def stop(self) -> None:
        if self._stopping:
            return
        self._stopping = True
        while self._started:
            plane = self._started.pop()
            log.info("stopping %s", plane.name)
            try:
                await asyncio.wait_for(plane.stop(), timeout=30)
            except Exception:
                # One plane failing to stop must not keep the others (and the store) open.
                log.exception("%s did not stop cleanly", plane.name)
