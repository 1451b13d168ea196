"""Schedules as robfig/cron reads them: fields, descriptors, @every, zones, never-firing dates."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from pinnace.resources.cron import CronError
from workflows.cron.schedule import last_missed, load_timezone, next_due, parse_schedule

UTC = dt.UTC
T0 = dt.datetime(2024, 1, 1, 0, 0, 30, tzinfo=UTC)  # a Monday


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("schedule", "after", "expected"),
    [
        ("* * * * *", "2024-01-01T00:00:30+00:00", "2024-01-01T00:01:00+00:00"),
        ("* * * * *", "2024-01-01T00:01:00+00:00", "2024-01-01T00:02:00+00:00"),  # strictly after
        ("*/15 * * * *", "2024-01-01T00:16:00+00:00", "2024-01-01T00:30:00+00:00"),
        ("0 2 * * *", "2024-01-01T03:00:00+00:00", "2024-01-02T02:00:00+00:00"),
        ("@hourly", "2024-01-01T00:00:30+00:00", "2024-01-01T01:00:00+00:00"),
        ("@daily", "2024-01-01T00:00:30+00:00", "2024-01-02T00:00:00+00:00"),
        ("@weekly", "2024-01-01T00:00:30+00:00", "2024-01-07T00:00:00+00:00"),  # Sunday
        ("0 9 * * MON-FRI", "2024-01-05T10:00:00+00:00", "2024-01-08T09:00:00+00:00"),
        ("*/3 * * * 1-5", "2024-01-06T00:00:00+00:00", "2024-01-08T00:00:00+00:00"),
    ],
)
def test_cron_next_after(schedule: str, after: str, expected: str) -> None:
    s = parse_schedule(schedule, UTC, T0)
    assert s.next_after(at(after)) == at(expected)


def test_timezone_moves_the_firing_and_follows_daylight_saving() -> None:
    la = load_timezone("America/Los_Angeles", UTC)
    s = parse_schedule("0 9 * * *", la, T0)
    assert s.next_after(at("2024-01-01T00:00:00+00:00")) == at("2024-01-01T17:00:00+00:00")  # PST
    assert s.next_after(at("2024-07-01T00:00:00+00:00")) == at("2024-07-01T16:00:00+00:00")  # PDT


def test_unknown_timezone_is_rejected_naming_it() -> None:
    with pytest.raises(CronError, match="invalid timezone 'Mars/Olympus'"):
        load_timezone("Mars/Olympus", UTC)
    assert load_timezone("", ZoneInfo("Europe/Paris")) == ZoneInfo("Europe/Paris")


def test_every_counts_whole_periods_from_the_anchor() -> None:
    s = parse_schedule("@every 90s", UTC, T0)
    assert s.next_after(T0) == T0 + dt.timedelta(seconds=90)
    assert s.next_after(T0 - dt.timedelta(hours=1)) == T0 + dt.timedelta(seconds=90)
    assert s.next_after(T0 + dt.timedelta(seconds=90)) == T0 + dt.timedelta(seconds=180)
    assert s.prev_before(T0 + dt.timedelta(seconds=90)) is None
    assert s.prev_before(T0 + dt.timedelta(seconds=200)) == T0 + dt.timedelta(seconds=180)


def test_every_rounds_to_whole_seconds_with_a_one_second_floor() -> None:
    assert parse_schedule("@every 100ms", UTC, T0).next_after(T0) == T0 + dt.timedelta(seconds=1)
    assert parse_schedule("@every 2.7s", UTC, T0).next_after(T0) == T0 + dt.timedelta(seconds=2)


@pytest.mark.parametrize("bad", ["* * * *", "61 * * * *", "@every", "@every -5s", "@fortnightly", ""])
def test_malformed_schedules_are_named_in_the_error(bad: str) -> None:
    with pytest.raises(CronError, match=r"cron schedule .* is malformed"):
        parse_schedule(bad, UTC, T0)


def test_a_date_that_never_comes_never_fires() -> None:
    s = parse_schedule("0 0 31 2 *", UTC, T0)
    assert s.next_after(T0) is None
    assert next_due([s], T0) is None


def test_next_due_is_the_earliest_of_several_schedules() -> None:
    a = parse_schedule("*/3 * * * *", UTC, T0)
    b = parse_schedule("*/2 * * * *", UTC, T0)
    assert next_due([a, b], at("2024-01-01T00:02:00+00:00")) == at("2024-01-01T00:03:00+00:00")
    assert next_due([a, b], at("2024-01-01T00:03:00+00:00")) == at("2024-01-01T00:04:00+00:00")


@pytest.mark.parametrize(
    ("since", "now", "expected"),
    [
        ("2024-01-01T00:01:00+00:00", "2024-01-01T00:01:59+00:00", None),  # nothing between
        ("2024-01-01T00:01:00+00:00", "2024-01-01T00:02:00+00:00", None),  # now itself is not missed
        ("2024-01-01T00:01:00+00:00", "2024-01-01T00:02:01+00:00", "2024-01-01T00:02:00+00:00"),
        ("2024-01-01T00:01:00+00:00", "2024-01-01T05:30:10+00:00", "2024-01-01T05:30:00+00:00"),  # latest only
        ("2023-01-01T00:00:00+00:00", "2024-01-01T00:00:00.500000+00:00", "2024-01-01T00:00:00+00:00"),
    ],
)
def test_last_missed_is_the_latest_firing_between_last_run_and_now(since: str, now: str, expected: str | None) -> None:
    s = parse_schedule("* * * * *", UTC, T0)
    assert last_missed(s, at(since), at(now)) == (at(expected) if expected else None)
