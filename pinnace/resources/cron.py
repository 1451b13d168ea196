"""Cron schedule checks shared by CronWorkflow, the calendar source and ``conditionsReset``."""

from __future__ import annotations

from croniter import croniter

from pinnace.resources.durations import DurationError, parse_go_duration

_DESCRIPTORS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}


class CronError(ValueError):
    pass


def normalize_cron(expr: str) -> str:
    """Expand ``@daily``-style descriptors; ``@every`` is left for the caller."""
    return _DESCRIPTORS.get(expr.strip(), expr.strip())


def check_cron(expr: str) -> None:
    """Raise CronError unless ``expr`` is a 5-field cron, a descriptor or ``@every <duration>``."""
    text = expr.strip()
    if text.startswith("@every"):
        rest = text[len("@every") :].strip()
        if not rest:
            raise CronError(f"invalid schedule {expr!r}: @every needs a duration, e.g. '@every 10s'")
        try:
            if parse_go_duration(rest) <= 0:
                raise CronError(f"invalid schedule {expr!r}: @every takes a positive duration")
        except DurationError as exc:
            raise CronError(f"invalid schedule {expr!r}: {exc}") from None
        return
    normalized = normalize_cron(text)
    if len(normalized.split()) != 5:
        raise CronError(f"invalid schedule {expr!r}: expected 5 fields, got {len(normalized.split())}")
    if not croniter.is_valid(normalized):
        raise CronError(f"invalid schedule {expr!r}")
