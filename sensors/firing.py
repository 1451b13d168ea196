"""Running one trigger for one set of events: parameters, the trigger type's four steps, retries, DLQ.

Failures never escape: they are logged with the trigger name and the triggering event ids,
counted in the metrics, and handed to ``dlqTrigger`` when one is configured. The return value
says whether the action (or its DLQ) succeeded.
"""

from __future__ import annotations

import copy
import logging
import time

from sensors import params
from sensors.compiled import CompiledSensor, CompiledTrigger
from sensors.event import Event
from sensors.metrics import SensorMetrics
from triggers.base import TRIGGER_TYPES, Firing, Services, Trigger, TriggerError, TriggerSpec
from triggers.policy import with_retries

log = logging.getLogger("pinnace.sensor")


def _spec_for(trigger: CompiledTrigger, events: dict[str, Event]) -> TriggerSpec:
    template = trigger.template
    if trigger.parameters:
        try:
            template = params.apply(copy.deepcopy(template), trigger.parameters, events)
        except params.ParameterError as exc:
            raise TriggerError(f"{trigger.where}.parameters: {exc}", retryable=False) from None
    body = template.get(trigger.key)
    if not isinstance(body, dict):
        raise TriggerError(f"{trigger.where}.template.{trigger.key}: not an object after parameters", retryable=False)
    return TriggerSpec(trigger.name, trigger.key, body, trigger.policy, f"{trigger.where}.template.{trigger.key}")


async def _once(impl: Trigger, firing: Firing) -> None:
    resource = await impl.fetch()
    resource = impl.apply_parameters(resource, firing.events)
    result = await impl.execute(resource, firing)
    await impl.apply_policy(result)


class TargetUnavailable(Exception):
    """An ``atLeastOnce`` trigger could not reach its target; its events must be redelivered, not acked."""


class Firer:
    def __init__(self, sensor: CompiledSensor, services: Services, metrics: SensorMetrics) -> None:
        self.sensor = sensor
        self.services = services
        self.metrics = metrics
        # Built once per trigger unless template-level parameters make every firing different.
        self._impls: dict[str, Trigger] = {}

    def _impl(self, trigger: CompiledTrigger, events: dict[str, Event]) -> Trigger:
        cached = self._impls.get(trigger.where)
        if cached is not None:
            return cached
        impl = TRIGGER_TYPES[trigger.key](_spec_for(trigger, events), self.services)
        if not trigger.parameters:
            self._impls[trigger.where] = impl
        return impl

    def _labels(self, trigger: CompiledTrigger) -> tuple[str, str, str]:
        return (self.sensor.namespace, self.sensor.name, trigger.name)

    async def _attempt(self, trigger: CompiledTrigger, firing: Firing) -> None:
        if trigger.rate_limiter is not None:
            await trigger.rate_limiter.take()
        start = time.perf_counter()
        labels = self._labels(trigger)
        try:
            await _once(self._impl(trigger, firing.events), firing)
        except TriggerError:
            self.metrics.failed.inc(*labels)
            raise
        except Exception as exc:  # a bug or an unexpected library error must not stop the sensor
            self.metrics.failed.inc(*labels)
            raise TriggerError(f"unexpected {type(exc).__name__}: {exc}") from exc
        finally:
            self.metrics.duration.observe((time.perf_counter() - start) * 1000.0, *labels)
        self.metrics.triggered.inc(*labels)

    async def run(self, trigger: CompiledTrigger, events: dict[str, Event]) -> bool:
        firing = Firing(self.sensor.name, self.sensor.namespace, trigger.name, events, trigger.at_least_once)
        ids = firing.event_ids

        def retrying(number: int, exc: Exception) -> None:
            log.warning("trigger %s attempt %d failed, retrying: %s (events %s)", trigger.name, number, exc, ids)

        try:
            await with_retries(trigger.retry, lambda: self._attempt(trigger, firing), retrying)
        except TriggerError as exc:
            if exc.unavailable and trigger.at_least_once:
                # Acking now would lose an event the source already confirmed: hand it back.
                log.warning("trigger %s: target unavailable, the events will be redelivered: %s (events %s)",
                            trigger.name, exc, ids)
                raise TargetUnavailable(str(exc)) from exc
            log.error("trigger %s failed: %s (triggered by %s, events %s)", trigger.name, exc, sorted(events), ids)
            self.metrics.retries_failed.inc(*self._labels(trigger))
            if trigger.dlq is not None:
                log.info("trigger %s: invoking dlqTrigger %s", trigger.name, trigger.dlq.name)
                return await self.run(trigger.dlq, events)
            return False
        log.info("successfully processed trigger '%s' (triggered by %s, events %s)", trigger.name, sorted(events), ids)
        return True
