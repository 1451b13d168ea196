"""One writer thread with group commit.

Writes queue up; the thread takes every write waiting, runs each in its own savepoint inside
one transaction, commits (one fsync for the whole batch), and only then answers the callers
and publishes their watch events. So an answer always means "on disk", and concurrent writers
share the cost of the fsync instead of queueing behind one fsync each.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pinnace.resources.errors import ApiError, Unavailable
from pinnace.store import db

log = logging.getLogger(__name__)

_MAX_BATCH = 512


@dataclass(frozen=True)
class Event:
    """A committed change, as watchers receive it; ``data`` is the object's compact JSON."""

    rv: int
    type: str
    kind: str
    namespace: str
    name: str
    labels: dict[str, str]
    data: str


@dataclass
class Tx:
    """What a write operation sees: the connection, the rv counter and its event list."""

    conn: sqlite3.Connection
    rv: int
    events: list[Event] = field(default_factory=list)

    def next_rv(self) -> int:
        self.rv += 1
        return self.rv


Op = Callable[[Tx], Any]
# Called on the writer thread; must hand the events to the watchers' loop thread-safely.
Publish = Callable[[list[Event]], None]


@dataclass
class _Job:
    op: Op
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]


class Writer:
    def __init__(self, path: Path, publish: Publish) -> None:
        self._conn = db.connect(path)
        self.rv = db.initialize(self._conn)
        self._publish = publish
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="pinnace-store-writer", daemon=True)
        self._closed = False
        self._thread.start()

    async def submit(self, op: Op) -> Any:
        if self._closed:
            raise Unavailable("the store is closed")
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[Any] = loop.create_future()
        self._queue.put(_Job(op, loop, fut))
        return await fut

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        self._thread.join()
        self._conn.close()

    def _take_batch(self) -> list[_Job] | None:
        first = self._queue.get()
        if first is None:
            return None
        batch = [first]
        while len(batch) < _MAX_BATCH:
            try:
                nxt = self._queue.get_nowait()
            except queue.Empty:
                break
            if nxt is None:
                self._queue.put(None)  # finish this batch, then stop
                break
            batch.append(nxt)
        return batch

    def _run(self) -> None:
        while (batch := self._take_batch()) is not None:
            self._run_batch(batch)

    def _run_batch(self, batch: list[_Job]) -> None:
        tx = Tx(self._conn, self.rv)
        results: list[tuple[_Job, Any, BaseException | None]] = []
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            for job in batch:
                results.append((job, *self._run_one(tx, job.op)))
            self._conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES('rv', ?)", (str(tx.rv),))
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            log.exception("store commit failed")
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            failure = Unavailable(f"the store could not save the change ({exc}); retry later")
            for job in batch:
                _answer(job, None, failure)
            return
        self.rv = tx.rv
        # Publish before answering: whoever sees the answer's rv can already watch from it.
        if tx.events:
            self._publish(tx.events)
        for job, result, error in results:
            _answer(job, result, error)

    @staticmethod
    def _run_one(tx: Tx, op: Op) -> tuple[Any, BaseException | None]:
        mark = len(tx.events)
        tx.conn.execute("SAVEPOINT op")
        try:
            result = op(tx)
        except Exception as exc:
            if not isinstance(exc, ApiError):
                log.exception("store operation failed")
            tx.conn.execute("ROLLBACK TO op")
            tx.conn.execute("RELEASE op")
            del tx.events[mark:]
            return None, exc
        tx.conn.execute("RELEASE op")
        return result, None


def _answer(job: _Job, result: Any, error: BaseException | None) -> None:
    def settle() -> None:
        if job.future.done():
            return
        if error is not None:
            job.future.set_exception(error)
        else:
            job.future.set_result(result)

    # The caller's loop may be gone; then nobody waits for this answer.
    with contextlib.suppress(RuntimeError):
        job.loop.call_soon_threadsafe(settle)
