"""Webhook load for the crash, load and soak runs: many concurrent POSTs over loopback.

Every event carries a unique ``id`` in its body and the same value as ``X-Idempotency-Key``; the
result records, per id, the HTTP status (0 = no answer) and the latency, so a test can compare
"acknowledged to the producer" (200) with "ended as a workflow".
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp


@dataclass
class Sent:
    id: str
    status: int
    latency: float


@dataclass
class LoadResult:
    sent: list[Sent] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0

    def acked(self) -> set[str]:
        return {s.id for s in self.sent if s.status == 200}

    def latencies(self) -> list[float]:
        return sorted(s.latency for s in self.sent if s.status == 200)

    def rate(self) -> float:
        took = self.finished - self.started
        return len(self.acked()) / took if took > 0 else 0.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def fire(url: str, ids: Iterator[str], concurrency: int, result: LoadResult,
               stop: threading.Event | None = None, rate: float | None = None, timeout: float = 30.0) -> None:
    """POST one event per id with ``concurrency`` workers; ``rate`` caps events/s overall."""
    result.started = time.monotonic()
    lock = asyncio.Lock()
    interval = concurrency / rate if rate else 0.0
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    connector = aiohttp.TCPConnector(limit=concurrency)

    async def worker(session: aiohttp.ClientSession) -> None:
        while stop is None or not stop.is_set():
            async with lock:
                event_id = next(ids, None)
            if event_id is None:
                return
            body = json.dumps({"id": event_id, "kind": "load"})
            t0 = time.monotonic()
            try:
                async with session.post(url, data=body, headers={"Content-Type": "application/json",
                                                                 "X-Idempotency-Key": event_id}) as resp:
                    await resp.read()
                    status = resp.status
            except (aiohttp.ClientError, TimeoutError, OSError):
                status = 0
            took = time.monotonic() - t0
            result.sent.append(Sent(event_id, status, took))
            if status == 0:
                await asyncio.sleep(0.05)  # the server is gone: do not spin
            if interval > took:
                await asyncio.sleep(interval - took)

    async with aiohttp.ClientSession(connector=connector, timeout=client_timeout) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    result.finished = time.monotonic()


class LoadThread(threading.Thread):
    """Run :func:`fire` in a thread of its own until the ids run out or :meth:`halt` is called."""

    def __init__(self, url: str, ids: Iterator[str], concurrency: int = 16, rate: float | None = None) -> None:
        super().__init__(name="webhook-load", daemon=True)
        self.url = url
        self.ids = ids
        self.concurrency = concurrency
        self.rate = rate
        self.stop_event = threading.Event()
        self.result = LoadResult()

    def run(self) -> None:
        asyncio.run(fire(self.url, self.ids, self.concurrency, self.result, self.stop_event, self.rate))

    def finish(self, timeout: float = 600.0) -> LoadResult:
        """Wait until every id was sent."""
        self.join(timeout)
        return self.result

    def halt(self, timeout: float = 40.0) -> LoadResult:
        self.stop_event.set()
        self.join(timeout)
        return self.result


def id_stream(prefix: str, limit: int | None = None) -> Iterator[str]:
    i = 0
    while limit is None or i < limit:
        yield f"{prefix}-{i:06d}"
        i += 1


def run_ids(ids_file: Path) -> Counter[str]:
    """How many times each event id was written to ``ids_file`` by the pods that ran."""
    if not ids_file.exists():
        return Counter()
    return Counter(line for line in ids_file.read_text().splitlines() if line)
