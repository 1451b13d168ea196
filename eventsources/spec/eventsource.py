"""The EventSource resource: common fields plus one ``{event name: source}`` map per type key.

The type fields are generated from the registry in ``types.py``: a new source type is a module
that calls ``register_source_type``, added to the import list below (the model is built once, at
import). Implemented types get their strict model; the other keys Argo defines are opaque
mappings, reported unsupported by ``check_event_source``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field, create_model

from eventsources.spec import amqp, calendar, file, kafka, mqtt, nats, redis, webhook  # noqa: F401  (registration)
from eventsources.spec.checks import require
from eventsources.spec.common import EventsModel, Service, Status, Template
from eventsources.spec.types import ARGO_ONLY_TYPES, SOURCE_TYPES
from pinnace.resources.base import ArgoModel, Problem, Problems, Resource, join_path

TYPE_KEYS: tuple[str, ...] = (*SOURCE_TYPES, *ARGO_ONLY_TYPES)


class EventSourceSpecBase(EventsModel):
    event_bus_name: str | None = None
    template: Template | None = None
    service: Service | None = None
    replicas: int | None = None
    # Removed from Argo in v0.17 (2020) and ignored since; old manifests (Argo's own tutorials)
    # still carry it, so it is accepted and has no effect.
    type: str | None = None

    def events_of(self, key: str) -> dict[str, Any]:
        """The ``{event name: spec}`` map of one type key (empty when absent)."""
        value = getattr(self, key, None)
        return dict(value) if value else {}

    def sources(self) -> list[tuple[str, str, ArgoModel]]:
        """Every implemented event as ``(type key, event name, model)``: by type, events in spec order."""
        return [(key, name, model) for key in SOURCE_TYPES for name, model in self.events_of(key).items()]

    def unsupported_types(self) -> list[str]:
        return [key for key in ARGO_ONLY_TYPES if self.events_of(key)]


def _type_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {
        key: (dict[str, info.model] | None, Field(default=None, alias=key))  # type: ignore[name-defined]
        for key, info in SOURCE_TYPES.items()
    }
    for key in ARGO_ONLY_TYPES:
        fields[key] = (dict[str, dict[str, Any]] | None, Field(default=None, alias=key))
    return fields


if TYPE_CHECKING:
    EventSourceSpec = EventSourceSpecBase
else:
    EventSourceSpec = create_model("EventSourceSpec", __base__=EventSourceSpecBase, **_type_fields())


class EventSource(Resource):
    kind: str = "EventSource"
    spec: EventSourceSpec
    status: Status | None = None


def check_event_names(spec: EventSourceSpecBase, problems: Problems) -> None:
    """Event names are unique across all types: sensors address an event by source and name only."""
    seen: dict[str, str] = {}
    for key in TYPE_KEYS:
        for name in spec.events_of(key):
            if name in seen:
                problems.error(
                    join_path("spec", key, name),
                    f"event name {name!r} is also defined under spec.{seen[name]}; "
                    "event names must be unique within an EventSource",
                )
            else:
                seen[name] = key


def check_event_source(resource: Resource) -> list[Problem]:
    assert isinstance(resource, EventSource)
    spec = resource.spec
    problems = Problems()
    if not any(spec.events_of(key) for key in TYPE_KEYS):
        problems.error("spec", "the event source defines no events: add one under a type such as webhook or calendar")
    check_event_names(spec, problems)
    for key, info in SOURCE_TYPES.items():
        events = spec.events_of(key)
        if events:
            info.check(events, join_path("spec", key), problems)
    for key in spec.unsupported_types():
        problems.unsupported(join_path("spec", key), f"event source type {key!r} is not supported by pinnace")
    if spec.replicas is not None and spec.replicas < 0:
        problems.error("spec.replicas", f"replicas must not be negative, got {spec.replicas}")
    require(resource.metadata.name or resource.metadata.generate_name, "metadata.name", problems, "sensors refer to it")
    return problems.items
