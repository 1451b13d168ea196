"""Time as the calendar source sees it: the system clock, or a manual one tests advance."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Current time, timezone-aware."""
        ...

    def monotonic(self) -> float: ...

    async def sleep_until(self, when: datetime) -> None: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep_until(self, when: datetime) -> None:
        # Re-check in bounded steps so a suspended host or a clock jump does not oversleep a tick.
        while True:
            remaining = (when - self.now()).total_seconds()
            if remaining <= 0:
                return
            await asyncio.sleep(min(remaining, 30.0))


class ManualClock:
    """A clock that only moves when told to; sleepers wake as soon as their time is reached."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start time")
        self._now = start
        self._changed = asyncio.Condition()
        self.sleepers = 0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._now.timestamp()

    async def sleep_until(self, when: datetime) -> None:
        async with self._changed:
            self.sleepers += 1
            try:
                await self._changed.wait_for(lambda: self._now >= when)
            finally:
                self.sleepers -= 1

    async def set(self, when: datetime) -> None:
        async with self._changed:
            self._now = when
            self._changed.notify_all()

    async def advance(self, seconds: float) -> None:
        await self.set(self._now + timedelta(seconds=seconds))
