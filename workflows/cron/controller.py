"""The CronWorkflow controller: timers that sleep until the next tick, and watches that react at once.

Argo's ``workflow/cron/controller.go`` with the polling taken out: a CronWorkflow event arms its
timer (re-armed only when the schedules change) and syncs it — children reconciled into
``status.active``, history trimmed, the latest missed tick run if ``startingDeadlineSeconds``
allows; a child Workflow that appears, finishes or goes away syncs its CronWorkflow at once
instead of on a 10 s ``CRON_SYNC_PERIOD``.

Several controllers (a restart, a second replica) may share one API: a tick's child is named
``<cron>-<unix seconds>``, so a second creation gets AlreadyExists and counts as done, and every
status write is a read-modify-write on ``resourceVersion`` that is redone on Conflict.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from types import TracebackType
from typing import Any

from pinnace.resources.client import Obj, ResourceClient, WatchEvent
from pinnace.resources.cron import CronError
from pinnace.resources.errors import AlreadyExists, ApiError, Conflict, NotFound
from workflows.cron.clock import Clock, SystemClock
from workflows.cron.core import (
    CronView,
    TickPlan,
    check,
    children_of,
    missed_run,
    plan_tick,
    reconcile,
    record_submit_error,
    record_submitted,
)
from workflows.cron.schedule import local_timezone, next_due
from workflows.cron.status import LABEL_CRON_WORKFLOW, SPEC_ERROR, CronStatus, is_fulfilled

log = logging.getLogger(__name__)

KIND = "CronWorkflow"
Key = tuple[str, str]  # namespace, name
_ATTEMPTS = 8
_REWATCH_DELAY = 1.0


def _key(obj: Obj) -> Key:
    meta = obj.get("metadata") or {}
    return str(meta.get("namespace") or ""), str(meta.get("name") or "")


class CronController:
    """Runs every CronWorkflow visible through ``client`` (one namespace, or all when None)."""

    def __init__(
        self,
        client: ResourceClient,
        *,
        clock: Clock | None = None,
        namespace: str | None = None,
        default_timezone: dt.tzinfo | None = None,
    ) -> None:
        self.client = client
        self.clock: Clock = clock or SystemClock()
        self.namespace = namespace
        self.default_tz = default_timezone or local_timezone()
        self._crons: dict[Key, Obj] = {}
        self._timers: dict[Key, tuple[tuple[str, str], asyncio.Task[None]]] = {}
        self._locks: dict[Key, asyncio.Lock] = {}
        self._pending: set[Key] = set()
        self._children: dict[Key, bool] = {}  # (namespace, workflow) -> finished
        self._failed_ticks: dict[Key, dt.datetime] = {}
        self._group: asyncio.TaskGroup | None = None
        self._main: asyncio.Task[None] | None = None
        self._stopped = False

    # lifecycle -------------------------------------------------------------------------------

    async def __aenter__(self) -> CronController:
        self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.shutdown()

    def start(self) -> None:
        """Run in the background until ``shutdown``."""
        if self._main is None and not self._stopped:
            self._main = asyncio.create_task(self.run(), name="cron-controller")

    async def run(self) -> None:
        if self._main is None:
            self._main = asyncio.current_task()
        try:
            async with asyncio.TaskGroup() as group:
                self._group = group
                group.create_task(self._watch_forever(KIND, self._on_cron), name="cron-watch-cronworkflows")
                group.create_task(self._watch_forever("Workflow", self._on_workflow), name="cron-watch-workflows")
        finally:
            self._group = None

    async def shutdown(self) -> None:
        """Stop the watches, timers and any tick in flight; safe to call more than once."""
        self._stopped = True
        main, self._main = self._main, None
        if main is None or main is asyncio.current_task():
            return
        main.cancel()
        try:
            await main
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("the cron controller had failed before it was shut down")

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None] | None:
        if self._group is None or self._stopped:
            coro.close()
            return None
        return self._group.create_task(coro, name=name)

    async def _watch_forever(self, kind: str, handle: Callable[[WatchEvent], None]) -> None:
        while True:
            try:
                async for event in self.client.watch(kind, self.namespace):
                    handle(event)
            except Exception as exc:  # a lost connection must not end the controller
                log.warning("watching %s failed (%s); watching again in %.0f s", kind, exc, _REWATCH_DELAY)
            await asyncio.sleep(_REWATCH_DELAY)

    # events ----------------------------------------------------------------------------------

    def _on_cron(self, event: WatchEvent) -> None:
        if event.type == "BOOKMARK":
            return
        key = _key(event.object)
        if event.type == "DELETED":
            self._forget(key, event.object)
            return
        self._crons[key] = event.object
        self._arm(key, event.object)
        self._kick(key)

    def _on_workflow(self, event: WatchEvent) -> None:
        meta = event.object.get("metadata") or {}
        cron = (meta.get("labels") or {}).get(LABEL_CRON_WORKFLOW)
        if not cron or event.type == "BOOKMARK":
            return
        ns = str(meta.get("namespace") or "")
        child = (ns, str(meta.get("name") or ""))
        if event.type == "DELETED":
            self._children.pop(child, None)
        else:
            done = is_fulfilled(event.object)
            if self._children.get(child) == done:
                return  # progress inside a running child changes nothing for its CronWorkflow
            self._children[child] = done
        self._kick((ns, str(cron)))

    def _forget(self, key: Key, obj: Obj) -> None:
        self._crons.pop(key, None)
        self._failed_ticks.pop(key, None)
        self._disarm(key)
        uid = str((obj.get("metadata") or {}).get("uid") or "")
        # Kubernetes garbage-collects the children through their ownerReference; the embedded
        # store does not, so do it here (NotFound when a cluster got there first).
        self._spawn(self._locked(key, lambda: self._delete_children(key, uid)), name=f"cron-gc-{key[0]}/{key[1]}")

    # timers ----------------------------------------------------------------------------------

    def _arm(self, key: Key, obj: Obj) -> None:
        view = CronView.of(obj)
        try:
            plan = check(view, self.default_tz)
        except CronError:
            self._disarm(key)
            return
        if view.completed:
            self._disarm(key)
            return
        signature = (view.uid, plan.signature)
        current = self._timers.get(key)
        if current is not None and current[0] == signature and not current[1].done():
            return
        self._disarm(key)
        task = self._spawn(self._timer(key, self.clock.now()), name=f"cron-timer-{key[0]}/{key[1]}")
        if task is not None:
            self._timers[key] = (signature, task)

    def _disarm(self, key: Key) -> None:
        current = self._timers.pop(key, None)
        if current is not None:
            current[1].cancel()

    async def _timer(self, key: Key, anchor: dt.datetime) -> None:
        """Sleep until the next tick, run it, repeat; like robfig, a late wake-up runs one tick."""
        while (obj := self._crons.get(key)) is not None:
            try:
                due = next_due(check(CronView.of(obj), self.default_tz).schedules, anchor)
            except CronError:
                return
            if due is None:
                return
            await self.clock.sleep_until(due)
            anchor = max(due, self.clock.now())
            # Re-arming cancels this timer; the shield lets a tick already under way finish.
            work = functools.partial(self._tick, key, due)
            tick = self._spawn(self._locked(key, work), name=f"cron-tick-{key[0]}/{key[1]}")
            if tick is not None:
                await asyncio.shield(tick)

    # work ------------------------------------------------------------------------------------

    def _kick(self, key: Key) -> None:
        """Queue one sync of ``key``; events arriving before it starts share it."""
        if key in self._pending:
            return
        self._pending.add(key)
        self._spawn(self._locked(key, lambda: self._sync(key), pending=True), name=f"cron-sync-{key[0]}/{key[1]}")

    async def _locked(self, key: Key, work: Callable[[], Awaitable[None]], *, pending: bool = False) -> None:
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            if pending:
                self._pending.discard(key)
            try:
                await work()
            except ApiError as exc:
                log.warning("CronWorkflow %s/%s: %s; retried on its next event or tick", key[0], key[1], exc)
            except Exception:
                log.exception("CronWorkflow %s/%s: unexpected error", key[0], key[1])

    async def _sync(self, key: Key) -> None:
        """Reconcile the children, then run the latest missed tick if it is still due."""
        await self._reconcile(key)
        try:
            cron = await self.client.get(KIND, key[1], key[0])
        except NotFound:
            return
        view = CronView.of(cron)
        if view.completed:
            return
        try:
            plan = check(view, self.default_tz)
        except CronError as exc:
            status = view.status.copy()
            status.upsert_condition(SPEC_ERROR, str(exc))
            with contextlib.suppress(Conflict):
                await self._write(view, status, view.labels, view.annotations)
            return
        missed = missed_run(view, plan, self.clock.now())
        failed = self._failed_ticks.get(key)
        if missed is not None and (failed is None or missed > failed):
            log.info("CronWorkflow %s/%s missed its run at %s and is within startingDeadlineSeconds",
                     key[0], key[1], missed.isoformat())
            await self._tick(key, missed)

    async def _tick(self, key: Key, scheduled: dt.datetime) -> None:
        for _ in range(_ATTEMPTS):
            try:
                cron = await self.client.get(KIND, key[1], key[0])
            except NotFound:
                self._crons.pop(key, None)  # its DELETED event may have been lost with a watch
                return
            view = CronView.of(cron)
            plan = plan_tick(view, scheduled, self.clock.now(), self.default_tz)
            if plan.noop:
                return
            if plan.terminate:
                await self._terminate(plan)
            if plan.submit is not None:
                await self._submit(view, plan)
            if view.status.failed != plan.status.failed or plan.status.conditions != view.status.conditions:
                self._note_failure(key, plan)
            try:
                await self._write(view, plan.status, plan.labels, plan.annotations)
            except Conflict:
                continue
            log.info("CronWorkflow %s/%s tick %s: %s%s", key[0], key[1], scheduled.isoformat(), plan.reason,
                     f" ({plan.child_name})" if plan.submit else "")
            return
        log.warning("CronWorkflow %s/%s tick %s: gave up after %d conflicting writes",
                    key[0], key[1], scheduled.isoformat(), _ATTEMPTS)

    def _note_failure(self, key: Key, plan: TickPlan) -> None:
        # A tick that ended in an error is not retried by later events of this CronWorkflow: each
        # retry would write the error again, whose event would trigger the next retry.
        if plan.status.last_scheduled is None or plan.status.last_scheduled < plan.scheduled:
            self._failed_ticks[key] = plan.scheduled

    async def _terminate(self, plan: TickPlan) -> None:
        """Replace: set ``spec.shutdown: Terminate`` on every active child before submitting."""
        ns = str((plan.submit or {}).get("metadata", {}).get("namespace") or "")
        for name in plan.terminate:
            try:
                wf = await self.client.get("Workflow", name, ns)
                if is_fulfilled(wf) or (wf.get("spec") or {}).get("shutdown") == "Terminate":
                    continue  # Argo: "cannot shutdown a completed workflow", logged and skipped
                await self.client.patch("Workflow", name, {"spec": {"shutdown": "Terminate"}}, ns)
                log.info("terminated %s/%s (concurrencyPolicy Replace)", ns, name)
            except NotFound:
                continue
            except ApiError as exc:
                record_submit_error(plan, f"run policy error: error stopping workflow {name}: {exc.message}")
                plan.submit = None
                return

    async def _submit(self, view: CronView, plan: TickPlan) -> None:
        assert plan.submit is not None
        try:
            child = await self.client.create(plan.submit, view.namespace or None)
        except AlreadyExists:
            # Deterministic names make this the normal outcome of a second replica or a retry.
            try:
                child = await self.client.get("Workflow", plan.child_name, view.namespace or None)
            except NotFound:
                child = {"metadata": {"name": plan.child_name}, "status": {"phase": "Succeeded"}}
        except ApiError as exc:
            record_submit_error(plan, f"Failed to submit Workflow: {exc.message}")
            return
        record_submitted(plan, child)

    async def _reconcile(self, key: Key) -> None:
        for _ in range(_ATTEMPTS):
            try:
                cron = await self.client.get(KIND, key[1], key[0])
            except NotFound:
                return
            view = CronView.of(cron)
            # Read after the CronWorkflow: see core.reconcile on why the order matters.
            workflows = await self._list_children(key)
            result = reconcile(view, children_of(view, workflows), self.clock.now())
            for name in result.delete:
                with contextlib.suppress(NotFound):
                    await self.client.delete("Workflow", name, key[0] or None)
                    log.info("deleted %s/%s: CronWorkflow %s history limit", key[0], name, key[1])
            try:
                await self._write(view, result.status, result.labels, view.annotations)
            except Conflict:
                continue
            return

    async def _write(self, view: CronView, status: CronStatus, labels: dict[str, str],
                     annotations: dict[str, str]) -> None:
        """Metadata through a merge patch, status through the status subresource; no-ops skipped."""
        obj = view.obj
        new_labels = {k: v for k, v in labels.items() if view.labels.get(k) != v}
        new_annotations = {k: v for k, v in annotations.items() if view.annotations.get(k) != v}
        if new_labels or new_annotations:
            meta: Obj = {"resourceVersion": (obj.get("metadata") or {}).get("resourceVersion")}
            if new_labels:
                meta["labels"] = new_labels
            if new_annotations:
                meta["annotations"] = new_annotations
            obj = await self.client.patch(KIND, view.name, {"metadata": meta}, view.namespace or None)
        if status.wire() != CronStatus.from_wire(obj.get("status")).wire():
            await self.client.update_status({**obj, "status": status.wire()})

    async def _delete_children(self, key: Key, uid: str) -> None:
        workflows = await self._list_children(key)
        for wf in workflows:
            owners = (wf.get("metadata") or {}).get("ownerReferences") or []
            if any(o.get("uid") == uid and o.get("controller") for o in owners if isinstance(o, dict)):
                with contextlib.suppress(NotFound):
                    await self.client.delete("Workflow", str(wf["metadata"]["name"]), key[0] or None)

    async def _list_children(self, key: Key) -> list[Obj]:
        selector = f"{LABEL_CRON_WORKFLOW}={key[1]}"
        return await self.client.list("Workflow", key[0] or None, label_selector=selector)
