"""Calendar schedules as Argo computes them: next tick strictly after a time, exclusion dates skipped.

* ``interval`` and ``@every <d>`` follow robfig/cron's ConstantDelaySchedule: the previous time
  rounded down to the second plus the delay.
* 5-field cron and ``@daily``-style descriptors follow robfig/cron's SpecSchedule: the first
  matching minute strictly after the given time, evaluated in the schedule's timezone.
* ``exclusionDates`` are RFC 5545 ``EXDATE:20060102T150405Z[,...]`` values; a tick whose
  calendar day (in the schedule's timezone) equals an excluded date's day is skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from pinnace.resources.cron import CronError, check_cron, normalize_cron
from pinnace.resources.durations import DurationError, parse_go_duration

_EXDATE_PREFIX = "EXDATE:"
# Guards the skip loop: a schedule whose every tick is excluded must not spin forever.
_MAX_SKIPS = 10_000


class ScheduleError(ValueError):
    """``field`` is the spec field (``schedule``, ``interval``, ``timezone``, ``exclusionDates``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def parse_exclusion_dates(values: Sequence[str]) -> list[datetime]:
    out: list[datetime] = []
    for value in values:
        if not value.startswith(_EXDATE_PREFIX):
            continue  # Argo ignores entries without the EXDATE: prefix
        for part in value[len(_EXDATE_PREFIX) :].split(","):
            try:
                out.append(datetime.strptime(part.strip(), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC))
            except ValueError:
                raise ScheduleError("exclusionDates", f"{part!r} is not a date like EXDATE:20060102T150405Z") from None
    return out


def load_timezone(name: str | None) -> tzinfo:
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError("timezone", f"unknown timezone {name!r} (use an IANA name such as Europe/Paris)") from None


def _delay(text: str, field: str) -> timedelta:
    try:
        seconds = parse_go_duration(text)
    except DurationError as exc:
        raise ScheduleError(field, str(exc)) from None
    if seconds <= 0:
        raise ScheduleError(field, f"{text!r} must be a positive duration")
    return timedelta(seconds=seconds)


@dataclass(frozen=True)
class Schedule:
    cron: str | None
    delay: timedelta | None
    tz: tzinfo
    excluded: tuple[datetime, ...] = ()

    @classmethod
    def from_spec(
        cls,
        schedule: str | None,
        interval: str | None,
        timezone: str | None = None,
        exclusion_dates: Sequence[str] = (),
    ) -> Schedule:
        tz = load_timezone(timezone)
        excluded = tuple(parse_exclusion_dates(exclusion_dates))
        if schedule:
            text = schedule.strip()
            if text.startswith("@every"):
                return cls(None, _delay(text[len("@every") :].strip(), "schedule"), tz, excluded)
            try:
                check_cron(text)
            except CronError as exc:
                raise ScheduleError("schedule", str(exc)) from None
            return cls(normalize_cron(text), None, tz, excluded)
        if interval:
            return cls(None, _delay(interval, "interval"), tz, excluded)
        raise ScheduleError("schedule", "a calendar event needs either schedule or interval")

    def _raw_next(self, after: datetime) -> datetime:
        local = after.astimezone(self.tz)
        if self.delay is not None:
            return local.replace(microsecond=0) + self.delay
        assert self.cron is not None
        nxt: datetime = croniter(self.cron, local.replace(microsecond=0)).get_next(datetime)
        return nxt if nxt > local else croniter(self.cron, nxt).get_next(datetime)

    def _excluded(self, t: datetime) -> bool:
        local = t.astimezone(self.tz)
        return any((d.year, d.month, d.day) == (local.year, local.month, local.day) for d in self.excluded)

    def next_after(self, after: datetime) -> datetime:
        """The first tick strictly after ``after``, in the schedule's timezone."""
        t = self._raw_next(after)
        for _ in range(_MAX_SKIPS):
            if not self._excluded(t):
                return t
            t = self._raw_next(t)
        raise ScheduleError("exclusionDates", "every upcoming tick is excluded")


def go_time_string(t: datetime) -> str:
    """Go's ``time.Time.String()``: ``2006-01-02 15:04:05.999999999 -0700 MST``."""
    frac = f".{t.microsecond:06d}".rstrip("0") if t.microsecond else ""
    zone = t.tzname() or "UTC"
    offset = t.strftime("%z") or "+0000"
    return f"{t.strftime('%Y-%m-%d %H:%M:%S')}{frac} {offset} {zone}"
