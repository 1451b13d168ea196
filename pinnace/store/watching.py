"""A watch as callers consume it: optional initial state as ADDED, then live changes."""

from __future__ import annotations

from pinnace.store.hub import Subscription
from pinnace.store.writer import Event


class Watch:
    def __init__(self, sub: Subscription, initial: list[Event], snapshot_rv: int | None) -> None:
        self._sub = sub
        self._initial = initial
        self._snapshot_rv = snapshot_rv

    @property
    def overflowed(self) -> bool:
        return self._sub.overflowed

    async def next(self) -> Event | None:
        """The next event, ``None`` once closed (wrap in ``asyncio.timeout`` to bound the wait)."""
        if self._initial:
            return self._initial.pop(0)
        while True:
            ev = await self._sub.next()
            # Changes already contained in the initial list arrive here too; skip them.
            if ev is None or self._snapshot_rv is None or ev.rv > self._snapshot_rv:
                return ev

    def close(self) -> None:
        self._sub.close()

    def __aiter__(self) -> Watch:
        return self

    async def __anext__(self) -> Event:
        ev = await self.next()
        if ev is None:
            raise StopAsyncIteration
        return ev
