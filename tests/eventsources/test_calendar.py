"""Calendar source on a manual clock: interval, cron, exclusion dates, timezone, catch-up, replicas."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from bus.jetstream import JetStreamBus
from bus.memory import MemoryBus
from eventsources.clock import ManualClock
from eventsources.loading import EventSourceLoadError
from eventsources.runner import EventSourceRunner
from eventsources.testing import event_source, read_events

T0 = datetime(2024, 1, 1, 0, 0, 0, tzinfo=UTC)


def calendar(**fields: Any) -> dict[str, Any]:
    return event_source("cal", {"calendar": {"tick": fields}})


async def settle(clock: ManualClock, bus: MemoryBus, count: int) -> None:
    """Until ``count`` events are stored and the calendar sleeps on the clock again."""
    async with asyncio.timeout(5):
        while len(bus.messages) < count or clock.sleepers == 0:  # noqa: ASYNC110 - polling state
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)


def times(bus: MemoryBus) -> list[str]:
    return [m.event.data["eventTime"] for m in bus.messages]


async def test_interval_ticks_follow_the_clock(memory_bus: MemoryBus) -> None:
    clock = ManualClock(T0)
    async with EventSourceRunner(calendar(interval="10s", metadata={"k": "v"}), memory_bus, clock=clock) as r:
        await r.wait_ready()
        await settle(clock, memory_bus, 0)
        assert memory_bus.messages == []
        await clock.advance(10)
        await settle(clock, memory_bus, 1)
        await clock.advance(25)  # two more ticks fall due at once
        await settle(clock, memory_bus, 3)
    assert times(memory_bus) == [
        "2024-01-01 00:00:10 +0000 UTC",
        "2024-01-01 00:00:20 +0000 UTC",
        "2024-01-01 00:00:30 +0000 UTC",
    ]
    first = memory_bus.messages[0].event
    assert (first.source, first.type, first.subject) == ("cal", "calendar", "tick")
    assert first.data == {"eventTime": "2024-01-01 00:00:10 +0000 UTC", "metadata": {"k": "v"}}
    assert first.time == datetime(2024, 1, 1, 0, 0, 10, tzinfo=UTC)


async def test_cron_in_timezone_with_exclusion_dates(memory_bus: MemoryBus) -> None:
    clock = ManualClock(datetime(2024, 1, 1, 12, 0, tzinfo=UTC))
    res = calendar(schedule="0 9 * * *", timezone="America/New_York", exclusionDates=["EXDATE:20240102T000000Z"])
    async with EventSourceRunner(res, memory_bus, clock=clock) as r:
        await r.wait_ready()
        for _ in range(4):  # four days, one hour at a time of the clock
            await clock.advance(24 * 3600)
            await asyncio.sleep(0.05)
        await settle(clock, memory_bus, 3)
    assert times(memory_bus) == [
        "2024-01-01 09:00:00 -0500 EST",
        "2024-01-03 09:00:00 -0500 EST",
        "2024-01-04 09:00:00 -0500 EST",
    ]


async def test_every_and_daily_descriptors(memory_bus: MemoryBus) -> None:
    clock = ManualClock(T0)
    spec = {"calendar": {"every": {"schedule": "@every 90s"}, "daily": {"schedule": "@daily"}}}
    async with EventSourceRunner(event_source("cal", spec), memory_bus, clock=clock) as r:
        await r.wait_ready()
        await clock.advance(24 * 3600)
        await settle(clock, memory_bus, 961)
    by_subject: dict[str, int] = {}
    for m in memory_bus.messages:
        by_subject[m.event.subject] = by_subject.get(m.event.subject, 0) + 1
    assert by_subject == {"every": 960, "daily": 1}


async def test_catch_up_after_downtime(memory_bus: MemoryBus) -> None:
    clock = ManualClock(T0)
    res = calendar(interval="10s", persistence={"catchup": {"enabled": True}})
    async with EventSourceRunner(res, memory_bus, clock=clock, kv=memory_bus) as r:
        await r.wait_ready()
        await clock.advance(20)
        await settle(clock, memory_bus, 2)
    await clock.advance(60)  # down from 00:00:20 to 00:01:20
    async with EventSourceRunner(res, memory_bus, clock=clock, kv=memory_bus) as r:
        await r.wait_ready()
        await settle(clock, memory_bus, 8)
    assert [t[14:19] for t in times(memory_bus)] == [
        "00:10",
        "00:20",
        "00:30",
        "00:40",
        "00:50",
        "01:00",
        "01:10",
        "01:20",
    ]


async def test_catch_up_is_bounded_by_max_duration_and_off_without_it(memory_bus: MemoryBus) -> None:
    clock = ManualClock(T0)
    bounded = calendar(interval="10s", persistence={"catchup": {"enabled": True, "maxDuration": "30s"}})
    async with EventSourceRunner(bounded, memory_bus, clock=clock, kv=memory_bus) as r:
        await r.wait_ready()
        await clock.advance(10)
        await settle(clock, memory_bus, 1)
    await clock.advance(300)
    async with EventSourceRunner(bounded, memory_bus, clock=clock, kv=memory_bus) as r:
        await r.wait_ready()
        await settle(clock, memory_bus, 4)
    assert [t[14:19] for t in times(memory_bus)] == ["00:10", "04:50", "05:00", "05:10"]
    no_catchup = calendar(interval="10s", persistence={"catchup": {"enabled": False}})
    await clock.advance(300)
    async with EventSourceRunner(no_catchup, memory_bus, clock=clock, kv=memory_bus) as r:
        await r.wait_ready()
        await settle(clock, memory_bus, 4)
    assert len(memory_bus.messages) == 4


async def test_two_replicas_emit_each_tick_once(jetstream_bus: JetStreamBus) -> None:
    clock = ManualClock(T0)
    res = calendar(interval="10s", persistence={"catchup": {"enabled": True}})
    async with (
        EventSourceRunner(res, jetstream_bus, clock=clock, kv=jetstream_bus) as a,
        EventSourceRunner(res, jetstream_bus, clock=clock, kv=jetstream_bus) as b,
    ):
        await a.wait_ready()
        await b.wait_ready()
        for _ in range(5):
            await clock.advance(10)
            await asyncio.sleep(0.1)
    events = await read_events(jetstream_bus, "cal", 5, settle=0.3)
    assert sorted(e.data["eventTime"][11:19] for e in events) == [f"00:00:{s}" for s in ("10", "20", "30", "40", "50")]
    assert len({e.id for e in events}) == 5


async def test_bus_outage_holds_the_tick_until_stored(memory_bus: MemoryBus) -> None:
    clock = ManualClock(T0)
    async with EventSourceRunner(calendar(interval="10s"), memory_bus, clock=clock) as r:
        await r.wait_ready()
        memory_bus.available = False
        await clock.advance(10)
        await asyncio.sleep(0.3)
        assert memory_bus.messages == []
        memory_bus.available = True
        await settle(clock, memory_bus, 1)
    assert times(memory_bus) == ["2024-01-01 00:00:10 +0000 UTC"]


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"schedule": "61 * * * *"}, "spec.calendar.tick.schedule"),
        ({"interval": "ten seconds"}, "spec.calendar.tick.interval"),
        ({"interval": "10s", "timezone": "Mars/Olympus"}, "spec.calendar.tick.timezone"),
        ({}, "spec.calendar.tick"),
    ],
)
def test_bad_calendar_spec_names_the_field(fields: dict[str, Any], path: str, memory_bus: MemoryBus) -> None:
    with pytest.raises(EventSourceLoadError) as info:
        EventSourceRunner(calendar(**fields), memory_bus)
    assert path in str(info.value)


async def test_filter_expression_drops_events(memory_bus: MemoryBus) -> None:
    clock = ManualClock(T0)
    res = calendar(interval="10s", metadata={"env": "prod"}, filter={"expression": "metadata.env == 'dev'"})
    async with EventSourceRunner(res, memory_bus, clock=clock) as r:
        await r.wait_ready()
        await clock.advance(30)
        await asyncio.sleep(0.2)
    assert memory_bus.messages == []
    with pytest.raises(EventSourceLoadError) as info:
        EventSourceRunner(calendar(interval="10s", filter={"expression": "a &&"}), memory_bus)
    assert "spec.calendar.tick.filter.expression" in str(info.value)
