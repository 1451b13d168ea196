"""The in-memory twin of the JetStream bus, for fast unit tests of sources and sensors.

Same contract as :class:`bus.jetstream.JetStreamBus`: deduplication by event id within the
duplicates window, durable consumers shared by several subscribers, ack wait and redelivery,
``nak(delay)``, ``term``, ``max_deliver``. One process, no persistence, limits other than
``max_msgs`` not enforced.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from bus import naming
from bus.cloudevent import CloudEvent
from bus.errors import PermanentBusError, TemporaryBusError
from bus.interface import ConsumerOptions, Delivery, PublishAck
from bus.kv import MemoryKV
from bus.settings import StreamSettings


def subject_matches(pattern: str, subject: str) -> bool:
    """NATS wildcard matching: ``*`` is one token, a trailing ``>`` one or more."""
    pat, sub = pattern.split("."), subject.split(".")
    for i, tok in enumerate(pat):
        if tok == ">":
            return len(sub) > i
        if i >= len(sub) or (tok != "*" and tok != sub[i]):
            return False
    return len(pat) == len(sub)


@dataclass
class _Stored:
    seq: int
    subject: str
    event: CloudEvent


@dataclass
class _Consumer:
    filters: list[str]
    options: ConsumerOptions
    cursor: int
    pending: dict[int, float] = field(default_factory=dict)  # seq -> ack deadline
    ready: dict[int, float] = field(default_factory=dict)  # seq -> redeliver at
    delivered: dict[int, int] = field(default_factory=dict)  # seq -> deliveries so far

    def wants(self, stored: _Stored) -> bool:
        return any(subject_matches(f, stored.subject) for f in self.filters)

    def may_redeliver(self, seq: int) -> bool:
        limit = self.options.max_deliver
        return limit < 0 or self.delivered.get(seq, 0) < limit

    def expire(self, now: float) -> None:
        for seq, deadline in list(self.pending.items()):
            if deadline <= now:
                del self.pending[seq]
                self._requeue(seq, now)

    def _requeue(self, seq: int, at: float) -> None:
        if self.may_redeliver(seq):
            self.ready[seq] = at
        else:
            self.delivered.pop(seq, None)

    def settle(self, seq: int, now: float, *, redeliver_at: float | None = None) -> None:
        self.pending.pop(seq, None)
        self.ready.pop(seq, None)
        if redeliver_at is None:
            self.delivered.pop(seq, None)
        else:
            self._requeue(seq, redeliver_at)

    def next_wakeup(self) -> float | None:
        times = [*self.pending.values(), *self.ready.values()]
        return min(times) if times else None


class MemoryDelivery:
    __slots__ = ("_bus", "_consumer", "_stored", "_tries")

    def __init__(self, bus: MemoryBus, consumer: _Consumer, stored: _Stored, tries: int) -> None:
        self._bus = bus
        self._consumer = consumer
        self._stored = stored
        self._tries = tries

    @property
    def event(self) -> CloudEvent:
        return self._stored.event

    @property
    def subject(self) -> str:
        return self._stored.subject

    @property
    def stream_seq(self) -> int:
        return self._stored.seq

    @property
    def num_delivered(self) -> int:
        return self._tries

    async def ack(self) -> None:
        self._consumer.settle(self._stored.seq, self._bus.now())

    async def term(self) -> None:
        self._consumer.settle(self._stored.seq, self._bus.now())

    async def nak(self, delay: float | None = None) -> None:
        now = self._bus.now()
        self._consumer.settle(self._stored.seq, now, redeliver_at=now + (delay or 0.0))
        self._bus.wake()

    async def in_progress(self) -> None:
        if self._stored.seq in self._consumer.pending:
            self._consumer.pending[self._stored.seq] = self._bus.now() + self._consumer.options.ack_wait


class MemorySubscription:
    def __init__(self, bus: MemoryBus, durable: str, consumer: _Consumer) -> None:
        self.bus = bus
        self.durable = durable
        self.options = consumer.options
        self._consumer = consumer
        self._closed = False

    async def fetch(self, batch: int = 1, timeout: float = 1.0) -> list[Delivery]:
        if self._closed:
            raise TemporaryBusError(f"subscription {self.durable} is closed")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            got = self.bus.take(self._consumer, batch)
            if got:
                return got
            wake = self._consumer.next_wakeup()
            until = deadline if wake is None else min(deadline, wake)
            if loop.time() >= deadline:
                return []
            await self.bus.wait(max(0.0, until - loop.time()))

    def __aiter__(self) -> AsyncIterator[Delivery]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Delivery]:
        while not self._closed:
            for delivery in await self.fetch(self.options.batch, timeout=1.0):
                yield delivery

    async def close(self) -> None:
        self._closed = True

    async def __aenter__(self) -> MemorySubscription:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()


class MemoryBus:
    """Publisher + Subscriber + KV in one process; ``available = False`` simulates an outage."""

    def __init__(self, stream: StreamSettings | str = naming.DEFAULT_BUS) -> None:
        self.settings = stream if isinstance(stream, StreamSettings) else StreamSettings(name=stream)
        self.available = True
        self.messages: list[_Stored] = []
        self._seq = 0
        self._ids: dict[str, tuple[int, float]] = {}
        self._consumers: dict[str, _Consumer] = {}
        self._kv: dict[str, MemoryKV] = {}
        self._changed = asyncio.Event()

    @property
    def stream_name(self) -> str:
        return self.settings.name

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    def wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), seconds)

    async def publish(self, event: CloudEvent) -> PublishAck:
        if not self.available:
            raise TemporaryBusError(f"publishing event {event.id}: the in-memory bus is marked unavailable")
        event.to_json()  # the same validation the wire applies
        now = self.now()
        seen = self._ids.get(event.id)
        if seen is not None and now - seen[1] < self.settings.duplicates:
            return PublishAck(self.stream_name, seen[0], duplicate=True)
        self._seq += 1
        self._ids[event.id] = (self._seq, now)
        subject = naming.subject(self.stream_name, event.source, event.subject)
        self.messages.append(_Stored(self._seq, subject, event))
        if 0 < self.settings.max_msgs < len(self.messages):
            del self.messages[0]
        self.wake()
        return PublishAck(self.stream_name, self._seq)

    def filter_for(self, event_source: str | None = None, event_name: str | None = None) -> str:
        return naming.subject_filter(self.stream_name, event_source, event_name)

    async def subscribe(
        self, durable: str, subjects: str | Sequence[str], options: ConsumerOptions | None = None
    ) -> MemorySubscription:
        if not self.available:
            raise TemporaryBusError(f"subscribing {durable}: the in-memory bus is marked unavailable")
        filters = [subjects] if isinstance(subjects, str) else list(subjects)
        if not filters:
            raise PermanentBusError(f"subscribing {durable}: give at least one subject filter")
        opts = options or ConsumerOptions()
        consumer = self._consumers.get(durable)
        if consumer is None:
            consumer = _Consumer(filters, opts, cursor=self._start_cursor(filters, opts))
            self._consumers[durable] = consumer
        else:
            consumer.filters, consumer.options = filters, opts
        return MemorySubscription(self, durable, consumer)

    def _start_cursor(self, filters: list[str], opts: ConsumerOptions) -> int:
        if opts.deliver == "all":
            return 0
        matching = [m.seq for m in self.messages if any(subject_matches(f, m.subject) for f in filters)]
        if opts.deliver == "last" and matching:
            return matching[-1] - 1
        return self._seq

    def take(self, consumer: _Consumer, batch: int) -> list[Delivery]:
        """Hand out up to ``batch`` messages: due redeliveries first, then new ones."""
        now = self.now()
        consumer.expire(now)
        room = min(batch, consumer.options.max_ack_pending - len(consumer.pending))
        by_seq = {m.seq: m for m in self.messages}
        chosen: list[_Stored] = []
        for seq in sorted(s for s, at in consumer.ready.items() if at <= now):
            if len(chosen) >= room:
                break
            del consumer.ready[seq]
            if seq in by_seq:
                chosen.append(by_seq[seq])
        for stored in self.messages:
            if len(chosen) >= room:
                break
            if stored.seq > consumer.cursor:
                consumer.cursor = stored.seq
                if consumer.wants(stored):
                    chosen.append(stored)
        out: list[Delivery] = []
        for stored in chosen:
            tries = consumer.delivered.get(stored.seq, 0) + 1
            consumer.delivered[stored.seq] = tries
            consumer.pending[stored.seq] = now + consumer.options.ack_wait
            out.append(MemoryDelivery(self, consumer, stored, tries))
        return out

    async def delete_consumer(self, durable: str) -> bool:
        return self._consumers.pop(durable, None) is not None

    async def kv(self, bucket: str, *, history: int = 1, ttl: float | None = None) -> MemoryKV:
        return self._kv.setdefault(bucket, MemoryKV(bucket))

    async def close(self) -> None:
        self.available = False

    async def __aenter__(self) -> MemoryBus:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()
