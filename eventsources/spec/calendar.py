"""The ``calendar`` event source: cron schedules and intervals (``CalendarEventSource``)."""

from __future__ import annotations

from datetime import datetime

from eventsources.spec.checks import check_go_duration, check_timezone
from eventsources.spec.common import AnyStr, EventsModel, EventSourceFilter
from eventsources.spec.types import register_source_type
from pinnace.resources.base import Problems, join_path
from pinnace.resources.cron import CronError, check_cron

_EXDATE_PREFIX = "EXDATE:"


def valid_exclusion_date(value: str) -> bool:
    """RFC 5545 EXDATE as Argo reads it (pkg/shared/util/recurrence.go): comma-separated UTC stamps."""
    if not value.startswith(_EXDATE_PREFIX):
        return False
    try:
        for stamp in value.removeprefix(_EXDATE_PREFIX).split(","):
            if len(stamp) != len("20060102T150405Z"):
                return False
            datetime.strptime(stamp, "%Y%m%dT%H%M%SZ")
    except ValueError:
        return False
    return True


class CatchupConfiguration(EventsModel):
    enabled: bool | None = None
    max_duration: str | None = None


class ConfigMapPersistence(EventsModel):
    name: str | None = None
    create_if_not_exist: bool | None = None


class EventPersistence(EventsModel):
    catchup: CatchupConfiguration | None = None
    config_map: ConfigMapPersistence | None = None


class CalendarEventSource(EventsModel):
    schedule: str = ""
    interval: str = ""
    exclusion_dates: list[str] | None = None
    timezone: str | None = None
    metadata: dict[str, AnyStr] | None = None
    persistence: EventPersistence | None = None
    filter: EventSourceFilter | None = None


def check_calendar(cal: CalendarEventSource, path: str, problems: Problems) -> None:
    if not cal.schedule and not cal.interval:
        problems.error(path, "a calendar event needs a schedule (cron such as '*/5 * * * *') or an interval ('10s')")
    if cal.schedule:
        try:
            check_cron(cal.schedule)
        except CronError as exc:
            problems.error(join_path(path, "schedule"), str(exc))
    check_go_duration(cal.interval, join_path(path, "interval"), problems, positive=True)
    check_timezone(cal.timezone, join_path(path, "timezone"), problems)
    for i, date in enumerate(cal.exclusion_dates or []):
        if not valid_exclusion_date(date):
            problems.error(
                join_path(path, "exclusionDates", i),
                f"exclusion date {date!r} must look like 'EXDATE:20190102T150405Z' (UTC, comma-separated)",
            )
    catchup = cal.persistence.catchup if cal.persistence else None
    if catchup is not None:
        check_go_duration(catchup.max_duration, join_path(path, "persistence", "catchup", "maxDuration"), problems)


def check_calendars(events: dict[str, CalendarEventSource], path: str, problems: Problems) -> None:
    for name, cal in events.items():
        check_calendar(cal, join_path(path, name), problems)


register_source_type("calendar", CalendarEventSource, check_calendars)
