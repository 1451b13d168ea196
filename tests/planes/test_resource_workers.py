"""One worker per resource, following the API: created → started, changed → restarted, deleted → stopped."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from pinnace.planes.resources import ResourceWorkers
from pinnace.resources.client import Obj
from pinnace.resources.memory import MemoryClient


def sensor(name: str, rev: int = 0) -> Obj:
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Sensor", "metadata": {"name": name},
            "spec": {"rev": rev}}


async def until(predicate: Callable[[], bool], timeout: float = 2.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():  # noqa: ASYNC110 - the workers expose no event to wait on
            await asyncio.sleep(0.01)


async def test_workers_follow_the_api() -> None:
    client = MemoryClient()
    await client.create(sensor("a"))
    started: list[tuple[str, int]] = []
    stopped: list[str] = []

    async def work(obj: Obj, ready: Callable[[], None]) -> None:
        started.append((obj["metadata"]["name"], obj["spec"]["rev"]))
        ready()
        try:
            await asyncio.Event().wait()
        finally:
            stopped.append(obj["metadata"]["name"])

    workers = ResourceWorkers(client, "Sensor", work)
    await workers.start()
    assert started == [("a", 0)]  # start() returns once the existing resources' workers are ready
    await client.create(sensor("b"))
    await until(lambda: workers.running == ["default/a", "default/b"])

    current = await client.get("Sensor", "a")
    current["spec"]["rev"] = 1
    await client.update(current)
    await until(lambda: ("a", 1) in started)
    assert stopped == ["a"]  # the old worker was gone before the new one started

    status_only = await client.get("Sensor", "b")
    status_only["status"] = {"x": 1}
    await client.update_status(status_only)
    await asyncio.sleep(0.05)
    assert started.count(("b", 0)) == 1  # a status change does not restart a worker

    await client.delete("Sensor", "b")
    await until(lambda: workers.running == ["default/a"])
    await workers.stop()
    assert sorted(stopped) == ["a", "a", "b"]
    assert workers.running == []


async def test_a_failing_worker_does_not_stop_the_others() -> None:
    client = MemoryClient()
    await client.create(sensor("bad"))
    await client.create(sensor("good"))

    async def work(obj: Obj, ready: Callable[[], None]) -> None:
        if obj["metadata"]["name"] == "bad":
            raise ValueError("broken spec")
        ready()
        await asyncio.Event().wait()

    workers = ResourceWorkers(client, "Sensor", work)
    await workers.start()
    await until(lambda: workers.running == ["default/good"])
    await workers.stop()


async def test_start_gives_up_waiting_on_a_worker_that_never_gets_ready() -> None:
    client = MemoryClient()
    await client.create(sensor("slow"))

    async def work(obj: Obj, ready: Callable[[], None]) -> None:
        await asyncio.Event().wait()

    workers = ResourceWorkers(client, "Sensor", work, ready_timeout=0.2)
    async with asyncio.timeout(2):
        await workers.start()
    assert workers.running == ["default/slow"]  # still trying, not abandoned
    await workers.stop()
