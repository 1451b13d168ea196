"""Argo Events' sensor metrics: triggers fired, failed and retried, and how long they took.

``SensorMetrics()`` counts into a registry of its own (tests, benches); ``METRICS``, the
default of every ``SensorService``, counts into the process-wide ``REGISTRY``.
"""

from __future__ import annotations

from pinnace.metrics import REGISTRY, Registry

PREFIX = "argo_events_"
LABELS = ("namespace", "sensor_name", "trigger_name")


class SensorMetrics:
    def __init__(self, registry: Registry | None = None) -> None:
        self.registry = registry if registry is not None else Registry()
        r = self.registry
        self.triggered = r.counter(
            PREFIX + "action_triggered_total", "How many actions have been triggered successfully.", LABELS)
        self.failed = r.counter(PREFIX + "action_failed_total", "How many actions failed.", LABELS)
        self.retries_failed = r.counter(
            PREFIX + "action_retries_failed_total",
            "How many actions failed after the retries have been exhausted.", LABELS)
        self.duration = r.summary(
            PREFIX + "action_duration_milliseconds", "Summary of durations of trigger actions.", LABELS)
        self.events_processed = r.counter(
            PREFIX + "sensor_events_processed_total",
            "Events a sensor dependency received, by outcome (passed, filtered, error).",
            ("namespace", "sensor_name", "dependency_name", "outcome"))

    def render(self) -> str:
        return self.registry.render()


METRICS = SensorMetrics(REGISTRY)
