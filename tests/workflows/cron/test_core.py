"""The pure core, table-driven: a CronWorkflow, its status, its children and now → the decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from workflows.cron.core import (
    CronView,
    check,
    history_excess,
    missed_run,
    plan_tick,
    reconcile,
    record_submit_error,
    record_submitted,
)
from workflows.cron.status import (
    ANNOTATION_LAST_USED_SCHEDULE,
    ANNOTATION_SCHEDULED_TIME,
    LABEL_COMPLETED,
    LABEL_CRON_WORKFLOW,
)

UTC = dt.UTC
T = dt.datetime(2024, 1, 1, 12, 0, tzinfo=UTC)  # a scheduled minute
UID = "cron-uid"


def ts(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def cron(spec: dict[str, Any] | None = None, status: dict[str, Any] | None = None, *,
         labels: dict[str, str] | None = None, annotations: dict[str, str] | None = None,
         name: str = "hello") -> CronView:
    body: dict[str, Any] = {"schedules": ["* * * * *"],
                            "workflowSpec": {"entrypoint": "main", "templates": [{"name": "main"}]}}
    body.update(spec or {})
    obj = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "CronWorkflow",
        "metadata": {"name": name, "namespace": "argo", "uid": UID, "resourceVersion": "7",
                     "creationTimestamp": "2024-01-01T00:00:00Z",
                     "labels": labels or {}, "annotations": annotations or {}},
        "spec": body,
    }
    if status is not None:
        obj["status"] = status
    return CronView.of(obj)


def ref(name: str, uid: str | None = None) -> dict[str, Any]:
    return {"kind": "Workflow", "apiVersion": "argoproj.io/v1alpha1", "name": name, "namespace": "argo",
            "uid": uid or f"uid-{name}"}


def child(name: str, phase: str = "", finished: dt.datetime | None = None, *, owner: str = UID) -> dict[str, Any]:
    status: dict[str, Any] = {"phase": phase} if phase else {}
    if finished:
        status["finishedAt"] = ts(finished)
    return {"kind": "Workflow", "apiVersion": "argoproj.io/v1alpha1",
            "metadata": {"name": name, "namespace": "argo", "uid": f"uid-{name}",
                         "labels": {LABEL_CRON_WORKFLOW: "hello"},
                         "ownerReferences": [{"kind": "CronWorkflow", "uid": owner, "controller": True}]},
            "status": status}


# --- plan_tick: Argo's run() -------------------------------------------------------------------

def test_a_tick_submits_the_child_named_after_the_scheduled_second() -> None:
    view = cron({"workflowMetadata": {"labels": {"team": "a"}, "annotations": {"note": "x"}}},
                labels={"workflows.argoproj.io/creator": "alice", "unrelated": "no"})
    plan = plan_tick(view, T, T, UTC)
    assert plan.reason == "submit"
    assert plan.submit is not None
    meta = plan.submit["metadata"]
    assert meta["name"] == f"hello-{int(T.timestamp())}" == "hello-1704110400"
    assert meta["namespace"] == "argo"
    assert meta["labels"] == {LABEL_CRON_WORKFLOW: "hello", "team": "a", "workflows.argoproj.io/creator": "alice"}
    assert meta["annotations"] == {ANNOTATION_SCHEDULED_TIME: "2024-01-01T12:00:00Z", "note": "x"}
    assert meta["ownerReferences"] == [{"apiVersion": "argoproj.io/v1alpha1", "kind": "CronWorkflow",
                                        "name": "hello", "uid": UID, "controller": True,
                                        "blockOwnerDeletion": True}]
    assert plan.submit["spec"] == view.obj["spec"]["workflowSpec"]
    assert plan.annotations[ANNOTATION_LAST_USED_SCHEDULE] == "* * * * *"


def test_scheduled_time_annotation_is_written_in_the_schedule_zone() -> None:
    view = cron({"timezone": "America/Los_Angeles"})
    plan = plan_tick(view, T, T, UTC)
    assert plan.submit is not None
    assert plan.submit["metadata"]["annotations"][ANNOTATION_SCHEDULED_TIME] == "2024-01-01T04:00:00-08:00"
    assert plan.annotations[ANNOTATION_LAST_USED_SCHEDULE] == "CRON_TZ=America/Los_Angeles * * * * *"


@pytest.mark.parametrize(
    ("spec", "status", "reason", "terminate"),
    [
        ({"suspend": True}, {}, "suspended", []),
        ({}, {"phase": "Stopped"}, "stopped: the stop strategy's condition was met", []),
        ({"concurrencyPolicy": "Forbid"}, {"active": [ref("hello-1")]},
         "concurrencyPolicy Forbid and a workflow is active", []),
        ({"concurrencyPolicy": "Forbid"}, {"active": []}, "submit", []),
        ({"concurrencyPolicy": "Replace"}, {"active": [ref("hello-1"), ref("hello-2")]}, "submit",
         ["hello-1", "hello-2"]),
        ({"concurrencyPolicy": "Replace"}, {"active": [ref("hello-1704110400")]}, "submit", []),  # never its own
        ({"concurrencyPolicy": "Allow"}, {"active": [ref("hello-1")]}, "submit", []),
        ({}, {"active": [ref("hello-1")]}, "submit", []),  # Allow is the default
        ({"when": "{{= cronworkflow.lastScheduledTime == nil }}"}, {}, "submit", []),
        ({"when": "{{= cronworkflow.lastScheduledTime == nil }}"}, {"lastScheduledTime": "2024-01-01T11:00:00Z"},
         "when evaluated to false", []),
        ({"when": "{{= (now() - cronworkflow.lastScheduledTime).Seconds() > 360 }}"},
         {"lastScheduledTime": "2024-01-01T11:50:00Z"}, "submit", []),
        ({"when": "{{= (now() - cronworkflow.lastScheduledTime).Seconds() > 360 }}"},
         {"lastScheduledTime": "2024-01-01T11:59:00Z"}, "when evaluated to false", []),
        ({"when": "{{cronworkflow.name}} == hello"}, {}, "submit", []),
        ({"when": "false"}, {}, "when evaluated to false", []),
    ],
)
def test_runtime_policy(spec: dict[str, Any], status: dict[str, Any], reason: str, terminate: list[str]) -> None:
    plan = plan_tick(cron(spec, status), T, T, UTC)
    assert plan.reason == reason
    assert (plan.submit is not None) == (reason == "submit")
    assert plan.terminate == terminate


def test_a_tick_at_or_before_the_last_scheduled_time_is_a_noop() -> None:
    for last in (T, T + dt.timedelta(minutes=1)):
        plan = plan_tick(cron({}, {"lastScheduledTime": ts(last)}), T, T, UTC)
        assert plan.noop and plan.submit is None


def test_when_that_cannot_be_evaluated_is_a_submission_error_counted_as_failed() -> None:
    plan = plan_tick(cron({"when": "{{= nosuch.var > 1 }}"}, {"failed": 2}), T, T, UTC)
    assert plan.submit is None
    assert plan.status.failed == 3
    [cond] = plan.status.conditions
    assert cond["type"] == "SubmissionError" and cond["status"] == "True"
    assert cond["message"].startswith("run policy error:")


def test_stop_strategy_marks_the_cron_stopped_and_completed_before_running() -> None:
    view = cron({"stopStrategy": {"expression": "cronworkflow.failed >= 2"}}, {"failed": 2})
    plan = plan_tick(view, T, T, UTC)
    assert plan.submit is None
    assert plan.status.phase == "Stopped"
    assert plan.labels[LABEL_COMPLETED] == "true"


def test_stop_strategy_not_met_lets_the_tick_run() -> None:
    plan = plan_tick(cron({"stopStrategy": {"expression": "cronworkflow.failed >= 2"}}, {"failed": 1}), T, T, UTC)
    assert plan.submit is not None and LABEL_COMPLETED not in plan.labels


def test_stop_strategy_that_is_not_boolean_is_a_spec_error() -> None:
    plan = plan_tick(cron({"stopStrategy": {"expression": "cronworkflow.name"}}), T, T, UTC)
    assert plan.submit is None
    [cond] = plan.status.conditions
    assert cond["type"] == "SpecError"
    assert "stopping condition" in cond["message"] and "to bool" in cond["message"]


@pytest.mark.parametrize(
    ("spec", "name", "message"),
    [
        ({"schedules": ["bad"]}, "hello", "cron schedule bad is malformed"),
        ({"schedules": []}, "hello", "must have at least one schedule"),
        ({"timezone": "Nowhere/Land"}, "hello", "invalid timezone 'Nowhere/Land'"),
        ({"concurrencyPolicy": "Sometimes"}, "hello", "'Sometimes' is not a valid concurrencyPolicy"),
        ({"startingDeadlineSeconds": -1}, "hello", "startingDeadlineSeconds must be positive"),
        ({}, "x" * 53, "must not be more than 52 characters long (currently 53)"),
    ],
)
def test_invalid_specs_become_a_spec_error_condition(spec: dict[str, Any], name: str, message: str) -> None:
    plan = plan_tick(cron(spec, name=name), T, T, UTC)
    assert plan.submit is None
    [cond] = plan.status.conditions
    assert cond["type"] == "SpecError" and message in cond["message"]


def test_a_valid_tick_clears_an_old_spec_error() -> None:
    view = cron({}, {"conditions": [{"type": "SpecError", "status": "True", "message": "old"}]})
    assert plan_tick(view, T, T, UTC).status.conditions == []


def test_recording_a_submission_makes_it_active_and_clears_submission_errors() -> None:
    view = cron({}, {"failed": 1, "conditions": [{"type": "SubmissionError", "status": "True", "message": "x"}]})
    plan = plan_tick(view, T, T, UTC)
    created = child(plan.child_name)
    record_submitted(plan, created)
    assert plan.status.active == [ref(plan.child_name)]
    assert plan.status.last_scheduled == T
    assert plan.status.phase == "Active"
    assert plan.status.conditions == []
    assert plan.status.failed == 1


def test_an_already_finished_existing_child_is_recorded_but_not_active() -> None:
    plan = plan_tick(cron(), T, T, UTC)
    record_submitted(plan, child(plan.child_name, "Succeeded"))
    assert plan.status.active == [] and plan.status.last_scheduled == T


def test_a_failed_submission_counts_as_failed() -> None:
    plan = plan_tick(cron(), T, T, UTC)
    record_submit_error(plan, "Failed to submit Workflow: boom")
    assert plan.status.failed == 1
    assert plan.status.conditions == [{"type": "SubmissionError", "status": "True",
                                       "message": "Failed to submit Workflow: boom"}]


# --- missed_run: shouldOutstandingWorkflowsBeRun ------------------------------------------------

USED = {ANNOTATION_LAST_USED_SCHEDULE: "* * * * *"}


@pytest.mark.parametrize(
    ("deadline", "annotations", "last", "now", "expected"),
    [
        (None, USED, "2024-01-01T11:00:00Z", T + dt.timedelta(seconds=10), None),  # no deadline: never
        (0, USED, "2024-01-01T11:00:00Z", T + dt.timedelta(seconds=10), None),  # 0: never
        (60, USED, "2024-01-01T11:00:00Z", T + dt.timedelta(seconds=10), T),  # latest one, within 60 s
        (5, USED, "2024-01-01T11:00:00Z", T + dt.timedelta(seconds=10), None),  # too late
        (60, USED, None, T + dt.timedelta(seconds=10), None),  # never ran
        (60, {}, "2024-01-01T11:00:00Z", T + dt.timedelta(seconds=10), None),  # schedule just changed
        (60, {ANNOTATION_LAST_USED_SCHEDULE: "*/5 * * * *"}, "2024-01-01T11:00:00Z",
         T + dt.timedelta(seconds=10), None),
        (60, USED, "2024-01-01T12:00:00Z", T + dt.timedelta(seconds=10), None),  # ran it already
    ],
)
def test_missed_run(deadline: int | None, annotations: dict[str, str], last: str | None,
                    now: dt.datetime, expected: dt.datetime | None) -> None:
    spec: dict[str, Any] = {} if deadline is None else {"startingDeadlineSeconds": deadline}
    status = {"lastScheduledTime": last} if last else {}
    view = cron(spec, status, annotations=annotations)
    assert missed_run(view, check(view, UTC), now) == expected


# --- reconcile: reconcileActiveWfs + enforceHistoryLimit ----------------------------------------

def test_reconcile_counts_finished_children_and_tracks_running_ones() -> None:
    view = cron({}, {"active": [ref("a"), ref("b"), ref("c"), ref("gone")], "succeeded": 1, "failed": 0})
    children = [child("a", "Succeeded", T), child("b", "Failed", T), child("c", "Running"),
                child("d", "Error", T), child("e", "Pending")]
    result = reconcile(view, children, T)
    assert [r["name"] for r in result.status.active] == ["c", "e"]  # new unfinished child adopted
    assert result.status.succeeded == 2
    assert result.status.failed == 1  # d was never active, so it is not counted
    assert result.delete == ["d"]  # failed history limit 1: newest of b/d kept (same time: stable)


def test_reconcile_applies_the_stop_strategy_when_a_child_finishes() -> None:
    view = cron({"stopStrategy": {"expression": "cronworkflow.failed >= 1"}}, {"active": [ref("a")]})
    result = reconcile(view, [child("a", "Error", T)], T)
    assert result.status.failed == 1
    assert result.status.phase == "Stopped"
    assert result.labels[LABEL_COMPLETED] == "true"


def test_reconcile_ignores_children_of_another_owner_for_history() -> None:
    view = cron({"successfulJobsHistoryLimit": 0})
    mine = child("mine", "Succeeded", T)
    theirs = child("theirs", "Succeeded", T)
    theirs["metadata"]["labels"][LABEL_CRON_WORKFLOW] = "other"
    assert history_excess(view, [mine, theirs]) == ["mine"]


@pytest.mark.parametrize(
    ("spec", "ok", "bad", "expected"),
    [
        ({}, 5, 3, {"s0", "s1", "f0", "f1"}),  # defaults 3 and 1
        ({"successfulJobsHistoryLimit": 4, "failedJobsHistoryLimit": 4}, 5, 3, {"s0"}),
        ({"successfulJobsHistoryLimit": 0, "failedJobsHistoryLimit": 0}, 2, 1, {"s0", "s1", "f0"}),
        ({"successfulJobsHistoryLimit": -1}, 4, 0, {"s0"}),  # negative: default
    ],
)
def test_history_limits_delete_the_oldest(spec: dict[str, Any], ok: int, bad: int, expected: set[str]) -> None:
    children = [child(f"s{i}", "Succeeded", T + dt.timedelta(minutes=i)) for i in range(ok)]
    children += [child(f"f{i}", "Failed" if i % 2 else "Error", T + dt.timedelta(minutes=i)) for i in range(bad)]
    children.append(child("running", "Running"))
    assert set(history_excess(cron(spec), children)) == expected
