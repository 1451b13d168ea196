"""In-process watch fan-out with a window of recent events for ``resourceVersion`` resume.

Lives on one event loop. Events arrive from the writer thread through ``publish_threadsafe``
in commit order. A watcher that asks to resume from a version older than the window gets
``Expired`` (HTTP 410), as from Kubernetes, and must list again.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from dataclasses import dataclass, field

from pinnace.resources.errors import ApiError
from pinnace.store.selectors import FieldSelector, LabelSelector
from pinnace.store.writer import Event


class Expired(ApiError):
    code = 410
    reason = "Expired"


@dataclass
class WatchFilter:
    kind: str
    namespace: str | None = None  # None: every namespace
    labels: LabelSelector = field(default_factory=LabelSelector)
    fields: FieldSelector = field(default_factory=FieldSelector)

    def matches(self, ev: Event) -> bool:
        if ev.kind != self.kind or (self.namespace is not None and ev.namespace != self.namespace):
            return False
        if not self.labels.matches(ev.labels):
            return False
        return not self.fields.terms or self.fields.matches({"metadata": {"name": ev.name, "namespace": ev.namespace}})


class Subscription:
    """One watcher's queue. ``None`` in the queue means the watch was closed by the server."""

    def __init__(self, hub: Hub, flt: WatchFilter, max_pending: int) -> None:
        self._hub = hub
        self.filter = flt
        self.queue: asyncio.Queue[Event | None] = asyncio.Queue()
        self.max_pending = max_pending
        self.overflowed = False
        self.closed = False

    def offer(self, ev: Event) -> None:
        if self.closed or not self.filter.matches(ev):
            return
        if self.queue.qsize() >= self.max_pending:
            # A consumer this far behind would only grow memory; make it relist instead.
            self.overflowed = True
            self.close()
            return
        self.queue.put_nowait(ev)

    async def next(self) -> Event | None:
        """The next event; ``None`` when the watch ended."""
        if self.closed and self.queue.empty():
            return None
        return await self.queue.get()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.queue.put_nowait(None)
            self._hub.unsubscribe(self)


class Hub:
    def __init__(self, loop: asyncio.AbstractEventLoop, floor_rv: int, window: int = 2048) -> None:
        self._loop = loop
        self._recent: collections.deque[Event] = collections.deque(maxlen=window)
        self.floor_rv = floor_rv  # resuming from any rv >= floor is possible
        self.last_rv = floor_rv
        self._subs: set[Subscription] = set()
        self._closing = False

    @property
    def watcher_count(self) -> int:
        return len(self._subs)

    def publish_threadsafe(self, events: list[Event]) -> None:
        # A loop closed during shutdown has nobody watching any more.
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self.publish, events)

    def publish(self, events: list[Event]) -> None:
        for ev in events:
            if len(self._recent) == self._recent.maxlen:
                self.floor_rv = self._recent[0].rv
            self._recent.append(ev)
            self.last_rv = ev.rv
            for sub in list(self._subs):
                sub.offer(ev)

    def subscribe(self, flt: WatchFilter, since_rv: int | None, max_pending: int = 10000) -> Subscription:
        """Subscribe; with ``since_rv``, first replay every retained event after it."""
        if self._closing:
            raise Expired("the server is shutting down; watch again")
        if since_rv is not None and since_rv < self.floor_rv:
            raise Expired(f"too old resource version: {since_rv} ({self.floor_rv}); list again and watch from "
                          "the list's resourceVersion")
        sub = Subscription(self, flt, max_pending)
        self._subs.add(sub)
        if since_rv is not None:
            for ev in self._recent:
                if ev.rv > since_rv:
                    sub.offer(ev)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self._subs.discard(sub)

    def close_all(self) -> None:
        self._closing = True
        for sub in list(self._subs):
            sub.close()

