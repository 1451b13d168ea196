"""Metrics in the Prometheus text exposition format: counters, gauges, summaries, histograms.

``REGISTRY`` is the process-wide registry: every plane that runs in this process counts into
it, so ``pinnace up`` serves event-source and sensor series on the API's ``/metrics`` as well
as on the webhook ports. Anything that must count on its own (a test, a bench, one API app)
makes its own ``Registry()``.

Usage::

    sent = REGISTRY.counter("argo_events_events_sent_total", "How many ...", ("namespace", "eventsource_name"))
    sent.inc("default", "hooks")
    text = render(REGISTRY)

Series are keyed by label values in the declared order. A summary has no quantiles (as
client_golang's default, which Argo uses), so it renders ``_sum`` and ``_count`` only.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from typing import ClassVar, TypeVar

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

LabelValues = tuple[str, ...]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(names: Iterable[str], values: Iterable[str]) -> str:
    body = ",".join(f'{n}="{_escape(v)}"' for n, v in zip(names, values, strict=True))
    return "{" + body + "}" if body else ""


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return str(int(value)) if float(value).is_integer() else repr(float(value))


class Family:
    """One metric name with its help text, label names and series; made by a ``Registry``."""

    kind: ClassVar[str]

    def __init__(self, name: str, help_text: str, label_names: LabelValues, lock: threading.Lock) -> None:
        self.name = name
        self.help = help_text
        self.label_names = label_names
        self._lock = lock

    def _key(self, values: LabelValues) -> LabelValues:
        if len(values) != len(self.label_names):
            raise ValueError(f"metric {self.name} takes labels {list(self.label_names)}, got values {list(values)}")
        return values

    def lines(self) -> Iterator[str]:
        """The exposition lines; the registry holds the lock while they are read."""
        yield f"# HELP {self.name} {self.help}"
        yield f"# TYPE {self.name} {self.kind}"
        yield from self._series()

    def _series(self) -> Iterator[str]:
        raise NotImplementedError


class Counter(Family):
    kind = "counter"

    def __init__(self, name: str, help_text: str, label_names: LabelValues, lock: threading.Lock) -> None:
        super().__init__(name, help_text, label_names, lock)
        self.values: dict[LabelValues, float] = {}
        if not label_names:  # an unlabelled series exists from the start, at 0
            self.values[()] = 0.0

    def _add(self, labels: LabelValues, amount: float) -> None:
        key = self._key(labels)
        with self._lock:
            self.values[key] = self.values.get(key, 0.0) + amount

    def inc(self, *labels: str, amount: float = 1.0) -> None:
        if amount < 0:
            raise ValueError(f"counter {self.name} only goes up; got {amount}")
        self._add(labels, amount)

    def get(self, *labels: str) -> float:
        return self.values.get(labels, 0.0)

    def _series(self) -> Iterator[str]:
        for key, value in sorted(self.values.items()):
            yield f"{self.name}{_labels(self.label_names, key)} {_number(value)}"


class Gauge(Counter):
    kind = "gauge"

    def inc(self, *labels: str, amount: float = 1.0) -> None:
        self._add(labels, amount)

    def dec(self, *labels: str, amount: float = 1.0) -> None:
        self._add(labels, -amount)

    def set(self, value: float, *labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            self.values[key] = value

    def replace(self, series: Mapping[LabelValues, float]) -> None:
        """Swap in a whole new set of series (a gauge computed at scrape time)."""
        fresh = {self._key(k): v for k, v in series.items()}
        with self._lock:
            self.values = fresh


class Summary(Family):
    kind = "summary"

    def __init__(self, name: str, help_text: str, label_names: LabelValues, lock: threading.Lock) -> None:
        super().__init__(name, help_text, label_names, lock)
        self.sums: dict[LabelValues, float] = {}
        self.counts: dict[LabelValues, int] = {}
        if not label_names:
            self.sums[()], self.counts[()] = 0.0, 0

    def observe(self, value: float, *labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            self.sums[key] = self.sums.get(key, 0.0) + value
            self.counts[key] = self.counts.get(key, 0) + 1

    def count(self, *labels: str) -> int:
        return self.counts.get(labels, 0)

    def sum(self, *labels: str) -> float:
        return self.sums.get(labels, 0.0)

    def _series(self) -> Iterator[str]:
        for key in sorted(self.counts):
            lbl = _labels(self.label_names, key)
            yield f"{self.name}_sum{lbl} {_number(self.sums[key])}"
            yield f"{self.name}_count{lbl} {self.counts[key]}"


class Histogram(Summary):
    kind = "histogram"

    def __init__(self, name: str, help_text: str, label_names: LabelValues, lock: threading.Lock,
                 buckets: Iterable[float] = DEFAULT_BUCKETS) -> None:
        super().__init__(name, help_text, label_names, lock)
        self.bounds = tuple(sorted(set(buckets) | {math.inf}))
        self.buckets: dict[LabelValues, list[int]] = {}
        if not label_names:
            self.buckets[()] = [0] * len(self.bounds)

    def observe(self, value: float, *labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            self.sums[key] = self.sums.get(key, 0.0) + value
            self.counts[key] = self.counts.get(key, 0) + 1
            counts = self.buckets.setdefault(key, [0] * len(self.bounds))
            for i, bound in enumerate(self.bounds):
                if value <= bound:
                    counts[i] += 1

    def _series(self) -> Iterator[str]:
        for key in sorted(self.counts):
            for bound, n in zip(self.bounds, self.buckets[key], strict=True):
                yield f"{self.name}_bucket{_labels((*self.label_names, 'le'), (*key, _number(bound)))} {n}"
        yield from super()._series()


F = TypeVar("F", bound=Family)


class Registry:
    """Metric families by name, rendered in declaration order; safe to use from several threads."""

    def __init__(self) -> None:
        self._families: dict[str, Family] = {}
        self._lock = threading.Lock()

    def counter(self, name: str, help_text: str, labels: Iterable[str] = ()) -> Counter:
        return self._family(Counter, name, help_text, tuple(labels))

    def gauge(self, name: str, help_text: str, labels: Iterable[str] = ()) -> Gauge:
        return self._family(Gauge, name, help_text, tuple(labels))

    def summary(self, name: str, help_text: str, labels: Iterable[str] = ()) -> Summary:
        return self._family(Summary, name, help_text, tuple(labels))

    def histogram(self, name: str, help_text: str, labels: Iterable[str] = (),
                  buckets: Iterable[float] = DEFAULT_BUCKETS) -> Histogram:
        return self._family(Histogram, name, help_text, tuple(labels), partial(Histogram, buckets=tuple(buckets)))

    def _family(self, cls: type[F], name: str, help_text: str, labels: LabelValues,
                make: Callable[[str, str, LabelValues, threading.Lock], F] | None = None) -> F:
        # Declaring an existing name again (a second runner in the same process) shares it.
        with self._lock:
            found = self._families.get(name)
            if found is None:
                made = (make or cls)(name, help_text, labels, self._lock)
                self._families[name] = made
                return made
        return self._check(found, cls, labels)

    @staticmethod
    def _check(found: Family, cls: type[F], labels: LabelValues) -> F:
        if type(found) is not cls or found.label_names != labels:
            raise ValueError(f"metric {found.name} is already registered as a {found.kind} with labels "
                             f"{list(found.label_names)}; pick another name or the same type and labels")
        assert isinstance(found, cls)
        return found

    def render(self) -> str:
        """The exposition text ("" with no families), each line ending in a newline."""
        with self._lock:
            lines = [line for family in self._families.values() for line in family.lines()]
        return "".join(line + "\n" for line in lines)


REGISTRY = Registry()


def render(*registries: Registry) -> str:
    """Several registries as one exposition; their metric names must not overlap."""
    return "".join(r.render() for r in registries)
