from __future__ import annotations

import pytest

from pinnace.resources.cron import CronError, check_cron
from pinnace.resources.durations import DurationError, parse_duration, parse_go_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1h30m", 5400.0), ("1.5h", 5400.0), ("300ms", 0.3), ("-2s", -2.0), ("0", 0.0), ("2m3s", 123.0)],
)
def test_go_durations(text: str, seconds: float) -> None:
    assert parse_go_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "1x", "h", "1h 2m", "abc", "1.2.3s"])
def test_bad_go_durations(text: str) -> None:
    with pytest.raises(DurationError, match="invalid duration"):
        parse_go_duration(text)


def test_argo_duration_bare_number_is_seconds() -> None:
    assert parse_duration("30") == 30.0
    assert parse_duration(10) == 10.0
    assert parse_duration("1m") == 60.0


@pytest.mark.parametrize("expr", ["*/5 * * * *", "0 9 * * 1-5", "@daily", "@hourly", "@every 10s", "@every 1h30m"])
def test_valid_cron(expr: str) -> None:
    check_cron(expr)


@pytest.mark.parametrize(
    ("expr", "fragment"),
    [
        ("* * * *", "expected 5 fields, got 4"),
        ("61 * * * *", "invalid schedule"),
        ("@every", "@every needs"),
        ("@every soon", "invalid duration"),
        ("@every -1s", "takes a positive duration"),
    ],
)
def test_invalid_cron(expr: str, fragment: str) -> None:
    with pytest.raises(CronError, match=fragment):
        check_cron(expr)
