"""``filters.context``: exact match on CloudEvent attributes that the filter sets (Argo's ``filterContext``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sensors.event import Event
from sensors.filters.base import FAIL, PASS, Outcome


@dataclass(frozen=True)
class ContextFilter:
    type: str = ""
    subject: str = ""
    source: str = ""
    datacontenttype: str = ""

    @classmethod
    def from_wire(cls, item: dict[str, Any]) -> ContextFilter:
        return cls(
            type=str(item.get("type") or ""),
            subject=str(item.get("subject") or ""),
            source=str(item.get("source") or ""),
            datacontenttype=str(item.get("datacontenttype") or item.get("dataContentType") or ""),
        )

    def evaluate(self, event: Event | None) -> Outcome:
        if event is None:
            return FAIL
        for wanted, actual in (
            (self.type, event.type),
            (self.subject, event.subject),
            (self.source, event.source),
            (self.datacontenttype, event.datacontenttype),
        ):
            if wanted and wanted != actual:
                return FAIL
        return PASS
