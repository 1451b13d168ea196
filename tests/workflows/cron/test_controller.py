"""CronController on a manual clock, against MemoryClient and the SQLite store (see conftest)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from cron_harness import Backend, armed, cron_obj, eventually

from pinnace.resources.client import ResourceClient
from workflows.cron.clock import ManualClock
from workflows.cron.controller import CronController
from workflows.cron.status import ANNOTATION_LAST_USED_SCHEDULE, ANNOTATION_SCHEDULED_TIME, LABEL_CRON_WORKFLOW

UTC = dt.UTC
WF = "Workflow"
CWF = "CronWorkflow"


def controller(client: ResourceClient, clock: ManualClock) -> CronController:
    return CronController(client, clock=clock, default_timezone=UTC)


def minute_after(t: dt.datetime, n: int = 1) -> dt.datetime:
    return t.replace(second=0, microsecond=0) + dt.timedelta(minutes=n)


def child(t: dt.datetime, cron: str = "hello") -> str:
    return f"{cron}-{int(t.timestamp())}"


async def names(client: ResourceClient) -> list[str]:
    return sorted(w["metadata"]["name"] for w in await client.list(WF))


async def status(client: ResourceClient, name: str = "hello") -> dict[str, Any]:
    return dict((await client.get(CWF, name)).get("status") or {})


async def finish(client: ResourceClient, name: str, phase: str, at: dt.datetime) -> None:
    wf = await client.get(WF, name)
    wf["status"] = {"phase": phase, "finishedAt": at.strftime("%Y-%m-%dT%H:%M:%SZ")}
    await client.update_status(wf)


async def tick_to(clock: ManualClock, t: dt.datetime, timers: int = 1) -> None:
    await armed(clock, timers)
    clock.set(t)
    await armed(clock, timers)  # the timers sleep again only once their tick is done


async def test_each_scheduled_minute_creates_one_child_as_argo_names_it(backend: Backend, clock: ManualClock) -> None:
    client = backend.main
    cron = await client.create(cron_obj(workflowMetadata={"labels": {"team": "a"}}))
    t1, t2 = minute_after(clock.now()), minute_after(clock.now(), 2)
    async with controller(client, clock):
        await tick_to(clock, t1)
        assert await names(client) == [child(t1)]
        wf = await client.get(WF, child(t1))
        assert wf["metadata"]["labels"] == {LABEL_CRON_WORKFLOW: "hello", "team": "a"}
        assert wf["metadata"]["annotations"][ANNOTATION_SCHEDULED_TIME] == t1.strftime("%Y-%m-%dT%H:%M:%SZ")
        [owner] = wf["metadata"]["ownerReferences"]
        assert (owner["kind"], owner["uid"], owner["controller"]) == ("CronWorkflow", cron["metadata"]["uid"], True)
        assert wf["spec"] == cron["spec"]["workflowSpec"]
        st = await eventually(lambda: status(client))
        assert st["lastScheduledTime"] == t1.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert st["phase"] == "Active"
        assert [r["name"] for r in st["active"]] == [child(t1)]
        annotations = (await client.get(CWF, "hello"))["metadata"]["annotations"]
        assert annotations[ANNOTATION_LAST_USED_SCHEDULE] == "* * * * *"
        await tick_to(clock, t2)
        assert await names(client) == [child(t1), child(t2)]


async def test_a_late_wake_up_runs_one_tick_not_every_skipped_one(backend: Backend, clock: ManualClock) -> None:
    client = backend.main
    await client.create(cron_obj())
    async with controller(client, clock):
        t1 = minute_after(clock.now())
        await tick_to(clock, minute_after(clock.now(), 5) + dt.timedelta(seconds=10))
        assert await names(client) == [child(t1)]  # robfig runs the entry once, then from now on


async def test_a_restart_does_not_repeat_a_tick(backend: Backend, clock: ManualClock) -> None:
    client = backend.main
    await client.create(cron_obj(startingDeadlineSeconds=300))
    t1 = minute_after(clock.now())
    async with controller(client, clock):
        await tick_to(clock, t1)
        await eventually(lambda: status(client))
    clock.advance(5)
    async with controller(backend.client(), clock):
        await armed(clock)
        await asyncio.sleep(0.1)
        assert await names(client) == [child(t1)]
        await tick_to(clock, minute_after(t1))
        assert await names(client) == [child(t1), child(minute_after(t1))]


async def test_a_tick_created_before_a_crash_is_adopted_not_duplicated(backend: Backend, clock: ManualClock) -> None:
    """The child exists but the status write was lost: the missed run gets AlreadyExists = done."""
    client = backend.main
    t0, t1 = minute_after(clock.now(), -1), minute_after(clock.now())
    cron = await client.create(cron_obj(startingDeadlineSeconds=60))
    cron["metadata"].setdefault("annotations", {})[ANNOTATION_LAST_USED_SCHEDULE] = "* * * * *"
    cron = await client.update(cron)
    cron["status"] = {"lastScheduledTime": t0.strftime("%Y-%m-%dT%H:%M:%SZ")}
    await client.update_status(cron)
    from workflows.cron.child import build_child
    await client.create(build_child(await client.get(CWF, "hello"), t1, UTC))
    clock.set(t1 + dt.timedelta(seconds=10))
    async with controller(client, clock):
        async def adopted() -> bool:
            st = await status(client)
            return bool(st.get("lastScheduledTime") == t1.strftime("%Y-%m-%dT%H:%M:%SZ") and st.get("active"))
        await eventually(adopted)
        assert await names(client) == [child(t1)]
        assert [r["name"] for r in (await status(client))["active"]] == [child(t1)]


async def test_a_missed_tick_within_the_deadline_runs_once_and_only_the_latest(
        backend: Backend, clock: ManualClock) -> None:
    client = backend.main
    t0 = minute_after(clock.now(), -5)
    cron = await client.create(cron_obj(startingDeadlineSeconds=30))
    cron["metadata"].setdefault("annotations", {})[ANNOTATION_LAST_USED_SCHEDULE] = "* * * * *"
    cron = await client.update(cron)
    cron["status"] = {"lastScheduledTime": t0.strftime("%Y-%m-%dT%H:%M:%SZ")}
    await client.update_status(cron)
    latest = minute_after(clock.now(), 1)
    clock.set(latest + dt.timedelta(seconds=20))
    async with controller(client, clock):
        await eventually(lambda: names(client))
        await armed(clock)
        await asyncio.sleep(0.05)
        assert await names(client) == [child(latest)]


async def test_a_missed_tick_past_the_deadline_is_not_run(backend: Backend, clock: ManualClock) -> None:
    client = backend.main
    cron = await client.create(cron_obj(startingDeadlineSeconds=30))
    cron["metadata"].setdefault("annotations", {})[ANNOTATION_LAST_USED_SCHEDULE] = "* * * * *"
    cron = await client.update(cron)
    cron["status"] = {"lastScheduledTime": minute_after(clock.now(), -5).strftime("%Y-%m-%dT%H:%M:%SZ")}
    await client.update_status(cron)
    clock.set(minute_after(clock.now(), 0) + dt.timedelta(seconds=40))
    async with controller(client, clock):
        await armed(clock)
        await asyncio.sleep(0.1)
        assert await names(client) == []


async def test_two_controllers_on_one_api_run_each_tick_once(backend: Backend, clock: ManualClock) -> None:
    client = backend.main
    await client.create(cron_obj(concurrencyPolicy="Replace"))
    ticks = [minute_after(clock.now(), n) for n in (1, 2, 3)]
    async with controller(backend.client(), clock), controller(backend.client(), clock):
        for t in ticks:
            await tick_to(clock, t, timers=2)
        assert await names(client) == [child(t) for t in ticks]

        async def settled() -> dict[str, Any] | None:
            st = await status(client)
            return st if st.get("lastScheduledTime") == ticks[-1].strftime("%Y-%m-%dT%H:%M:%SZ") else None
        st = await eventually(settled)
        # Replace terminated the two older ones, never the tick's own child.
        for t in ticks[:-1]:
            assert (await client.get(WF, child(t)))["spec"].get("shutdown") == "Terminate"
        assert (await client.get(WF, child(ticks[-1])))["spec"].get("shutdown") is None
        assert sorted({r["name"] for r in st["active"]}) == sorted(r["name"] for r in st["active"])


async def test_forbid_skips_while_a_child_runs(backend: Backend, clock: ManualClock) -> None:
    client = backend.main
    await client.create(cron_obj(concurrencyPolicy="Forbid"))
    t1, t2, t3 = (minute_after(clock.now(), n) for n in (1, 2, 3))
    async with controller(client, clock):
        await tick_to(clock, t1)
        await tick_to(clock, t2)
        assert await names(client) == [child(t1)]
        await finish(client, child(t1), "Succeeded", t2)

        async def counted() -> bool:
            st = await status(client)
            return st.get("succeeded") == 1 and not st.get("active")
        await eventually(counted)
        await tick_to(clock, t3)
        assert await names(client) == [child(t1), child(t3)]


async def test_finished_children_are_counted_and_history_is_trimmed(backend: Backend, clock: ManualClock) -> None:
    client = backend.main
    await client.create(cron_obj(successfulJobsHistoryLimit=1, failedJobsHistoryLimit=1))
    ticks = [minute_after(clock.now(), n) for n in (1, 2, 3, 4)]
    async with controller(client, clock):
        for t in ticks:
            await tick_to(clock, t)
        await finish(client, child(ticks[0]), "Succeeded", ticks[1])
        await finish(client, child(ticks[1]), "Succeeded", ticks[2])
        await finish(client, child(ticks[2]), "Failed", ticks[2])
        await finish(client, child(ticks[3]), "Error", ticks[3])

        async def trimmed() -> bool:
            st = await status(client)
            return await names(client) == [child(ticks[1]), child(ticks[3])] and \
                (st.get("succeeded"), st.get("failed"), st.get("active")) == (2, 2, [])
        await eventually(trimmed)


async def test_the_stop_strategy_stops_the_cron_for_good(backend: Backend, clock: ManualClock) -> None:
    client = backend.main
    await client.create(cron_obj(stopStrategy={"expression": "cronworkflow.failed >= 1"}))
    t1 = minute_after(clock.now())
    async with controller(client, clock):
        await tick_to(clock, t1)
        await finish(client, child(t1), "Failed", t1)

        async def stopped() -> bool:
            cron = await client.get(CWF, "hello")
            return (cron.get("status") or {}).get("phase") == "Stopped" and \
                cron["metadata"].get("labels", {}).get("cronworkflows.argoproj.io/completed") == "true"
        await eventually(stopped)

        async def disarmed() -> bool:
            return clock.sleepers == 0
        await eventually(disarmed)
        clock.set(minute_after(t1, 3))
        await asyncio.sleep(0.05)
        assert await names(client) == [child(t1)]


async def test_suspend_skips_ticks_until_resumed(backend: Backend, clock: ManualClock) -> None:
    client = backend.main
    await client.create(cron_obj(suspend=True))
    t1, t2 = minute_after(clock.now()), minute_after(clock.now(), 2)
    async with controller(client, clock):
        await tick_to(clock, t1)
        assert await names(client) == []
        cron = await client.get(CWF, "hello")
        cron["spec"]["suspend"] = False
        await client.update(cron)
        await tick_to(clock, t2)
        assert await names(client) == [child(t2)]


async def test_several_schedules_share_ticks_without_duplicates(backend: Backend, clock: ManualClock) -> None:
    client = backend.main
    await client.create(cron_obj(schedules=["*/2 * * * *", "*/3 * * * *"]))
    base = clock.now().replace(minute=0, second=0) + dt.timedelta(hours=1)
    clock.set(base - dt.timedelta(seconds=30))
    async with controller(client, clock):
        for n in range(7):
            await tick_to(clock, base + dt.timedelta(minutes=n, seconds=1))
        expected = [child(base + dt.timedelta(minutes=n)) for n in (0, 2, 3, 4, 6)]
        assert await names(client) == sorted(expected)


async def test_timezone_fires_at_local_time(backend: Backend, clock: ManualClock) -> None:
    client = backend.main
    await client.create(cron_obj(schedules=["0 9 * * *"], timezone="Asia/Tokyo"))  # UTC+9, no DST
    day = clock.now().replace(hour=0, minute=0, second=0)
    fire = day + dt.timedelta(days=1)  # 09:00 in Tokyo is 00:00 UTC
    async with controller(client, clock):
        await tick_to(clock, fire)
        assert await names(client) == [child(fire)]
        wf = await client.get(WF, child(fire))
        assert wf["metadata"]["annotations"][ANNOTATION_SCHEDULED_TIME] == \
            fire.astimezone(dt.timezone(dt.timedelta(hours=9))).strftime("%Y-%m-%dT%H:%M:%S+09:00")


async def test_every_fires_on_a_grid_from_the_creation_time(backend: Backend, clock: ManualClock) -> None:
    client = backend.main
    cron = await client.create(cron_obj(schedules=["@every 90s"]))
    created = dt.datetime.fromisoformat(cron["metadata"]["creationTimestamp"].replace("Z", "+00:00"))
    first = created + dt.timedelta(seconds=90)
    clock.set(max(clock.now(), created))
    async with controller(client, clock):
        await tick_to(clock, first)
        await tick_to(clock, first + dt.timedelta(seconds=90))
        assert await names(client) == [child(first), child(first + dt.timedelta(seconds=90))]


async def test_when_gates_ticks_on_the_last_scheduled_time(backend: Backend, clock: ManualClock) -> None:
    client = backend.main
    when = "{{= cronworkflow.lastScheduledTime == nil || (now() - cronworkflow.lastScheduledTime).Seconds() > 150 }}"
    await client.create(cron_obj(when=when))
    ticks = [minute_after(clock.now(), n) for n in (1, 2, 3, 4)]
    async with controller(client, clock):
        for t in ticks:
            await tick_to(clock, t)
        assert await names(client) == [child(ticks[0]), child(ticks[3])]


async def test_deleting_the_cron_deletes_its_children(backend: Backend, clock: ManualClock) -> None:
    client = backend.main
    await client.create(cron_obj())
    async with controller(client, clock):
        await tick_to(clock, minute_after(clock.now()))
        assert len(await names(client)) == 1
        await client.delete(CWF, "hello")

        async def gone() -> bool:
            return await names(client) == []
        await eventually(gone)


async def test_shutdown_is_idempotent_and_stops_timers(backend: Backend, clock: ManualClock) -> None:
    client = backend.main
    await client.create(cron_obj())
    ctl = controller(client, clock)
    ctl.start()
    await armed(clock)
    await ctl.shutdown()
    await ctl.shutdown()
    clock.set(minute_after(clock.now(), 2))
    await asyncio.sleep(0.05)
    assert await names(client) == []
