"""Where a calendar source remembers its last emitted tick: the bus KV, or memory as a fallback.

Key layout: bucket ``eventsource__<namespace>__<source>``, key ``calendar.<event>``; the value is
the tick's UTC ISO-8601 time. A write never moves the recorded tick backwards, so a lagging
replica cannot undo a newer one's progress.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from bus import naming


class TickStore(Protocol):
    async def last(self) -> datetime | None: ...

    async def save(self, tick: datetime) -> None: ...


class MemoryTickStore:
    def __init__(self) -> None:
        self._last: datetime | None = None

    async def last(self) -> datetime | None:
        return self._last

    async def save(self, tick: datetime) -> None:
        if self._last is None or tick > self._last:
            self._last = tick


def _decode(raw: Any) -> datetime | None:
    if raw is None:
        return None
    value = getattr(raw, "value", raw)
    if isinstance(value, bytes | bytearray):
        value = bytes(value).decode()
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


class KVTickStore:
    """Backed by a bus KV bucket (``get(key)`` / ``put(key, bytes)``)."""

    def __init__(self, kv: Any, key: str) -> None:
        self.kv = kv
        self.key = key

    async def last(self) -> datetime | None:
        return _decode(await self.kv.get(self.key))

    async def save(self, tick: datetime) -> None:
        current = await self.last()
        if current is not None and current >= tick:
            return
        await self.kv.put(self.key, tick.isoformat().encode())


async def kv_tick_store(opener: Any, namespace: str, source: str, event: str) -> KVTickStore:
    """``opener`` is the bus (anything with ``async kv(bucket)``)."""
    bucket = naming.kv_bucket("eventsource", source, namespace)
    kv = await opener.kv(bucket)
    return KVTickStore(kv, naming.kv_key("calendar", event))
