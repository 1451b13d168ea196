"""Run one worker per resource of a kind, following the API: created → start, changed → restart,
deleted → stop. Event sources and sensors are managed this way, so ``pinnace apply`` while
``pinnace up`` runs takes effect without a restart."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from pinnace.resources.client import Obj, ResourceClient

log = logging.getLogger("pinnace.planes")

# A worker runs one resource until cancelled and calls ``ready()`` once it takes traffic.
Worker = Callable[[Obj, Callable[[], None]], Awaitable[None]]


def _spec_key(obj: Obj) -> str:
    return json.dumps(obj.get("spec"), sort_keys=True)


class ResourceWorkers:
    """One asyncio task per resource of ``kind``; the task runs ``worker(obj)`` until cancelled."""

    def __init__(
        self,
        client: ResourceClient,
        kind: str,
        worker: Worker,
        namespace: str | None = None,
        ready_timeout: float = 15.0,
    ) -> None:
        self.name = f"{kind.lower()}s"
        self._ready_timeout = ready_timeout
        self._ready: dict[str, asyncio.Event] = {}
        self._client = client
        self._kind = kind
        self._worker = worker
        self._namespace = namespace
        self._tasks: dict[str, tuple[str, asyncio.Task[None]]] = {}
        self._watcher: asyncio.Task[None] | None = None

    @property
    def running(self) -> list[str]:
        return sorted(key for key, (_, task) in self._tasks.items() if not task.done())

    async def start(self) -> None:
        """Start a worker per existing resource and return once each is ready (or given up on)."""
        for obj in await self._client.list(self._kind, self._namespace):
            await self._ensure(obj)
        self._watcher = asyncio.create_task(self._watch(), name=f"watch-{self.name}")
        await self._wait_ready()

    async def _wait_ready(self) -> None:
        waits = {key: asyncio.ensure_future(self._ready_or_done(key)) for key in list(self._tasks)}
        if not waits:
            return
        _, pending = await asyncio.wait(waits.values(), timeout=self._ready_timeout)
        for fut in pending:
            fut.cancel()
        late = sorted(key for key, fut in waits.items() if fut in pending)
        if late:
            # Not fatal: a source whose broker is down keeps retrying in the background.
            log.warning("%s not ready after %gs, still starting: %s", self.name, self._ready_timeout, ", ".join(late))

    async def _ready_or_done(self, key: str) -> None:
        task = self._tasks[key][1]
        ready = asyncio.ensure_future(self._ready[key].wait())
        await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()

    async def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
            self._watcher = None
        for key in list(self._tasks):
            await self._cancel(key)

    async def _watch(self) -> None:
        async for event in self._client.watch(self._kind, self._namespace):
            if event.type == "DELETED":
                await self._cancel(self._key(event.object))
            elif event.type in ("ADDED", "MODIFIED"):
                await self._ensure(event.object)

    @staticmethod
    def _key(obj: Obj) -> str:
        meta: dict[str, Any] = obj.get("metadata", {})
        return f"{meta.get('namespace', 'default')}/{meta.get('name')}"

    async def _ensure(self, obj: Obj) -> None:
        key = self._key(obj)
        current = self._tasks.get(key)
        spec = _spec_key(obj)
        if current is not None and current[0] == spec and not current[1].done():
            return
        # The old worker must be gone before the new one starts: it may hold a port.
        await self._cancel(key)
        self._ready[key] = asyncio.Event()
        task = asyncio.create_task(self._run(key, obj), name=f"{self._kind.lower()}:{key}")
        self._tasks[key] = (spec, task)

    async def _run(self, key: str, obj: Obj) -> None:
        try:
            await self._worker(obj, self._ready[key].set)
        except asyncio.CancelledError:
            raise
        except Exception:
            # A bad resource must not take the other resources of its kind down with it.
            log.exception("%s %s stopped with an error", self._kind, key)

    async def _cancel(self, key: str) -> None:
        entry = self._tasks.pop(key, None)
        self._ready.pop(key, None)
        if entry is None:
            return
        entry[1].cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await entry[1]
