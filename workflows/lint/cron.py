"""CronWorkflow-only fields: schedules, timezone, concurrencyPolicy (``validate.CronWorkflow``)."""

from __future__ import annotations

import zoneinfo

from pinnace.resources.base import Problems
from pinnace.resources.cron import CronError, check_cron
from workflows.spec.workflow import CronWorkflowSpec

CONCURRENCY_POLICIES = ("Allow", "Forbid", "Replace")


def check_cron_spec(spec: CronWorkflowSpec, problems: Problems) -> None:
    if not spec.schedules and not spec.schedule:
        problems.error("spec.schedules", "cron workflow must have at least one schedule")
    for i, text in enumerate(spec.schedules or []):
        _check_schedule(problems, f"spec.schedules[{i}]", text)
    if spec.schedule:
        _check_schedule(problems, "spec.schedule", spec.schedule)
    if spec.timezone and not _valid_timezone(spec.timezone):
        problems.error("spec.timezone", f"invalid timezone '{spec.timezone}': use an IANA name such as "
                       "'America/Los_Angeles' or 'UTC'")
    policy = spec.concurrency_policy
    if policy and policy not in CONCURRENCY_POLICIES:
        problems.error("spec.concurrencyPolicy", f"'{policy}' is not a valid concurrencyPolicy; "
                       f"use one of {', '.join(CONCURRENCY_POLICIES)}")
    if spec.starting_deadline_seconds is not None and spec.starting_deadline_seconds < 0:
        problems.error("spec.startingDeadlineSeconds", "startingDeadlineSeconds must be positive")


def _check_schedule(problems: Problems, path: str, text: str) -> None:
    try:
        check_cron(text)
    except CronError as exc:
        reason = str(exc).removeprefix(f"invalid schedule {text!r}").lstrip(": ")
        problems.error(path, f"cron schedule '{text}' is malformed" + (f": {reason}" if reason else ""))


def _valid_timezone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True
