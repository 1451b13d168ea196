"""Correlation state in the KV: waiting, firing once, redelivery, replicas racing, conditionsReset."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from bus.kv import KVEntry, MemoryKV
from sensors.conditions import parse_conditions
from sensors.state import ResetSchedule, TriggerState
from sensors.testing import event


def state(kv: MemoryKV, cond: str = "a && b", resets: list[ResetSchedule] | None = None) -> TriggerState:
    return TriggerState(kv, "s", "t", parse_conditions(cond), resets)


async def test_waits_then_fires_with_both_events() -> None:
    kv = MemoryKV()
    st = state(kv)
    a, b = event({"n": 1}, id="ea"), event({"n": 2}, id="eb")
    assert (await st.offer("a", a)).action == "wait"
    assert await st.waiting() == {"a"}
    decision = await st.offer("b", b)
    assert decision.action == "fire"
    assert {d: e.id for d, e in decision.events.items()} == {"a": "ea", "b": "eb"}
    assert decision.events["a"].data() == {"n": 1}
    assert await st.waiting() == set()


async def test_state_survives_a_new_instance() -> None:
    kv = MemoryKV()
    await state(kv).offer("a", event({}, id="ea"))
    restarted = state(kv)
    assert (await restarted.offer("b", event({}, id="eb"))).action == "fire"


async def test_redelivery_during_firing_refires_same_set_and_after_completion_is_done() -> None:
    kv = MemoryKV()
    st = state(kv)
    a, b = event({}, id="ea"), event({}, id="eb")
    await st.offer("a", a)
    first = await st.offer("b", b)
    again = await st.offer("b", b)  # crash before the ack: the same event comes back
    assert again.action == "fire"
    assert {e.id for e in again.events.values()} == {e.id for e in first.events.values()}
    await st.complete(first.events)
    assert (await st.offer("b", b)).action == "done"
    # A new event for b starts a new round instead.
    assert (await st.offer("b", event({}, id="eb2"))).action == "wait"


async def test_or_inside_and() -> None:
    st = state(MemoryKV(), "a && (b || c)")
    assert (await st.offer("c", event({}, id="1"))).action == "wait"
    assert (await st.offer("a", event({}, id="2"))).action == "fire"


async def test_later_event_replaces_waiting_one() -> None:
    st = state(MemoryKV())
    await st.offer("a", event({}, id="old"))
    await st.offer("a", event({}, id="new"))
    fired = await st.offer("b", event({}, id="b"))
    assert fired.events["a"].id == "new"


class YieldingKV(MemoryKV):
    """Gives other tasks a turn between read and write, as a network round trip does."""

    async def get(self, key: str) -> KVEntry | None:
        entry = await super().get(key)
        await asyncio.sleep(0)
        return entry


async def test_replicas_racing_fire_exactly_once() -> None:
    kv = YieldingKV()
    replicas = [state(kv), state(kv)]
    decisions = await asyncio.gather(
        replicas[0].offer("a", event({}, id="ea")), replicas[1].offer("b", event({}, id="eb"))
    )
    assert sorted(d.action for d in decisions) == ["fire", "wait"]


async def test_conditions_reset_drops_events_saved_before_the_last_reset() -> None:
    kv = MemoryKV()
    now = datetime.now(UTC)
    # A reset every minute: anything saved before the start of this minute is forgotten.
    st = state(kv, resets=[ResetSchedule("* * * * *")])
    await st.offer("a", event({}, id="ea"))
    reset_at = ResetSchedule("* * * * *").last_reset(now + timedelta(minutes=1))
    assert reset_at > now.timestamp()
    # Simulate time passing beyond the next reset by moving the waiting entry's timestamp back.
    entry = await kv.get(st.key)
    assert entry is not None
    doc = json.loads(entry.value)
    doc["waiting"]["a"]["at"] -= 120
    await kv.put(st.key, json.dumps(doc).encode())
    assert await st.waiting() == set()
    assert (await st.offer("b", event({}, id="eb"))).action == "wait"


def test_reset_schedule_honours_timezone() -> None:
    when = datetime(2024, 7, 15, 12, 30, tzinfo=UTC)
    utc = ResetSchedule("0 9 * * *").last_reset(when)
    tokyo = ResetSchedule("0 9 * * *", "Asia/Tokyo").last_reset(when)
    assert datetime.fromtimestamp(utc, UTC) == datetime(2024, 7, 15, 9, 0, tzinfo=UTC)
    assert datetime.fromtimestamp(tokyo, UTC) == datetime(2024, 7, 15, 0, 0, tzinfo=UTC)
