"""Argo Events' event-source metrics.

The names, label names and types follow Argo's ``pkg/metrics/metrics.go`` so existing dashboards
keep working: every series carries the label ``namespace`` plus ``eventsource_name`` (and
``event_name`` where Argo has it). ``EventSourceMetrics()`` counts into a registry of its own;
the runner passes the process-wide ``REGISTRY`` so the API's ``/metrics`` shows these too.
"""

from __future__ import annotations

from pinnace.metrics import Registry

PREFIX = "argo_events_"

RUNNING = PREFIX + "event_service_running_total"
SENT = PREFIX + "events_sent_total"
SENT_FAILED = PREFIX + "events_sent_failed_total"
PROCESSING_FAILED = PREFIX + "events_processing_failed_total"
DURATION = PREFIX + "event_processing_duration_milliseconds"

_SOURCE = ("namespace", "eventsource_name")
_EVENT = (*_SOURCE, "event_name")


class EventSourceMetrics:
    """The event-source half of Argo's ``Metrics``."""

    def __init__(self, namespace: str = "default", registry: Registry | None = None) -> None:
        self.namespace = namespace
        self.registry = registry if registry is not None else Registry()
        r = self.registry
        self._running = r.gauge(
            RUNNING, "How many configured events in the EventSource object are actively running.", _SOURCE)
        self._sent = r.counter(SENT, "How many events have been sent successfully.", _EVENT)
        self._sent_failed = r.counter(SENT_FAILED, "How many events failed to send to EventBus.", _EVENT)
        self._processing_failed = r.counter(
            PROCESSING_FAILED,
            "Number of events failed to process, it includes argo_events_events_sent_failed_total.",
            _EVENT,
        )
        self._duration = r.summary(DURATION, "Summary of durations of event processing.", _EVENT)

    def running(self, source: str, delta: int) -> None:
        self._running.inc(self.namespace, source, amount=float(delta))

    def sent(self, source: str, event: str) -> None:
        self._sent.inc(self.namespace, source, event)

    def sent_failed(self, source: str, event: str) -> None:
        self._sent_failed.inc(self.namespace, source, event)

    def processing_failed(self, source: str, event: str) -> None:
        self._processing_failed.inc(self.namespace, source, event)

    def processing_duration(self, source: str, event: str, millis: float) -> None:
        self._duration.observe(millis, self.namespace, source, event)

    def render(self) -> str:
        return self.registry.render()
