"""The one adapter between every source type and the bus.

``emit(event_name, data)`` applies the event's ``filter.expression``, builds the CloudEvent
(id, source = EventSource name, type = source type, subject = event name, time,
``application/json`` data) and publishes it, returning only once the bus acknowledged it.
Failures are counted (``events_sent_failed_total`` and ``events_processing_failed_total``, as
Argo does) and re-raised so the source can leave its upstream message unacknowledged.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bus.cloudevent import CloudEvent
from bus.errors import BusError
from bus.interface import Publisher
from eventsources.clock import Clock, SystemClock
from eventsources.filtering import EventFilter
from eventsources.metrics import EventSourceMetrics


@dataclass(frozen=True)
class _Binding:
    type: str
    filter: EventFilter | None


class EventEmitter:
    """Callable as :class:`eventsources.base.Emit`; one per EventSource resource."""

    def __init__(
        self,
        publisher: Publisher,
        source_name: str,
        metrics: EventSourceMetrics | None = None,
        clock: Clock | None = None,
        log: logging.Logger | None = None,
    ) -> None:
        self.publisher = publisher
        self.source_name = source_name
        self.metrics = metrics if metrics is not None else EventSourceMetrics()
        self.clock = clock if clock is not None else SystemClock()
        self.log = log or logging.getLogger("eventsources.emitter")
        self._bindings: dict[str, _Binding] = {}

    def bind(self, event_name: str, source_type: str, filter_expression: str | None = None) -> None:
        """Declare one configured event; a bad expression raises FilterError at load time."""
        flt = EventFilter(filter_expression) if filter_expression else None
        self._bindings[event_name] = _Binding(source_type, flt)

    def build(
        self,
        event_name: str,
        data: Any,
        *,
        event_id: str | None = None,
        time: datetime | None = None,
        extensions: Mapping[str, str] | None = None,
    ) -> CloudEvent:
        binding = self._bindings[event_name]
        return CloudEvent.new(
            # Argo's ids are a UUID's 16 bytes in hex, without dashes.
            id=event_id or uuid.uuid4().hex,
            source=self.source_name,
            type=binding.type,
            subject=event_name,
            time=time or self.clock.now(),
            data=data,
            extensions=dict(extensions or {}),
        )

    def accepts(self, event_name: str, data: Any) -> bool:
        binding = self._bindings[event_name]
        if binding.filter is None:
            return True
        ok, error = binding.filter.matches(data)
        if error:
            # As Argo: an expression that cannot be evaluated drops the event, it does not fail it.
            self.log.error("%s/%s: filter dropped the event: %s", self.source_name, event_name, error)
        return ok

    async def __call__(
        self,
        event_name: str,
        data: Any,
        *,
        event_id: str | None = None,
        time: datetime | None = None,
        extensions: Mapping[str, str] | None = None,
    ) -> bool:
        if not self.accepts(event_name, data):
            return False
        event = self.build(event_name, data, event_id=event_id, time=time, extensions=extensions)
        try:
            ack = await self.publisher.publish(event)
        except BusError as exc:
            self.metrics.sent_failed(self.source_name, event_name)
            self.metrics.processing_failed(self.source_name, event_name)
            self.log.warning("%s/%s: publishing event %s failed: %s", self.source_name, event_name, event.id, exc)
            raise
        self.metrics.sent(self.source_name, event_name)
        if self.log.isEnabledFor(logging.DEBUG):
            self.log.debug(
                "%s/%s: event %s stored at %s#%d%s",
                self.source_name,
                event_name,
                event.id,
                ack.stream,
                ack.seq,
                " (duplicate)" if ack.duplicate else "",
            )
        return True


def json_roundtrip(data: Any) -> Any:
    """``data`` as the JSON the bus will carry (what Argo's filter unmarshals)."""
    return json.loads(json.dumps(data))
