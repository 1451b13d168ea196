"""Admission of new Workflows: a bound on the unfinished ones.

When events arrive faster than the engine finishes workflows, the backlog should wait where it
is cheap and durable (the bus stream, on disk) rather than as workflow objects held by the store's
watchers and the engine. Creating a Workflow while ``limit`` are unfinished is refused with
:class:`TooManyRequests` (HTTP 429 with ``Retry-After``), a temporary error: a sensor's
``atLeastOnce`` trigger hands the event back to the bus and it is redelivered after the delay.

"Unfinished" follows Argo's own marker, the ``workflows.argoproj.io/completed`` label the
controller sets when a workflow ends, so the count is kept from the committed events alone.
The bound is soft: it is checked before the create is queued to the writer, so creates racing
each other may pass it by a few; it bounds memory, it is not a quota.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable

from pinnace.resources.errors import TooManyRequests
from pinnace.store.writer import Event

COMPLETED_LABEL = "workflows.argoproj.io/completed"
DEFAULT_LIMIT = 2000
RETRY_AFTER = 2.0

Key = tuple[str, str]


def _completed(labels: dict[str, str] | None) -> bool:
    return (labels or {}).get(COMPLETED_LABEL) == "true"


class WorkflowAdmission:
    """Counts unfinished Workflows; ``limit`` 0 admits everything."""

    def __init__(self, limit: int = DEFAULT_LIMIT, retry_after: float = RETRY_AFTER) -> None:
        self.limit = limit
        self.retry_after = retry_after
        self._active: set[Key] = set()
        self._lock = threading.Lock()  # events are observed on the writer thread

    @property
    def active(self) -> int:
        return len(self._active)

    def load(self, conn: sqlite3.Connection) -> None:
        rows = conn.execute("SELECT namespace, name, labels FROM objects WHERE kind='Workflow'").fetchall()
        with self._lock:
            self._active = {(ns, name) for ns, name, labels in rows if not _completed(json.loads(labels or "{}"))}

    def observe(self, events: Iterable[Event]) -> None:
        with self._lock:
            for ev in events:
                if ev.kind != "Workflow":
                    continue
                key = (ev.namespace, ev.name)
                if ev.type == "DELETED" or _completed(ev.labels):
                    self._active.discard(key)
                else:
                    self._active.add(key)

    def check(self, kind: str) -> None:
        """Raise :class:`TooManyRequests` when a new ``kind`` object may not be created now."""
        if kind != "Workflow" or self.limit <= 0 or len(self._active) < self.limit:
            return
        raise TooManyRequests(
            f"{len(self._active)} workflows are unfinished, the most this pinnace admits "
            f"(--max-active-workflows {self.limit}); retry in {self.retry_after:g}s",
            kind="Workflow", retry_after=self.retry_after)
