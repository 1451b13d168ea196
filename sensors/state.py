"""Per-trigger correlation state, persisted in the bus KV so restarts and replicas share it.

One KV key per (sensor, trigger) holds the events waiting for their partners, the set being
fired right now and the id sets fired recently. It is updated with compare-and-set, so two
replicas receiving the two halves of ``a && b`` at once cannot both miss (or both fire) the
combination. The recorded firing makes a redelivery after a crash re-fire the *same* event set
(whose identity the trigger recognises) and a redelivery after completion a no-op.

``conditionsReset`` (``byTime.cron`` in ``timezone``) is applied lazily: a waiting event saved
before the most recent reset time counts as cleared — the same effect as Argo's cron job
clearing the store, without a timer that every replica would have to run.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from croniter import croniter

from bus.cloudevent import CloudEvent
from bus.errors import KeyConflictError
from bus.kv import KeyValueStore
from bus.naming import kv_key
from sensors.conditions import Condition, evaluate
from sensors.event import Event

RECENT_FIRINGS = 64
MAX_CAS_ATTEMPTS = 50


@dataclass(frozen=True)
class ResetSchedule:
    cron: str
    timezone: str = ""

    def last_reset(self, now: datetime) -> float:
        zone = ZoneInfo(self.timezone) if self.timezone else UTC
        prev: datetime = croniter(self.cron, now.astimezone(zone)).get_prev(datetime)
        return prev.timestamp()


def _encode_event(event: Event) -> dict[str, Any]:
    return json.loads(event.to_cloudevent().to_json())  # type: ignore[no-any-return]


def _decode_event(data: dict[str, Any]) -> Event:
    return Event.from_cloudevent(CloudEvent.from_json(json.dumps(data)))


@dataclass
class Decision:
    """What to do with one event for one trigger."""

    action: str  # "wait", "fire", "done"
    events: dict[str, Event] = field(default_factory=dict)


@dataclass
class _Doc:
    waiting: dict[str, dict[str, Any]] = field(default_factory=dict)
    firing: dict[str, Any] | None = None
    done: list[list[str]] = field(default_factory=list)

    @classmethod
    def load(cls, raw: bytes | None) -> _Doc:
        if not raw:
            return cls()
        doc = json.loads(raw)
        return cls(doc.get("waiting") or {}, doc.get("firing"), doc.get("done") or [])

    def dump(self) -> bytes:
        return json.dumps({"waiting": self.waiting, "firing": self.firing, "done": self.done}).encode()


class TriggerState:
    def __init__(
        self, kv: KeyValueStore, sensor: str, trigger: str, condition: Condition,
        resets: list[ResetSchedule] | None = None,
    ) -> None:
        self.kv = kv
        self.key = kv_key("trigger", trigger)
        self.sensor = sensor
        self.condition = condition
        self.resets = resets or []

    def _reset_time(self) -> float:
        now = datetime.now(UTC)
        return max((r.last_reset(now) for r in self.resets), default=0.0)

    async def _cas(self, change: Any) -> Decision:
        """Read, let ``change(doc)`` decide, write back at the read revision; retry on a lost race."""
        for _ in range(MAX_CAS_ATTEMPTS):
            entry = await self.kv.get(self.key)
            doc = _Doc.load(entry.value if entry else None)
            decision, dirty = change(doc)
            if not dirty:
                return decision  # type: ignore[no-any-return]
            try:
                if entry is None:
                    await self.kv.create(self.key, doc.dump())
                else:
                    await self.kv.update(self.key, doc.dump(), entry.revision)
            except KeyConflictError:
                continue
            return decision  # type: ignore[no-any-return]
        raise KeyConflictError(f"state of trigger key {self.key} kept changing; giving up this delivery",
                               key=self.key)

    async def offer(self, dependency: str, event: Event) -> Decision:
        reset_at = self._reset_time()

        def change(doc: _Doc) -> tuple[Decision, bool]:
            if any(event.id in ids for ids in doc.done):
                return Decision("done"), False
            if doc.firing and event.id in doc.firing.get("ids", []):
                events = {d: _decode_event(e) for d, e in doc.firing["events"].items()}
                return Decision("fire", events), False
            for dep in [d for d, w in doc.waiting.items() if w.get("at", 0) < reset_at]:
                del doc.waiting[dep]
            satisfied = set(doc.waiting) | {dependency}
            if not evaluate(self.condition, satisfied):
                doc.waiting[dependency] = {"at": time.time(), "event": _encode_event(event)}
                return Decision("wait"), True
            events = {d: _decode_event(w["event"]) for d, w in doc.waiting.items()}
            events[dependency] = event
            doc.waiting = {}
            doc.firing = {"ids": [e.id for e in events.values()],
                          "events": {d: _encode_event(e) for d, e in events.items()}}
            return Decision("fire", events), True

        return await self._cas(change)

    async def complete(self, events: dict[str, Event]) -> None:
        """The firing of ``events`` finished (or was given up): remember it, drop the in-flight record."""
        ids = sorted(e.id for e in events.values())

        def change(doc: _Doc) -> tuple[Decision, bool]:
            if doc.firing and sorted(doc.firing.get("ids", [])) == ids:
                doc.firing = None
            if ids not in doc.done:
                doc.done = [*doc.done, ids][-RECENT_FIRINGS:]
            return Decision("done"), True

        await self._cas(change)

    async def waiting(self) -> set[str]:
        entry = await self.kv.get(self.key)
        doc = _Doc.load(entry.value if entry else None)
        reset_at = self._reset_time()
        return {d for d, w in doc.waiting.items() if w.get("at", 0) >= reset_at}
