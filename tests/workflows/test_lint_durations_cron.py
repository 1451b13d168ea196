"""Durations (suspend, backoff, timeouts) and CronWorkflow schedules, timezone, concurrencyPolicy."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from pinnace.resources import validate


def check(text: str) -> list[tuple[str, str]]:
    return [(p.path, p.message) for p in validate.validate_object(yaml.safe_load(textwrap.dedent(text)))[1]]


DOC = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: durations}
spec:
  entrypoint: main
  templates:
  - name: main
    %s
"""
HINT = "write a number with a unit such as '30s', '5m' or '1h30m'"
SECONDS = f"{HINT}, or a number of seconds"


@pytest.mark.parametrize("value", ["20", "1m30s", "20s", "'{{inputs.parameters.wait}}'", "0.5h"])
def test_suspend_duration_that_parses(value: str) -> None:
    assert check(DOC % f"suspend: {{duration: {value}}}") == []


def test_suspend_duration_that_does_not_parse() -> None:
    assert check(DOC % "suspend: {duration: 2 minutes}") == [
        ("spec.templates[0].suspend.duration", f"invalid duration '2 minutes': {HINT}, or a number of seconds")
    ]


def test_backoff_durations() -> None:
    ok = (
        "container: {image: busybox}\n"
        "    retryStrategy: {limit: 3, backoff: {duration: 1, factor: 2, maxDuration: 1m}}"
    )
    assert check(DOC % ok) == []
    bad = ok.replace("duration: 1,", "duration: 1 sec,").replace("maxDuration: 1m", "maxDuration: soon")
    assert check(DOC % bad) == [
        ("spec.templates[0].retryStrategy.backoff.duration", f"invalid duration '1 sec': {SECONDS}"),
        ("spec.templates[0].retryStrategy.backoff.maxDuration", f"invalid duration 'soon': {SECONDS}"),
    ]


def test_workflow_level_backoff() -> None:
    doc = DOC % "suspend: {}"
    doc = doc.replace("  entrypoint: main", "  entrypoint: main\n  retryStrategy: {backoff: {cap: 5x}}")
    assert check(doc) == [("spec.retryStrategy.backoff.cap", f"invalid duration '5x': {HINT}, or a number of seconds")]


def test_template_timeout_needs_a_unit() -> None:
    assert check(DOC % "container: {image: busybox}\n    timeout: 30s") == []
    assert check(DOC % "container: {image: busybox}\n    timeout: '{{inputs.parameters.t}}'") == []
    assert check(DOC % "container: {image: busybox}\n    timeout: 30") == [
        ("spec.templates[0].timeout", f"invalid duration format in timeout: '30' ({HINT})")
    ]


CRON = """
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata: {name: hello-cron}
spec:
  %s
  workflowSpec:
    entrypoint: main
    templates: [{name: main, container: {image: busybox}}]
"""


def test_valid_cron_workflow() -> None:
    spec = 'schedules: ["*/5 * * * *", "@daily"]\n  timezone: America/Los_Angeles\n  concurrencyPolicy: Replace'
    assert check(CRON % spec) == []
    assert check(CRON % 'schedule: "@every 1h"') == []


def test_schedules_that_do_not_parse() -> None:
    assert check(CRON % 'schedules: ["* * *", "61 * * * *"]') == [
        ("spec.schedules[0]", "cron schedule '* * *' is malformed: expected 5 fields, got 3"),
        ("spec.schedules[1]", "cron schedule '61 * * * *' is malformed"),
    ]
    assert check(CRON % 'schedule: "@often"') == [
        ("spec.schedule", "cron schedule '@often' is malformed: expected 5 fields, got 1")
    ]


def test_cron_needs_a_schedule() -> None:
    assert check(CRON % "suspend: false") == [("spec.schedules", "cron workflow must have at least one schedule")]


def test_timezone_and_concurrency_policy() -> None:
    assert check(CRON % 'schedules: ["0 * * * *"]\n  timezone: Mars/Olympus') == [
        ("spec.timezone", "invalid timezone 'Mars/Olympus': use an IANA name such as 'America/Los_Angeles' or 'UTC'")
    ]
    assert check(CRON % 'schedules: ["0 * * * *"]\n  concurrencyPolicy: Queue') == [
        ("spec.concurrencyPolicy", "'Queue' is not a valid concurrencyPolicy; use one of Allow, Forbid, Replace")
    ]
    assert check(CRON % 'schedules: ["0 * * * *"]\n  startingDeadlineSeconds: -1') == [
        ("spec.startingDeadlineSeconds", "startingDeadlineSeconds must be positive")
    ]


def test_workflow_spec_of_a_cron_is_checked_on_its_own_path() -> None:
    doc = (CRON % 'schedules: ["0 * * * *"]').replace("entrypoint: main", "entrypoint: other")
    assert check(doc) == [("spec.workflowSpec.entrypoint", "template 'other' is not defined")]
