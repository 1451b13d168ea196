"""Argo Events' event-source metrics, rendered in the Prometheus text format.

The names, label names and types follow Argo's ``pkg/metrics/metrics.go`` so existing dashboards
keep working: every series carries the constant label ``namespace`` plus ``eventsource_name``
(and ``event_name`` where Argo has it). The processing-duration summary has no quantiles, as in
Argo (client_golang's default), so it renders ``_sum`` and ``_count`` only.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

PREFIX = "argo_events_"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

Labels = tuple[tuple[str, str], ...]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _render_labels(labels: Labels) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in labels) + "}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


@dataclass
class _Family:
    name: str
    help: str
    kind: str  # "counter" | "gauge" | "summary"
    values: dict[Labels, list[float]] = field(default_factory=dict)

    def lines(self) -> Iterator[str]:
        yield f"# HELP {self.name} {self.help}"
        yield f"# TYPE {self.name} {self.kind}"
        for labels, value in sorted(self.values.items()):
            if self.kind == "summary":
                yield f"{self.name}_sum{_render_labels(labels)} {_number(value[0])}"
                yield f"{self.name}_count{_render_labels(labels)} {_number(value[1])}"
            else:
                yield f"{self.name}{_render_labels(labels)} {_number(value[0])}"


class Registry:
    """A tiny thread-safe metric registry; ``render()`` gives the exposition text."""

    def __init__(self) -> None:
        self._families: dict[str, _Family] = {}
        self._lock = threading.Lock()

    def _family(self, name: str, help_text: str, kind: str) -> _Family:
        fam = self._families.get(name)
        if fam is None:
            fam = self._families[name] = _Family(name, help_text, kind)
        return fam

    def declare(self, name: str, help_text: str, kind: str) -> None:
        with self._lock:
            self._family(name, help_text, kind)

    def add(self, name: str, labels: Labels, amount: float) -> None:
        with self._lock:
            fam = self._families[name]
            slot = fam.values.setdefault(labels, [0.0, 0.0])
            slot[0] += amount
            slot[1] += 1

    def value(self, name: str, **labels: str) -> float:
        """Current value (the sum for a summary) of the series whose labels include ``labels``."""
        with self._lock:
            fam = self._families.get(name)
            if fam is None:
                return 0.0
            want = set(labels.items())
            return sum(v[0] for k, v in fam.values.items() if want <= set(k))

    def count(self, name: str, **labels: str) -> float:
        """Observation count of a summary (or increments of a counter)."""
        with self._lock:
            fam = self._families.get(name)
            if fam is None:
                return 0.0
            want = set(labels.items())
            return sum(v[1] for k, v in fam.values.items() if want <= set(k))

    def render(self) -> str:
        with self._lock:
            out: list[str] = []
            for fam in self._families.values():
                out.extend(fam.lines())
            return "\n".join(out) + "\n"


RUNNING = PREFIX + "event_service_running_total"
SENT = PREFIX + "events_sent_total"
SENT_FAILED = PREFIX + "events_sent_failed_total"
PROCESSING_FAILED = PREFIX + "events_processing_failed_total"
DURATION = PREFIX + "event_processing_duration_milliseconds"

_HELP = {
    RUNNING: ("How many configured events in the EventSource object are actively running.", "gauge"),
    SENT: ("How many events have been sent successfully.", "counter"),
    SENT_FAILED: ("How many events failed to send to EventBus.", "counter"),
    PROCESSING_FAILED: (
        "Number of events failed to process, it includes argo_events_events_sent_failed_total.",
        "counter",
    ),
    DURATION: ("Summary of durations of event processing.", "summary"),
}


class EventSourceMetrics:
    """The event-source half of Argo's ``Metrics`` (one instance per process or runner)."""

    def __init__(self, namespace: str = "default", registry: Registry | None = None) -> None:
        self.namespace = namespace
        self.registry = registry if registry is not None else Registry()
        for name, (help_text, kind) in _HELP.items():
            self.registry.declare(name, help_text, kind)

    def _labels(self, source: str, event: str | None = None) -> Labels:
        labels = [("namespace", self.namespace), ("eventsource_name", source)]
        if event is not None:
            labels.append(("event_name", event))
        return tuple(labels)

    def running(self, source: str, delta: int) -> None:
        self.registry.add(RUNNING, self._labels(source), float(delta))

    def sent(self, source: str, event: str) -> None:
        self.registry.add(SENT, self._labels(source, event), 1.0)

    def sent_failed(self, source: str, event: str) -> None:
        self.registry.add(SENT_FAILED, self._labels(source, event), 1.0)

    def processing_failed(self, source: str, event: str) -> None:
        self.registry.add(PROCESSING_FAILED, self._labels(source, event), 1.0)

    def processing_duration(self, source: str, event: str, millis: float) -> None:
        self.registry.add(DURATION, self._labels(source, event), millis)

    def render(self) -> str:
        return self.registry.render()
