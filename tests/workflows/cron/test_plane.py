"""The cron plane wiring, the system clock, and a spec only a permissive API would accept."""

from __future__ import annotations

import asyncio
import datetime as dt

from cron_harness import armed, cron_obj, eventually

from pinnace.resources.memory import MemoryClient
from workflows.cron.clock import ManualClock, SystemClock
from workflows.cron.controller import CronController
from workflows.cron.plane import CronPlane

UTC = dt.UTC


async def test_plane_starts_a_controller_and_stops_it_twice_safely() -> None:
    client = MemoryClient()
    await client.create(cron_obj())
    clock = ManualClock(dt.datetime.now(UTC).replace(second=30, microsecond=0))
    plane = CronPlane(client, clock=clock)
    assert plane.name == "cron"
    await plane.start()
    await armed(clock)
    tick = clock.now().replace(second=0) + dt.timedelta(minutes=1)
    clock.set(tick)

    async def created() -> list[str]:
        return [w["metadata"]["name"] for w in await client.list("Workflow")]
    assert await eventually(created) == [f"hello-{int(tick.timestamp())}"]
    await plane.stop()
    await plane.stop()
    clock.set(tick + dt.timedelta(minutes=3))
    await asyncio.sleep(0.05)
    assert len(await client.list("Workflow")) == 1


async def test_system_clock_sleeps_until_the_instant() -> None:
    clock = SystemClock()
    target = clock.now() + dt.timedelta(milliseconds=50)
    await clock.sleep_until(target)
    assert clock.now() >= target


async def test_an_invalid_spec_is_reported_as_a_spec_error_condition() -> None:
    client = MemoryClient()  # no admission checks, like a CRD without validation
    await client.create(cron_obj(timezone="Nowhere/Land"))
    clock = ManualClock(dt.datetime.now(UTC))
    async with CronController(client, clock=clock, default_timezone=UTC):
        async def condition() -> list[dict[str, str]]:
            return list(((await client.get("CronWorkflow", "hello")).get("status") or {}).get("conditions") or [])
        [cond] = await eventually(condition)
        assert cond["type"] == "SpecError" and "invalid timezone 'Nowhere/Land'" in cond["message"]
        assert clock.sleepers == 0  # no timer for a schedule that cannot be read

        cron = await client.get("CronWorkflow", "hello")
        cron["spec"]["timezone"] = "UTC"
        await client.update(cron)
        await armed(clock)  # fixed: scheduled again
