"""The event as a sensor sees it: Argo's ``EventContext`` plus the payload, parsed once.

Filters, transforms and parameters all read the same event many times; the JSON payload is
decoded lazily and cached so a three-filter dependency parses it once.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from bus.cloudevent import CloudEvent

JSON_TYPE = "application/json"
YAML_TYPE = "application/yaml"
_UNSET: Any = object()


class PayloadError(ValueError):
    """The event payload cannot be read as JSON (not JSON, or an unsupported content type)."""


@dataclass
class Event:
    id: str
    source: str
    type: str
    subject: str
    time: datetime
    datacontenttype: str = JSON_TYPE
    specversion: str = "1.0"
    # Exactly one of these carries the payload: decoded JSON (as the bus hands it over) or bytes.
    value: Any = _UNSET
    raw: bytes | None = None
    _parsed: Any = field(default=_UNSET, repr=False, compare=False)

    @classmethod
    def from_cloudevent(cls, ce: CloudEvent) -> Event:
        time = ce.time if ce.time.tzinfo else ce.time.replace(tzinfo=UTC)
        out = cls(ce.id, ce.source, ce.type, ce.subject, time, ce.datacontenttype or JSON_TYPE)
        if isinstance(ce.data, bytes | bytearray):
            out.raw = bytes(ce.data)
        elif isinstance(ce.data, str) and ce.datacontenttype != JSON_TYPE:
            out.raw = ce.data.encode()
        elif ce.data is not None:
            out.value = ce.data
        return out

    @property
    def has_data(self) -> bool:
        return self.value is not _UNSET or self.raw is not None

    def data(self) -> Any:
        """The payload as decoded JSON; :class:`PayloadError` when it is not valid JSON."""
        if self._parsed is not _UNSET:
            return self._parsed
        if self.value is not _UNSET:
            self._parsed = self.value
        elif self.raw is None:
            self._parsed = None
        else:
            try:
                self._parsed = json.loads(self.raw)
            except (ValueError, UnicodeDecodeError) as exc:
                raise PayloadError(f"event data not valid JSON: {exc}") from None
        return self._parsed

    def data_bytes(self) -> bytes:
        if self.raw is not None:
            return self.raw
        if self.value is _UNSET:
            return b""
        return json.dumps(self.value, separators=(",", ":"), ensure_ascii=False).encode()

    def data_as_json(self) -> Any:
        """Argo's ``renderEventDataAsJSON``: JSON as is, YAML converted, other content types refused."""
        if self.datacontenttype == JSON_TYPE:
            return self.data()
        if self.datacontenttype == YAML_TYPE:
            import yaml

            try:
                return yaml.safe_load(self.data_bytes())
            except yaml.YAMLError as exc:
                raise PayloadError(f"failed converting yaml event data to JSON: {exc}") from None
        raise PayloadError(f"unsupported event content type: {self.datacontenttype}")

    def context(self) -> dict[str, Any]:
        """Argo's ``EventContext`` as JSON (what ``contextKey`` paths address)."""
        return {
            "id": self.id,
            "source": self.source,
            "specversion": self.specversion,
            "type": self.type,
            "datacontenttype": self.datacontenttype,
            "subject": self.subject,
            "time": self.time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    def whole(self) -> dict[str, Any]:
        """``json.Marshal(event)`` as Argo does it: the context plus base64 of the data bytes."""
        return {"context": self.context(), "data": base64.b64encode(self.data_bytes()).decode()}

    def with_data(self, value: Any) -> Event:
        """A copy carrying a new JSON payload (after a transform)."""
        return replace(self, value=value, raw=None, datacontenttype=JSON_TYPE, _parsed=_UNSET)

    def to_cloudevent(self) -> CloudEvent:
        data: Any = self.raw if self.raw is not None else (None if self.value is _UNSET else self.value)
        return CloudEvent(
            id=self.id,
            source=self.source,
            type=self.type,
            subject=self.subject,
            time=self.time,
            data=data,
            datacontenttype=self.datacontenttype,
        )

    def describe(self) -> str:
        return f"ID '{self.id}', Source '{self.source}', Subject '{self.subject}'"
