"""The ``calendar`` source: cron/interval ticks with exclusion dates, timezone, persistence, catch-up.

Each tick is published with the tick time in its CloudEvent id, so the bus stores a tick once
however many replicas (or restarts) emit it. With ``persistence`` the last emitted tick is kept
in the bus KV: a replica skips ticks another one already recorded, and with
``persistence.catchup.enabled`` a restarted source first emits the ticks it missed (no further
back than ``catchup.maxDuration``), as Argo's calendar source does with its ConfigMap.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from eventsources.base import Emit, EventSourceType, SourceContext, SpecError
from eventsources.registry import register
from eventsources.schedule import Schedule, ScheduleError, go_time_string
from eventsources.ticks import MemoryTickStore, TickStore, kv_tick_store
from pinnace.resources.durations import DurationError, parse_go_duration


def tick_id(namespace: str, source: str, event: str, tick: datetime) -> str:
    stamp = tick.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    return f"calendar:{namespace}/{source}/{event}@{stamp}"


@register
class CalendarSource(EventSourceType):
    key = "calendar"

    def __init__(self, ctx: SourceContext) -> None:
        super().__init__(ctx)
        spec = ctx.spec
        try:
            self.schedule = Schedule.from_spec(spec.schedule, spec.interval, spec.timezone, spec.exclusion_dates or ())
        except ScheduleError as exc:
            raise SpecError(self.path(exc.field), str(exc)) from None
        persistence = spec.persistence
        catchup = persistence.catchup if persistence is not None else None
        self.persistent = persistence is not None
        self.catchup = bool(catchup is not None and catchup.enabled)
        self.max_catchup: timedelta | None = None
        if catchup is not None and catchup.max_duration:
            try:
                self.max_catchup = timedelta(seconds=parse_go_duration(catchup.max_duration))
            except DurationError as exc:
                raise SpecError(self.path("persistence", "catchup", "maxDuration"), str(exc)) from None
        self.metadata: dict[str, Any] | None = dict(spec.metadata) if spec.metadata else None

    async def _store(self) -> TickStore | None:
        if not self.persistent:
            return None
        if self.ctx.kv is None:
            self.log.warning("persistence is configured but no bus KV was given: ticks are kept in memory only")
            return MemoryTickStore()
        return await kv_tick_store(self.ctx.kv, self.ctx.namespace, self.ctx.source_name, self.ctx.event_name)

    async def _start_time(self, store: TickStore | None) -> datetime:
        now = self.ctx.clock.now()
        if store is None or not self.catchup:
            return now
        last = await store.last()
        if last is None:
            return now
        if self.max_catchup is not None and now - last > self.max_catchup:
            return now - self.max_catchup
        return last

    async def run(self, emit: Emit) -> None:
        store = await self._store()
        last = await self._start_time(store)
        self.log.info("calendar starts after %s", last.isoformat())
        self.ready.set()
        while True:
            tick = self.schedule.next_after(last)
            if tick > self.ctx.clock.now():
                await self.ctx.clock.sleep_until(tick)
            recorded = await store.last() if store is not None else None
            if recorded is None or tick > recorded:
                await self._emit_tick(emit, tick)
                if store is not None:
                    await store.save(tick)
            last = tick

    def payload(self, tick: datetime) -> dict[str, Any]:
        data: dict[str, Any] = {"eventTime": go_time_string(tick)}
        if self.metadata:
            data["metadata"] = self.metadata
        return data

    async def _emit_tick(self, emit: Emit, tick: datetime) -> None:
        ctx = self.ctx
        event_id = tick_id(ctx.namespace, ctx.source_name, ctx.event_name, tick)
        await self.emit_until_stored(emit, self.payload(tick), event_id=event_id, time=tick)
