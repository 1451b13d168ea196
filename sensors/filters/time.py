"""``filters.time``: the event time must fall in [start, stop) of its day (Argo's ``filterTime``).

When stop is before start the window wraps over midnight. Times are ``HH:MM:SS`` in ``timezone``
(UTC when unset), taken on the event's date in that zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sensors.event import Event
from sensors.filters.base import Outcome, single_error

FAMILY = "time"


def _parse_clock(text: str) -> time:
    parts = text.split(":")
    if len(parts) != 3 or not all(len(p) == 2 and p.isdigit() for p in parts):
        raise ValueError(f'parsing time "{text}": expected HH:MM:SS (e.g. "09:30:00")')
    hour, minute, second = (int(p) for p in parts)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f'parsing time "{text}": hour, minute or second out of range')
    return time(hour, minute, second)


@dataclass
class TimeFilter:
    start: str
    stop: str
    timezone: str = ""

    @classmethod
    def from_wire(cls, item: dict[str, Any]) -> TimeFilter:
        return cls(str(item.get("start", "")), str(item.get("stop", "")), str(item.get("timezone") or ""))

    def _zone(self) -> tzinfo:
        if not self.timezone:
            return UTC
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"invalid timezone '{self.timezone}': unknown time zone {self.timezone}") from None

    def evaluate(self, event: Event | None) -> Outcome:
        if event is None:
            return single_error(FAMILY, "nil event")
        return self.evaluate_at(event.time)

    def evaluate_at(self, when: datetime) -> Outcome:
        try:
            zone = self._zone()
            day = when.astimezone(zone).date()
            start = datetime.combine(day, _parse_clock(self.start), zone)
            stop = datetime.combine(day, _parse_clock(self.stop), zone)
        except ValueError as exc:
            return single_error(FAMILY, str(exc))
        if start < stop:
            return Outcome(start <= when < stop)
        return Outcome(when >= start or when < stop)
