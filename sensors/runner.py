"""SensorService: consume a sensor's events from the bus, correlate them, fire its triggers.

One durable consumer per sensor (every replica joins it, so replicas share the work). Each
delivery is transformed and filtered per dependency, offered to every trigger that uses the
dependency, and settled:

* ``atLeastOnce: true`` — the triggers run first and the event is acked only after they
  finished (successfully, or after their retries and dlqTrigger were exhausted, as in Argo). A
  crash before the ack redelivers the event; the recorded firing and the deterministic
  ``trigger-id`` make the redelivery find its workflow instead of starting a second one.
* ``atLeastOnce: false`` (default) — at most once: the event is acked, then the trigger runs in
  the background. A crash between the ack and the trigger loses that firing, never duplicates it.

Half-satisfied ``&&`` conditions live in the bus KV (``sensors.state``), so a restart resumes them.
Nothing an event does (bad paths, failing templates, unreachable targets) stops the service:
the outcome is logged and counted, and the next event is processed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bus import naming
from bus.errors import BusError, TemporaryBusError
from bus.interface import ConsumerOptions, Delivery, Subscription
from bus.kv import KeyValueStore
from pinnace.resources.client import ResourceClient
from sensors.compiled import CompiledSensor, CompiledTrigger, Dependency, compile_sensor
from sensors.event import Event
from sensors.firing import Firer, TargetUnavailable
from sensors.metrics import METRICS, SensorMetrics
from sensors.state import TriggerState
from sensors.transform import TransformError
from triggers.base import Services

log = logging.getLogger("pinnace.sensor")
RECENT_IDS = 4096
HEARTBEAT = 0.5
# How long an event whose trigger target (the API) was unreachable waits before it is redelivered.
UNAVAILABLE_REDELIVERY = 2.0


class SensorBus(Protocol):
    """What a sensor needs from the bus: ``bus.jetstream.JetStreamBus`` and ``bus.memory.MemoryBus``."""

    def filter_for(self, event_source: str | None = None, event_name: str | None = None) -> str: ...

    async def subscribe(
        self, durable: str, subjects: str | Sequence[str], options: ConsumerOptions | None = None
    ) -> Subscription: ...

    async def kv(self, bucket: str, *, history: int = 1, ttl: float | None = None) -> Any: ...


@dataclass
class _Plan:
    trigger: CompiledTrigger
    events: dict[str, Event]
    state: TriggerState | None


class SensorService:
    def __init__(
        self,
        sensor: Any,
        bus: SensorBus,
        client: ResourceClient | None = None,
        *,
        metrics: SensorMetrics = METRICS,
        consumer: ConsumerOptions | None = None,
        services: Services | None = None,
    ) -> None:
        self.sensor: CompiledSensor = sensor if isinstance(sensor, CompiledSensor) else compile_sensor(sensor)
        self.bus = bus
        self.metrics = metrics
        self.options = consumer or ConsumerOptions(ack_wait=30.0, batch=64)
        self.services = services or Services(client=client, namespace=self.sensor.namespace)
        self.firer = Firer(self.sensor, self.services, metrics)
        self.durable = naming.durable_name(self.sensor.namespace, self.sensor.name)
        self._states: dict[str, TriggerState] = {}
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._sub: Subscription | None = None
        self._task: asyncio.Task[None] | None = None
        self._tg: asyncio.TaskGroup | None = None
        self._ready = asyncio.Event()
        self._stopping = asyncio.Event()
        self._hold_until = 0.0
        self.processed = 0

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        """Subscribe and start consuming; returns once the consumer is in place."""
        if self._task is not None:
            return
        self._task = asyncio.create_task(self.run(), name=f"sensor:{self.sensor.name}")
        ready = asyncio.create_task(self._ready.wait(), name=f"sensor:{self.sensor.name}:ready")
        done, _ = await asyncio.wait({self._task, ready}, return_when=asyncio.FIRST_COMPLETED)
        if self._task in done:
            ready.cancel()
            self._task.result()  # raises why the sensor could not start

    async def run(self) -> None:
        """Consume until :meth:`stop`; background firings are awaited before returning."""
        kv = await self.bus.kv(naming.kv_bucket("sensor", self.sensor.name, self.sensor.namespace))
        self._states = {t.name: TriggerState(kv, self.sensor.name, t.name, t.condition, t.resets)
                        for t in self.sensor.triggers if t.correlates}
        subjects = sorted({self.bus.filter_for(d.event_source, d.event_name) for d in self._used_dependencies()})
        self._sub = await self.bus.subscribe(self.durable, subjects, self.options)
        log.info("sensor %s: consuming %s as %s", self.sensor.name, subjects, self.durable)
        self._ready.set()
        try:
            async with asyncio.TaskGroup() as tg:
                self._tg = tg
                tg.create_task(self._consume(self._sub), name=f"sensor:{self.sensor.name}:consume")
        finally:
            self._tg = None
            await self._sub.close()
            await self.services.close()

    async def stop(self, timeout: float = 10.0) -> None:
        """Stop taking events, let running triggers finish (up to ``timeout``); idempotent."""
        self._stopping.set()
        task = self._task
        if task is None:
            return
        if task.done():
            if not task.cancelled() and task.exception() is not None:
                log.error("sensor %s had stopped with an error: %r", self.sensor.name, task.exception())
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def __aenter__(self) -> SensorService:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    def _used_dependencies(self) -> list[Dependency]:
        used = set().union(*(t.dependencies for t in self.sensor.triggers)) if self.sensor.triggers else set()
        return [d for d in self.sensor.dependencies.values() if d.name in used]

    # -- consuming -------------------------------------------------------------------------
    async def _consume(self, sub: Subscription) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                batch = await sub.fetch(self.options.batch, timeout=0.25)
            except TemporaryBusError as exc:
                failures += 1
                if failures in (1, 10) or failures % 100 == 0:
                    log.warning("sensor %s: bus unavailable, retrying: %s", self.sensor.name, exc)
                await asyncio.sleep(min(0.05 * 2**min(failures, 6), 2.0))
                continue
            failures = 0
            for delivery in batch:
                if self._held() > 0:
                    # The target refused the last event; this one would be refused too. Hand it back
                    # untried so the backlog waits on the bus, not in retries against the target.
                    with contextlib.suppress(BusError, OSError):
                        await delivery.nak(delay=self._held())
                    continue
                await self.handle(delivery)
            if (hold := self._held()) > 0:
                # Paused, but a stop still ends the pause at once.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), hold)

    def _held(self) -> float:
        """Seconds until the trigger target may be tried again (0: go on)."""
        return max(0.0, self._hold_until - asyncio.get_running_loop().time())

    async def handle(self, delivery: Delivery) -> None:
        """Process one delivery end to end; never raises (except for cancellation)."""
        try:
            await self._handle(delivery)
        except (BusError, OSError) as exc:
            log.warning("sensor %s: event %s will be redelivered: %s", self.sensor.name, delivery.event.id, exc)
            with contextlib.suppress(BusError, OSError):
                await delivery.nak(1.0)
        except Exception:
            log.exception("sensor %s: unexpected failure on event %s; event dropped",
                          self.sensor.name, delivery.event.id)
            with contextlib.suppress(BusError, OSError):
                await delivery.term()

    async def _handle(self, delivery: Delivery) -> None:
        event = Event.from_cloudevent(delivery.event)
        self.processed += 1
        if event.id in self._recent:
            log.debug("sensor %s: event %s already processed, acking the redelivery", self.sensor.name, event.id)
            await delivery.ack()
            return
        passed = self._filter(event)
        plans = await self._plan(passed)
        sure = [p for p in plans if p.trigger.at_least_once]
        if sure:
            beat = asyncio.create_task(self._heartbeat(delivery), name=f"sensor:{self.sensor.name}:heartbeat")
            try:
                await asyncio.gather(*(self._fire(p) for p in sure))
            except TargetUnavailable:
                # Redelivered later; the deterministic trigger id keeps a partial success from doubling.
                self._hold_until = asyncio.get_running_loop().time() + UNAVAILABLE_REDELIVERY
                await delivery.nak(delay=UNAVAILABLE_REDELIVERY)
                return
            finally:
                beat.cancel()
        await delivery.ack()
        self._remember(event.id)
        for plan in plans:
            if not plan.trigger.at_least_once:
                self._spawn(plan)

    def _spawn(self, plan: _Plan) -> None:
        name = f"sensor:{self.sensor.name}:trigger:{plan.trigger.name}"
        if self._tg is not None:
            self._tg.create_task(self._fire(plan), name=name)
        else:
            asyncio.create_task(self._fire(plan), name=name)  # noqa: RUF006 - only when driven by hand in tests

    async def _heartbeat(self, delivery: Delivery) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT)
            with contextlib.suppress(BusError, OSError):
                await delivery.in_progress()

    def _remember(self, event_id: str) -> None:
        self._recent[event_id] = None
        if len(self._recent) > RECENT_IDS:
            self._recent.popitem(last=False)

    def _filter(self, event: Event) -> dict[str, Event]:
        passed: dict[str, Event] = {}
        labels = (self.sensor.namespace, self.sensor.name)
        for dep in self.sensor.dependencies_for(event.source, event.subject):
            current = event
            try:
                if dep.transform is not None:
                    current = dep.transform.apply(event)
            except TransformError as exc:
                log.warning("sensor %s: dependency %s: event [%s] discarded, transform failed: %s",
                            self.sensor.name, dep.name, event.describe(), exc)
                self.metrics.events_processed.inc(*labels, dep.name, "error")
                continue
            outcome = dep.filter.evaluate(current)
            if outcome.error is not None:
                verdict = "passed but with" if outcome.passed else "discarded due to"
                log.warning("sensor %s: dependency %s: event [%s] %s filtering error: %s",
                            self.sensor.name, dep.name, event.describe(), verdict, outcome.error)
            elif not outcome.passed:
                log.debug("sensor %s: dependency %s: event [%s] discarded due to filtering",
                          self.sensor.name, dep.name, event.describe())
            self.metrics.events_processed.inc(
                *labels, dep.name, "passed" if outcome.passed else ("error" if outcome.error else "filtered"))
            if outcome.passed:
                passed[dep.name] = current
        return passed

    async def _plan(self, passed: dict[str, Event]) -> list[_Plan]:
        plans: list[_Plan] = []
        for trigger in self.sensor.triggers:
            for dep_name, event in passed.items():
                if dep_name not in trigger.dependencies:
                    continue
                state = self._states.get(trigger.name)
                if state is None:
                    plans.append(_Plan(trigger, {dep_name: event}, None))
                    continue
                decision = await state.offer(dep_name, event)
                if decision.action == "fire":
                    plans.append(_Plan(trigger, decision.events, state))
                elif decision.action == "wait":
                    log.info("sensor %s: trigger %s: dependency %s satisfied, waiting for %s",
                             self.sensor.name, trigger.name, dep_name, sorted(trigger.dependencies - {dep_name}))
        return plans

    async def _fire(self, plan: _Plan) -> None:
        await self.firer.run(plan.trigger, plan.events)
        if plan.state is not None:
            try:
                await plan.state.complete(plan.events)
            except (BusError, OSError) as exc:
                log.warning("sensor %s: trigger %s: could not record the finished firing: %s",
                            self.sensor.name, plan.trigger.name, exc)


__all__ = ["KeyValueStore", "SensorBus", "SensorService"]
