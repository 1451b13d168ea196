"""Helpers shared by the cron controller tests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from pinnace.resources.client import Obj, ResourceClient
from workflows.cron.clock import ManualClock


class Backend:
    """Hands out clients on one shared API: ``client()`` again gives a second controller its own."""

    def __init__(self, make: Callable[[], ResourceClient]) -> None:
        self._make = make
        self.main = make()

    def client(self) -> ResourceClient:
        return self._make()


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 5.0) -> Any:
    """Await ``check()`` until it returns something truthy; fail with its last value."""
    deadline = asyncio.get_running_loop().time() + timeout
    last: Any = None
    while asyncio.get_running_loop().time() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(0.01)
    raise AssertionError(f"condition not met within {timeout} s; last value: {last!r}")


async def armed(clock: ManualClock, timers: int = 1) -> None:
    """Wait until ``timers`` controller timers sleep on the clock (the previous tick is done)."""
    async def ready() -> bool:
        return clock.sleepers >= timers
    await eventually(ready)


def cron_obj(name: str = "hello", **spec: Any) -> Obj:
    body: dict[str, Any] = {
        "schedules": ["* * * * *"],
        "workflowSpec": {"entrypoint": "main",
                         "templates": [{"name": "main", "container": {"image": "busybox", "command": ["true"]}}]},
    }
    body.update(spec)
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "CronWorkflow", "metadata": {"name": name}, "spec": body}
