"""The Publisher/Subscriber/KV contract, run against a real nats-server and the in-memory twin.

Each test runs twice: ``jetstream`` (the embedded nats-server started by the fixtures on a free
port) and ``memory`` (bus.memory); both must behave the same.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio

from bus.cloudevent import CloudEvent
from bus.errors import KeyConflictError
from bus.interface import ConsumerOptions, Delivery, Publisher, Subscriber
from bus.jetstream import JetStreamBus
from bus.memory import MemoryBus
from bus.testing import test_stream, unique_name

AnyBus = JetStreamBus | MemoryBus


@pytest_asyncio.fixture(params=["jetstream", "memory"])
async def bus(request: pytest.FixtureRequest, nats_url: str) -> AsyncIterator[AnyBus]:
    if request.param == "memory":
        yield MemoryBus(test_stream())
        return
    js_bus = await JetStreamBus.connect(nats_url, test_stream())
    yield js_bus
    await js_bus.conn.js.delete_stream(js_bus.stream_name)
    await js_bus.close()


def event(name: str = "push", source: str = "github", data: object = None, **kw: object) -> CloudEvent:
    return CloudEvent.new(source=source, type="webhook", subject=name, data=data, **kw)  # type: ignore[arg-type]


async def drain(sub: object, want: int, within: float = 3.0) -> list[Delivery]:
    """Fetch until ``want`` deliveries arrived or ``within`` seconds passed."""
    out: list[Delivery] = []
    loop = asyncio.get_running_loop()
    end = loop.time() + within
    while len(out) < want and loop.time() < end:
        out += await sub.fetch(want - len(out), timeout=max(0.05, min(0.5, end - loop.time())))  # type: ignore[attr-defined]
    return out


async def test_implements_the_protocols(bus: AnyBus) -> None:
    assert isinstance(bus, Publisher)
    assert isinstance(bus, Subscriber)


async def test_round_trip_keeps_every_cloudevent_attribute(bus: AnyBus) -> None:
    sub = await bus.subscribe("sensor__dep", bus.filter_for("github", "push"))
    sent = event(
        data={"body": {"ref": "main", "n": [1, 2.5, None, True]}, "header": {"X": ["y"]}},
        id="evt-1",
        time=datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC),
        extensions={"traceparent": "00-abc-def-01"},
    )
    ack = await bus.publish(sent)
    assert ack.stream == bus.stream_name and ack.seq >= 1 and not ack.duplicate
    [got] = await drain(sub, 1)
    assert got.event == sent
    assert (got.event.id, got.event.source, got.event.type, got.event.subject) == ("evt-1", "github", "webhook", "push")
    assert got.event.time == sent.time
    assert got.event.datacontenttype == "application/json"
    assert got.event.extensions == {"traceparent": "00-abc-def-01"}
    assert got.stream_seq == ack.seq and got.num_delivered == 1
    await got.ack()


async def test_binary_data_and_odd_names_survive(bus: AnyBus) -> None:
    sub = await bus.subscribe("d", bus.filter_for("my.source v2", "a.b*c>"))
    sent = event("a.b*c>", "my.source v2", data=b"\x00\xffbinary", datacontenttype="application/octet-stream")
    await bus.publish(sent)
    [got] = await drain(sub, 1)
    assert got.event == sent and got.event.data == b"\x00\xffbinary"
    await got.ack()


async def test_same_event_id_twice_is_stored_and_delivered_once(bus: AnyBus) -> None:
    sub = await bus.subscribe("once", bus.filter_for())
    first = event(id="dup-1", data={"n": 1})
    a1 = await bus.publish(first)
    a2 = await bus.publish(first)
    other = await bus.publish(event(id="dup-2"))
    assert not a1.duplicate and a2.duplicate and a2.seq == a1.seq
    assert other.seq == a1.seq + 1
    got = await drain(sub, 3, within=0.5)
    assert [d.event.id for d in got] == ["dup-1", "dup-2"]
    for d in got:
        await d.ack()


async def test_filters_select_source_and_event(bus: AnyBus) -> None:
    only_push = await bus.subscribe("push-only", bus.filter_for("github", "push"))
    two = await bus.subscribe("two", [bus.filter_for("github", "pr"), bus.filter_for("cron", None)])
    for name, source in [("push", "github"), ("pr", "github"), ("tick", "cron"), ("push", "gitlab")]:
        await bus.publish(event(name, source))
    a = await drain(only_push, 4, within=0.4)
    b = await drain(two, 4, within=0.4)
    assert [(d.event.source, d.event.subject) for d in a] == [("github", "push")]
    assert sorted((d.event.source, d.event.subject) for d in b) == [("cron", "tick"), ("github", "pr")]


async def test_unacked_message_is_redelivered_after_ack_wait(bus: AnyBus) -> None:
    sub = await bus.subscribe("slow", bus.filter_for(), ConsumerOptions(ack_wait=0.5))
    await bus.publish(event(id="r1"))
    [first] = await drain(sub, 1)
    assert first.num_delivered == 1
    assert await sub.fetch(1, timeout=0.2) == []  # not yet: ack wait still running
    [again] = await drain(sub, 1, within=2.0)
    assert again.event.id == "r1" and again.num_delivered == 2
    await again.ack()
    assert await sub.fetch(1, timeout=0.6) == []  # acked: gone for good


async def test_in_progress_extends_the_ack_wait(bus: AnyBus) -> None:
    sub = await bus.subscribe("busy", bus.filter_for(), ConsumerOptions(ack_wait=0.6))
    await bus.publish(event(id="p1"))
    [d] = await drain(sub, 1)
    for _ in range(3):
        await asyncio.sleep(0.3)
        await d.in_progress()
    assert await sub.fetch(1, timeout=0.2) == []  # 1.1 s later, kept alive: no redelivery
    await d.ack()


async def test_nak_with_delay_redelivers_only_after_the_delay(bus: AnyBus) -> None:
    sub = await bus.subscribe("later", bus.filter_for(), ConsumerOptions(ack_wait=10))
    await bus.publish(event(id="n1"))
    [d] = await drain(sub, 1)
    loop = asyncio.get_running_loop()
    naked_at = loop.time()
    await d.nak(delay=0.8)
    assert await sub.fetch(1, timeout=0.5) == []
    [again] = await drain(sub, 1, within=2.0)
    assert loop.time() - naked_at >= 0.75
    assert again.event.id == "n1" and again.num_delivered == 2
    await again.nak()  # no delay: comes straight back
    [third] = await drain(sub, 1, within=1.0)
    assert third.num_delivered == 3
    await third.ack()


async def test_term_stops_delivery(bus: AnyBus) -> None:
    sub = await bus.subscribe("poison", bus.filter_for(), ConsumerOptions(ack_wait=0.3))
    await bus.publish(event(id="bad"))
    await bus.publish(event(id="good"))
    got = await drain(sub, 2)
    bad = next(d for d in got if d.event.id == "bad")
    good = next(d for d in got if d.event.id == "good")
    await bad.term()
    await good.ack()
    assert await sub.fetch(5, timeout=0.7) == []  # well past the ack wait


async def test_max_deliver_gives_up(bus: AnyBus) -> None:
    sub = await bus.subscribe("limited", bus.filter_for(), ConsumerOptions(ack_wait=0.2, max_deliver=2))
    await bus.publish(event(id="m1"))
    seen = [d.num_delivered for d in await drain(sub, 3, within=1.0)]
    assert seen == [1, 2]


async def test_two_subscribers_on_one_durable_split_the_work(bus: AnyBus) -> None:
    opts = ConsumerOptions(ack_wait=5, batch=4)
    a = await bus.subscribe("shared", bus.filter_for(), opts)
    b = await bus.subscribe("shared", bus.filter_for(), opts)
    ids = [f"e{i}" for i in range(40)]
    seen: dict[str, list[str]] = {"a": [], "b": []}

    async def work(name: str, sub: object) -> None:
        while len(seen["a"]) + len(seen["b"]) < len(ids):
            for d in await sub.fetch(4, timeout=0.2):  # type: ignore[attr-defined]
                seen[name].append(d.event.id)
                await asyncio.sleep(0.002)  # some work, so the other replica gets a turn
                await d.ack()

    async def produce() -> None:
        for i in ids:
            await bus.publish(event(id=i))
            if i.endswith("0"):
                await asyncio.sleep(0.01)

    async with asyncio.timeout(10):
        await asyncio.gather(work("a", a), work("b", b), produce())
    both = seen["a"] + seen["b"]
    assert sorted(both) == sorted(ids)  # every message, none twice
    assert seen["a"] and seen["b"]  # and both replicas did some of it


async def test_iterating_a_subscription(bus: AnyBus) -> None:
    sub = await bus.subscribe("iter", bus.filter_for(), ConsumerOptions(batch=3))
    for i in range(5):
        await bus.publish(event(id=f"i{i}"))
    got: list[str] = []
    async with asyncio.timeout(5):
        async for d in sub:
            got.append(d.event.id)
            await d.ack()
            if len(got) == 5:
                break
    await sub.close()
    assert got == [f"i{i}" for i in range(5)]


async def test_kv_semantics(bus: AnyBus) -> None:
    kv = await bus.kv(unique_name("kv"))
    assert await kv.get("missing") is None
    r1 = await kv.create("sensor.trigger", b"one")
    with pytest.raises(KeyConflictError):
        await kv.create("sensor.trigger", b"again")
    entry = await kv.get("sensor.trigger")
    assert entry is not None and entry.value == b"one" and entry.revision == r1
    r2 = await kv.update("sensor.trigger", b"two", r1)
    assert r2 > r1
    with pytest.raises(KeyConflictError):
        await kv.update("sensor.trigger", b"stale", r1)  # someone else wrote r2 meanwhile
    r3 = await kv.put("other", b"x")
    assert r3 > r2
    assert await kv.keys() == ["other", "sensor.trigger"]
    await kv.delete("sensor.trigger")
    assert await kv.get("sensor.trigger") is None
    assert await kv.keys() == ["other"]
    assert await kv.create("sensor.trigger", b"fresh") > r3  # a deleted key can be created again
