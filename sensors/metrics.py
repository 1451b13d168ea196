"""A tiny Prometheus registry for the sensor plane, with Argo Events' metric names.

Counters and summaries keyed by label values; ``render()`` gives the text exposition format
served on ``/metrics``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

PREFIX = "argo_events_"
LABELS = ("namespace", "sensor_name", "trigger_name")


def _labels(names: tuple[str, ...], values: tuple[str, ...]) -> str:
    if not names:
        return ""
    body = ",".join(f'{n}="{v.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
                    for n, v in zip(names, values, strict=True))
    return "{" + body + "}"


@dataclass
class Counter:
    name: str
    help: str
    label_names: tuple[str, ...] = LABELS
    values: dict[tuple[str, ...], float] = field(default_factory=dict)

    def inc(self, *labels: str, amount: float = 1.0) -> None:
        self.values[labels] = self.values.get(labels, 0.0) + amount

    def get(self, *labels: str) -> float:
        return self.values.get(labels, 0.0)

    def render(self) -> list[str]:
        out = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} counter"]
        out += [f"{self.name}{_labels(self.label_names, k)} {v:g}" for k, v in sorted(self.values.items())]
        return out


@dataclass
class Summary:
    name: str
    help: str
    label_names: tuple[str, ...] = LABELS
    sums: dict[tuple[str, ...], float] = field(default_factory=dict)
    counts: dict[tuple[str, ...], int] = field(default_factory=dict)

    def observe(self, value: float, *labels: str) -> None:
        self.sums[labels] = self.sums.get(labels, 0.0) + value
        self.counts[labels] = self.counts.get(labels, 0) + 1

    def count(self, *labels: str) -> int:
        return self.counts.get(labels, 0)

    def render(self) -> list[str]:
        out = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} summary"]
        for key in sorted(self.counts):
            lbl = _labels(self.label_names, key)
            out += [f"{self.name}_sum{lbl} {self.sums[key]:g}", f"{self.name}_count{lbl} {self.counts[key]}"]
        return out


@dataclass
class SensorMetrics:
    triggered: Counter = field(default_factory=lambda: Counter(
        PREFIX + "action_triggered_total", "How many actions have been triggered successfully."))
    failed: Counter = field(default_factory=lambda: Counter(
        PREFIX + "action_failed_total", "How many actions failed."))
    retries_failed: Counter = field(default_factory=lambda: Counter(
        PREFIX + "action_retries_failed_total", "How many actions failed after the retries have been exhausted."))
    duration: Summary = field(default_factory=lambda: Summary(
        PREFIX + "action_duration_milliseconds", "Summary of durations of trigger actions."))
    events_processed: Counter = field(default_factory=lambda: Counter(
        PREFIX + "sensor_events_processed_total",
        "Events a sensor dependency received, by outcome (passed, filtered, error).",
        ("namespace", "sensor_name", "dependency_name", "outcome")))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def render(self) -> str:
        with self._lock:
            lines: list[str] = []
            for metric in (self.triggered, self.failed, self.retries_failed, self.duration, self.events_processed):
                lines += metric.render()
            return "\n".join(lines) + "\n"


METRICS = SensorMetrics()
