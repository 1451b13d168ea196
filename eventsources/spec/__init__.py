"""EventSource resource model and its ``argo lint``-style checks; registers kind EventSource."""

from eventsources.spec.eventsource import EventSource, EventSourceSpec, check_event_source
from eventsources.spec.types import ARGO_ONLY_TYPES, SOURCE_TYPES, SourceType, register_source_type
from pinnace.resources.kinds import KindInfo, register_kind

__all__ = [
    "ARGO_ONLY_TYPES",
    "SOURCE_TYPES",
    "EventSource",
    "EventSourceSpec",
    "SourceType",
    "check_event_source",
    "register_source_type",
]

register_kind(KindInfo("EventSource", EventSource, "eventsources", short_names=("es",), check=check_event_source))
