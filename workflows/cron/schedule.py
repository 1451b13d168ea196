"""Schedules as robfig/cron (Argo's cron library) reads them: 5 fields, descriptors, ``@every``.

Every instant here is timezone-aware; results are UTC with whole seconds. A cron schedule is
evaluated in the CronWorkflow's ``timezone`` (``CRON_TZ`` in Argo). ``@every`` is a constant
period; robfig counts it from when the controller registered the entry, which a restart or a
second replica would not agree on, so it counts from the CronWorkflow's creation instead — the
same grid on every controller, hence the same child names.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterBadDateError, croniter

from pinnace.resources.cron import CronError, check_cron, normalize_cron
from pinnace.resources.durations import parse_go_duration

UTC = dt.UTC


class Schedule(Protocol):
    @property
    def text(self) -> str: ...

    def next_after(self, t: dt.datetime) -> dt.datetime | None:
        """The first firing strictly after ``t``; None when the schedule never fires again."""
        ...

    def prev_before(self, t: dt.datetime) -> dt.datetime | None:
        """The last firing strictly before ``t``; None when there is none."""
        ...


@dataclass(frozen=True)
class CronSchedule:
    text: str
    expr: str
    tz: dt.tzinfo

    def next_after(self, t: dt.datetime) -> dt.datetime | None:
        try:
            nxt = croniter(self.expr, t.astimezone(self.tz)).get_next(dt.datetime)
        except CroniterBadDateError:
            return None  # e.g. "0 0 31 2 *": robfig gives the zero time and never runs it
        assert isinstance(nxt, dt.datetime)
        return nxt.astimezone(UTC).replace(microsecond=0)

    def prev_before(self, t: dt.datetime) -> dt.datetime | None:
        local = t.astimezone(self.tz)
        if local.microsecond:
            # croniter would return the firing at the truncated second itself, which is before t.
            local = local.replace(microsecond=0) + dt.timedelta(seconds=1)
        try:
            prev = croniter(self.expr, local).get_prev(dt.datetime)
        except CroniterBadDateError:
            return None
        assert isinstance(prev, dt.datetime)
        return prev.astimezone(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class EverySchedule:
    text: str
    period: dt.timedelta
    anchor: dt.datetime

    # Firings are anchor + k * period for k >= 1, as robfig's first run is one period after adding.
    def next_after(self, t: dt.datetime) -> dt.datetime | None:
        steps = max(1, math.floor((t - self.anchor) / self.period) + 1)
        return self.anchor + steps * self.period

    def prev_before(self, t: dt.datetime) -> dt.datetime | None:
        steps = math.ceil((t - self.anchor) / self.period) - 1
        return self.anchor + steps * self.period if steps >= 1 else None


def local_timezone() -> dt.tzinfo:
    """The controller's zone, Argo's default when a CronWorkflow names none."""
    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    localtime = Path("/etc/localtime")
    if localtime.exists():
        with localtime.open("rb") as fh:
            return ZoneInfo.from_file(fh, key="localtime")
    return UTC


def load_timezone(name: str | None, default: dt.tzinfo) -> dt.tzinfo:
    if not name:
        return default
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CronError(f"invalid timezone {name!r}: unknown time zone {name} ({exc.__class__.__name__})") from None


def parse_schedule(text: str, tz: dt.tzinfo, anchor: dt.datetime) -> Schedule:
    """Raise CronError in Argo's words (``cron schedule X is malformed: …``) when unparsable."""
    try:
        check_cron(text)
    except CronError as exc:
        raise CronError(f"cron schedule {text} is malformed: {exc}") from None
    stripped = text.strip()
    if stripped.startswith("@every"):
        seconds = parse_go_duration(stripped[len("@every") :].strip())
        # robfig: at least one second, and whole seconds only.
        period = dt.timedelta(seconds=max(1, math.floor(seconds)))
        return EverySchedule(text, period, anchor.astimezone(UTC).replace(microsecond=0))
    return CronSchedule(text, normalize_cron(stripped), tz)


def next_due(schedules: list[Schedule], after: dt.datetime) -> dt.datetime | None:
    """The earliest firing of any schedule strictly after ``after``."""
    times = [t for s in schedules if (t := s.next_after(after)) is not None]
    return min(times) if times else None


def last_missed(schedule: Schedule, since: dt.datetime, now: dt.datetime) -> dt.datetime | None:
    """The latest firing in (since, now): where Argo's loop over ``Next`` from ``since`` ends."""
    prev = schedule.prev_before(now)
    return prev if prev is not None and prev > since else None
