"""The workflow controller: watches Workflows, runs ``engine.operate`` and applies its actions.

Event driven: a watch event or a pod's state change queues the workflow at once (no requeue
interval); timers exist only for real deadlines (suspend duration, backoff, activeDeadlineSeconds).
A work queue guarantees one reconcile per workflow at a time and coalesces bursts of events.
Pods run on the embedded kubelet; http and resource nodes run here as asyncio tasks
(``workflows.agents``); one ``SyncManager`` holds every workflow's mutexes and semaphores.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
from collections.abc import Callable
from pathlib import Path

from pinnace.resources.client import Obj, ResourceClient
from pinnace.resources.errors import ApiError, Conflict, NotFound, Unavailable
from workflows.agents import Agents
from workflows.agents.runner import handles as agent_handles
from workflows.engine import operate
from workflows.engine.model import ERROR, FAILED, SUCCEEDED, PodObservation
from workflows.engine.sync import SyncManager
from workflows.memoization import save_cache_entry
from workflows.pods import Capacity, Kubelet, Sandbox

log = logging.getLogger(__name__)

Key = tuple[str, str]
DONE = frozenset({SUCCEEDED, FAILED, ERROR})
RETRY_FIRST = 0.5
RETRY_MAX = 30.0


def _finished_stub(obj: Obj) -> Obj:
    """What the controller keeps of a finished workflow: enough to ignore its own echoes.

    Keeping every finished workflow whole would grow memory with each one ever run; a retry or
    resubmit arrives as a newer version and brings the whole object back.
    """
    meta = obj.get("metadata") or {}
    kept = {k: meta[k] for k in ("name", "namespace", "resourceVersion", "labels", "uid") if k in meta}
    return {"metadata": kept, "status": {"phase": (obj.get("status") or {}).get("phase")}}


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Controller:
    def __init__(
        self,
        client: ResourceClient,
        data_dir: Path | str,
        *,
        namespace: str | None = None,
        clock: Callable[[], dt.datetime] = _utcnow,
        capacity: Capacity | None = None,
        sandbox: Sandbox | None = None,
        workers: int = 4,
    ) -> None:
        self.client = client
        self.namespace = namespace
        self.clock = clock
        self.kubelet = Kubelet(Path(data_dir), self._pod_changed, capacity=capacity, sandbox=sandbox)
        self.agents = Agents(client, self._pod_changed)
        self.sync = SyncManager(self._lock_released)
        self.cache: dict[Key, Obj] = {}
        self.queue: asyncio.Queue[Key] = asyncio.Queue()
        self.queued: set[Key] = set()
        self.active: set[Key] = set()
        self.redo: set[Key] = set()
        self.timers: dict[Key, asyncio.TimerHandle] = {}
        self.failures: dict[Key, int] = {}
        self.workers = workers
        self.ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    # -- lifecycle -----------------------------------------------------------------------------
    async def run(self) -> None:
        try:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(self._watch(), name="workflow-watch")
                for i in range(self.workers):
                    tg.create_task(self._worker(), name=f"workflow-worker-{i}")
        except* asyncio.CancelledError:
            pass

    async def shutdown(self) -> None:
        if self._stopping:
            return
        self._stopping = True
        for handle in self.timers.values():
            handle.cancel()
        self.timers.clear()
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self.agents.shutdown()
        await self.kubelet.shutdown()

    async def __aenter__(self) -> Controller:
        self._task = asyncio.get_running_loop().create_task(self.run(), name="workflow-controller")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.shutdown()

    def log_path(self, namespace: str, workflow: str, node_id: str) -> Path:
        """Where a pod's combined stdout/stderr is written."""
        return self.kubelet.log_path(namespace, workflow, node_id)

    # -- events --------------------------------------------------------------------------------
    async def _watch(self) -> None:
        while True:
            try:
                async for event in self.client.watch("Workflow", self.namespace):
                    self._on_event(event.type, event.object)
            except asyncio.CancelledError:
                raise
            except ApiError as err:
                log.warning("workflow watch failed (%s); retrying in 1s", err)
            except Exception:
                # Whatever ends the watch, the controller must watch again: losing this task would
                # silently stop every workflow (the workers would be cancelled with it).
                log.exception("workflow watch failed unexpectedly; retrying in 1s")
            await asyncio.sleep(1.0)

    def _on_event(self, etype: str, obj: Obj) -> None:
        meta = obj.get("metadata") or {}
        key = (meta.get("namespace") or "default", meta.get("name", ""))
        if etype == "DELETED":
            self.cache.pop(key, None)
            self.failures.pop(key, None)
            self._forget(key)
            self.sync.release_workflow(f"{key[0]}/{key[1]}")
            return
        if etype not in ("ADDED", "MODIFIED"):
            return
        cached = self.cache.get(key)
        if cached is not None and _rv(cached) >= _rv(obj):
            return  # our own write coming back, or an older copy
        self.cache[key] = obj
        if (obj.get("status") or {}).get("phase") in DONE and cached is not None and not self._observations(key):
            self.cache[key] = _finished_stub(obj)
            return
        if cached is None and (obj.get("status") or {}).get("phase") not in DONE:
            self.sync.restore(obj, {})  # locks held before a restart stay held
        if (obj.get("status") or {}).get("phase") not in DONE or cached is None:
            self._enqueue(key)
        self.ready.set()

    def _pod_changed(self, namespace: str, workflow: str, node_id: str) -> None:
        self._enqueue((namespace, workflow))

    def _lock_released(self, workflow_key: str) -> None:
        namespace, _, name = workflow_key.partition("/")
        self._enqueue((namespace, name))

    def _enqueue(self, key: Key) -> None:
        if key in self.active:
            self.redo.add(key)
        elif key not in self.queued:
            self.queued.add(key)
            self.queue.put_nowait(key)

    def _enqueue_after(self, key: Key, seconds: float) -> None:
        old = self.timers.pop(key, None)
        if old is not None:
            old.cancel()
        loop = asyncio.get_running_loop()
        self.timers[key] = loop.call_later(max(seconds, 0.0) + 0.01, self._timer_fired, key)

    def _timer_fired(self, key: Key) -> None:
        self.timers.pop(key, None)
        self._enqueue(key)

    # -- reconcile -----------------------------------------------------------------------------
    async def _worker(self) -> None:
        while True:
            key = await self.queue.get()
            self.queued.discard(key)
            self.active.add(key)
            try:
                await self.reconcile(key)
                self.failures.pop(key, None)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._retry_later(key, exc)
            finally:
                self.active.discard(key)
                if key in self.redo:
                    self.redo.discard(key)
                    self._enqueue(key)

    def _retry_later(self, key: Key, exc: Exception) -> None:
        """A failed reconcile is retried with a growing delay; nothing else would wake it again.

        Its pods may have finished while the API was unreachable: the pod events were consumed by the
        failed attempt and the workflow's watch event, already seen, is not enqueued a second time.
        """
        failures = self.failures[key] = self.failures.get(key, 0) + 1
        delay = min(RETRY_FIRST * 2 ** (failures - 1), RETRY_MAX)
        if isinstance(exc, ApiError):
            log.warning("reconciling workflow %s/%s failed (%s); retrying in %.1fs", *key, exc, delay)
        else:
            log.exception("reconciling workflow %s/%s failed; retrying in %.1fs", *key, delay)
        self._enqueue_after(key, delay)

    async def reconcile(self, key: Key) -> None:
        wf = self.cache.get(key)
        if wf is None:
            return
        observed = self._observations(key)
        if (wf.get("status") or {}).get("phase") in DONE and not observed:
            self.cache[key] = _finished_stub(wf)
            return
        stores = await self._template_stores(wf, key[0])
        configmaps = await self._configmaps(wf, key[0], stores)
        outcome = operate(wf, observed, self.clock(), configmaps, stores, self.sync)
        uid = str((wf.get("metadata") or {}).get("uid", ""))
        for req in outcome.create:
            if agent_handles(req):
                self.agents.start(req, uid)
            else:
                self.kubelet.start(req)
        for kill in outcome.kill:
            self.kubelet.kill(key[0], key[1], kill.node_id, kill.message)
            self.agents.kill(key[0], key[1], kill.node_id, kill.message)
        for gone in outcome.delete_pods:
            self.kubelet.delete_pod(key[0], key[1], gone.node_id, gone.delay)
        for save in outcome.cache_saves:
            await save_cache_entry(self.client, key[0], save, self.clock())
        if outcome.status != (wf.get("status") or {}):
            new = dict(wf)
            new["status"] = outcome.status
            try:
                self.cache[key] = await self.client.update_status(new)
            except Conflict:
                await self._refresh(key)
                self._enqueue(key)
                return
            except NotFound:
                self.cache.pop(key, None)
                self._forget(key)
                return
        await self._apply_labels(key, outcome.labels)
        if outcome.completed:
            self._forget(key)
            if key in self.cache:
                self.cache[key] = _finished_stub(self.cache[key])
        elif outcome.requeue_after is not None:
            self._enqueue_after(key, outcome.requeue_after)

    async def _apply_labels(self, key: Key, labels: dict[str, str]) -> None:
        """Status writes leave labels alone, so the phase labels go through a metadata patch."""
        wf = self.cache.get(key)
        current = ((wf or {}).get("metadata") or {}).get("labels") or {}
        if wf is None or all(current.get(k) == v for k, v in labels.items()):
            return
        try:
            self.cache[key] = await self.client.patch("Workflow", key[1], {"metadata": {"labels": labels}}, key[0])
        except NotFound:
            self.cache.pop(key, None)
        except Unavailable:
            raise  # temporary: the whole reconcile is retried, labels included
        except ApiError as err:
            log.warning("could not label workflow %s/%s: %s", *key, err)

    def _observations(self, key: Key) -> dict[str, PodObservation]:
        return {**self.kubelet.observations(*key), **self.agents.observations(*key)}

    def _forget(self, key: Key) -> None:
        self.kubelet.forget(*key)
        self.agents.forget(*key)

    async def _refresh(self, key: Key) -> None:
        try:
            self.cache[key] = await self.client.get("Workflow", key[1], key[0])
        except NotFound:
            self.cache.pop(key, None)

    async def _template_stores(self, wf: Obj, namespace: str) -> dict[str, dict[str, Obj]]:
        """WorkflowTemplates and ClusterWorkflowTemplates, fetched only when the spec refers to one."""
        text = json.dumps(wf.get("spec") or {})
        if "templateRef" not in text and "workflowTemplateRef" not in text:
            return {}
        stores: dict[str, dict[str, Obj]] = {}
        for kind, ns in (("WorkflowTemplate", namespace), ("ClusterWorkflowTemplate", None)):
            try:
                stores[kind] = {o["metadata"]["name"]: o for o in await self.client.list(kind, ns)}
            except ApiError:
                stores[kind] = {}
        return stores

    async def _configmaps(self, wf: Obj, namespace: str, stores: dict[str, dict[str, Obj]]) -> dict[str, Obj]:
        """ConfigMaps in the namespace, fetched only when the spec (or a template it refers to)
        reads parameters from one, memoizes, or sizes a semaphore with one."""
        text = json.dumps(wf.get("spec") or {}) + (json.dumps(stores) if stores else "")
        if not any(word in text for word in ("configMapKeyRef", "memoize", "synchronization")):
            return {}
        try:
            return {cm["metadata"]["name"]: cm for cm in await self.client.list("ConfigMap", namespace)}
        except ApiError:
            return {}


def _rv(obj: Obj) -> int:
    try:
        return int((obj.get("metadata") or {}).get("resourceVersion") or 0)
    except ValueError:
        return 0
