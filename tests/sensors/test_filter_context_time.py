"""filters.context and filters.time; cases from Argo's filter_ctx_test.go and filter_time_test.go."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sensors.filters.context import ContextFilter
from sensors.filters.time import TimeFilter
from sensors.testing import event


@pytest.mark.parametrize(
    ("name", "wanted", "expected"),
    [
        ("different event contexts", {"type": "webhook"}, False),
        ("contexts are same", {"type": "calendar", "source": "calendar-gateway"}, True),
        ("subject differs", {"subject": "example-2"}, False),
        ("datacontenttype matches", {"datacontenttype": "application/json"}, True),
        ("empty expectation matches anything", {}, True),
    ],
)
def test_context_filter(name: str, wanted: dict[str, str], expected: bool) -> None:
    ev = event({"k": "v"}, type="calendar", source="calendar-gateway", subject="example-1")
    assert ContextFilter.from_wire(wanted).evaluate(ev).passed is expected


def test_context_filter_without_event_fails() -> None:
    assert ContextFilter.from_wire({}).evaluate(None).passed is False


TODAY = datetime.now(UTC).date()
TIMES = [datetime(TODAY.year, TODAY.month, TODAY.day, h, m, s, tzinfo=UTC)
         for h, m, s in ((0, 0, 0), (4, 5, 6), (8, 9, 10), (12, 13, 14), (16, 17, 18), (20, 21, 22))]
T1, T2 = TIMES[2].strftime("%H:%M:%S"), TIMES[4].strftime("%H:%M:%S")


@pytest.mark.parametrize(
    ("name", "start", "stop", "results"),
    [
        ("start less than stop", T1, T2, [False, False, True, True, False, False]),
        ("stop less than start", T2, T1, [True, True, False, False, True, True]),
    ],
)
def test_time_window(name: str, start: str, stop: str, results: list[bool]) -> None:
    flt = TimeFilter(start, stop)
    assert [flt.evaluate_at(t).passed for t in TIMES] == results


@pytest.mark.parametrize(
    ("when", "start", "stop", "zone", "expected"),
    [
        (datetime(2024, 7, 15, 10, 0, tzinfo=UTC), "09:00:00", "17:00:00", "", True),
        (datetime(2024, 7, 15, 14, 0, tzinfo=UTC), "09:00:00", "17:00:00", "America/New_York", True),
        (datetime(2024, 7, 15, 12, 0, tzinfo=UTC), "09:00:00", "17:00:00", "America/New_York", False),
        (datetime(2024, 7, 15, 22, 0, tzinfo=UTC), "09:00:00", "17:00:00", "America/New_York", False),
        (datetime(2024, 7, 15, 10, 0, tzinfo=UTC), "10:00:00", "18:00:00", "Europe/London", True),
        (datetime(2024, 7, 15, 1, 0, tzinfo=UTC), "09:00:00", "17:00:00", "Asia/Tokyo", True),
        (datetime(2024, 7, 15, 2, 0, tzinfo=UTC), "22:00:00", "06:00:00", "America/New_York", True),
        (datetime(2024, 1, 15, 15, 0, tzinfo=UTC), "09:00:00", "17:00:00", "America/New_York", True),
    ],
)
def test_time_window_with_timezone(when: datetime, start: str, stop: str, zone: str, expected: bool) -> None:
    outcome = TimeFilter(start, stop, zone).evaluate_at(when)
    assert outcome.error is None
    assert outcome.passed is expected


def test_invalid_timezone_is_an_error() -> None:
    outcome = TimeFilter("09:00:00", "17:00:00", "Invalid/Timezone").evaluate_at(datetime(2024, 7, 15, tzinfo=UTC))
    assert outcome.passed is False
    assert outcome.error is not None and "invalid timezone" in outcome.error


def test_malformed_clock_is_an_error() -> None:
    outcome = TimeFilter("09:09:0", "19:19:19").evaluate(event({"k": "v"}))
    assert outcome.passed is False and outcome.error is not None and "time filter error" in outcome.error
