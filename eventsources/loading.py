"""Turn an EventSource resource into runnable sources, or fail with every problem's field path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eventsources.base import EventSourceType, SourceContext, SpecError
from eventsources.emitter import EventEmitter
from eventsources.filtering import FilterError
from eventsources.registry import UNAVAILABLE, lookup
from eventsources.spec import EventSource
from pinnace.resources.base import Problem
from pinnace.resources.validate import validate_object


class EventSourceLoadError(ValueError):
    """The resource cannot run; ``problems`` name each field path and what to change."""

    def __init__(self, name: str, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"EventSource {name or '<unnamed>'} cannot run:\n{lines}")


@dataclass
class LoadedSource:
    key: str
    event_name: str
    source: EventSourceType


def parse_resource(resource: EventSource | dict[str, Any]) -> EventSource:
    if isinstance(resource, EventSource):
        return resource
    model, problems = validate_object(resource)
    errors = [p for p in problems if p.severity == "error"]
    name = str((resource.get("metadata") or {}).get("name", ""))
    if errors or not isinstance(model, EventSource):
        raise EventSourceLoadError(name, errors or problems)
    unsupported = [p for p in problems if p.severity == "unsupported"]
    if unsupported:
        raise EventSourceLoadError(name, unsupported)
    return model


def build_sources(
    resource: EventSource,
    emitter: EventEmitter,
    context: dict[str, Any],
) -> list[LoadedSource]:
    """One source object per configured event; ``context`` holds the shared SourceContext fields."""
    problems: list[Problem] = []
    loaded: list[LoadedSource] = []
    name = resource.metadata.name or ""
    for key in resource.spec.unsupported_types():
        problems.append(Problem(f"spec.{key}", f"event source type {key!r} is not supported by pinnace"))
    for key, event_name, spec in resource.spec.sources():
        path = f"spec.{key}.{event_name}"
        cls = lookup(key)
        if cls is None:
            reason = UNAVAILABLE.get(key, f"event source type {key!r} has no runtime in pinnace yet")
            problems.append(Problem(f"spec.{key}", reason))
            continue
        expression = spec.filter.expression if getattr(spec, "filter", None) else ""  # type: ignore[attr-defined]
        try:
            emitter.bind(event_name, key, expression or None)
        except FilterError as exc:
            problems.append(Problem(f"{path}.filter.expression", str(exc)))
        ctx = SourceContext(source_name=name, event_name=event_name, spec=spec, **context)
        try:
            loaded.append(LoadedSource(key, event_name, cls(ctx)))
        except SpecError as exc:
            problems.append(Problem(exc.path, exc.message))
    if problems:
        raise EventSourceLoadError(name, problems)
    return loaded
