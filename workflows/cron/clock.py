"""Time for the cron controller: the system clock, or a manual one tests move by hand.

Timers sleep until an absolute instant, so a manual clock can wake exactly the sleepers whose
instant has come when a test advances it, and the system clock can re-check after a wall-clock
jump instead of firing early.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
import itertools
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, timezone-aware."""
        ...

    async def sleep_until(self, when: dt.datetime) -> None:
        """Return once ``now() >= when``."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    async def sleep_until(self, when: dt.datetime) -> None:
        # asyncio sleeps on the monotonic clock; re-check the wall clock so a step (NTP, suspend)
        # never fires a schedule early.
        left = (when - self.now()).total_seconds()
        while left > 0:
            await asyncio.sleep(left)
            left = (when - self.now()).total_seconds()


class ManualClock:
    """A clock that only moves when told to; ``advance``/``set`` wake the sleepers that are due."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start, e.g. datetime(..., tzinfo=UTC)")
        self._now = start
        self._sleepers: list[tuple[dt.datetime, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def now(self) -> dt.datetime:
        return self._now

    async def sleep_until(self, when: dt.datetime) -> None:
        if when <= self._now:
            await asyncio.sleep(0)
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (when, next(self._seq), fut))
        await fut

    def set(self, when: dt.datetime) -> None:
        if when < self._now:
            raise ValueError(f"ManualClock cannot go back from {self._now.isoformat()} to {when.isoformat()}")
        self._now = when
        while self._sleepers and self._sleepers[0][0] <= when:
            _, _, fut = heapq.heappop(self._sleepers)
            if not fut.done():
                fut.set_result(None)

    def advance(self, seconds: float) -> None:
        self.set(self._now + dt.timedelta(seconds=seconds))

    @property
    def sleepers(self) -> int:
        """How many timers wait on this clock (lets a test know the controller has armed them)."""
        return sum(1 for _, _, fut in self._sleepers if not fut.done())
