"""Helpers for tests and benchmarks: events of the right shape, without a bus."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from bus.cloudevent import CloudEvent
from sensors.event import JSON_TYPE, Event


def event(
    data: Any = None,
    *,
    raw: bytes | str | None = None,
    source: str = "webhook-gateway",
    subject: str = "example-1",
    type: str = "webhook",
    id: str | None = None,
    time: datetime | None = None,
    datacontenttype: str = JSON_TYPE,
) -> Event:
    """An Argo event; ``raw`` gives the payload bytes verbatim (e.g. invalid JSON), else ``data`` as JSON."""
    common: dict[str, Any] = {
        "id": id or uuid.uuid4().hex, "source": source, "type": type, "subject": subject,
        "time": time or datetime.now(UTC), "datacontenttype": datacontenttype,
    }
    if raw is not None:
        return Event(**common, raw=raw.encode() if isinstance(raw, str) else raw)
    if data is None:
        return Event(**common)
    return Event(**common, value=json.loads(json.dumps(data)))


def cloudevent(source: str, name: str, data: Any, *, id: str | None = None, type: str = "webhook") -> CloudEvent:
    """A CloudEvent as an event source publishes it: source = EventSource name, subject = event name."""
    return CloudEvent.new(source=source, type=type, subject=name, data=data, id=id)


def webhook_payload(body: Any, headers: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """The ``data`` of a webhook event (``header``, ``body``, ``metadata``), as Argo's webhook source emits it."""
    return {"header": headers or {"Content-Type": ["application/json"]}, "body": body, "metadata": {}}
