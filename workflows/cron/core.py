"""The pure scheduling core: a CronWorkflow, its children and the time → what to do.

Mirrors Argo's ``workflow/cron/operator.go``: ``plan_tick`` is ``run`` (stop strategy, suspend,
``when``, concurrency policy, then submit), ``missed_run`` is ``shouldOutstandingWorkflowsBeRun``,
``reconcile`` is ``reconcileActiveWfs`` and ``history_excess`` is ``enforceHistoryLimit``. Nothing
here does I/O or reads a clock; the controller feeds ``now`` in and carries the plans out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from pinnace.resources.client import Obj
from pinnace.resources.cron import CronError
from workflows.cron.child import build_child, child_name
from workflows.cron.predicates import cron_variables, should_stop, when_allows
from workflows.cron.schedule import Schedule, last_missed, load_timezone, parse_schedule
from workflows.cron.status import (
    ACTIVE,
    ANNOTATION_LAST_USED_SCHEDULE,
    LABEL_COMPLETED,
    LABEL_CRON_WORKFLOW,
    SPEC_ERROR,
    STOPPED,
    SUBMISSION_ERROR,
    CronStatus,
    controller_uid,
    is_fulfilled,
    name_of,
    object_reference,
    parse_time,
    uid_of,
    workflow_phase,
)
from workflows.spec.workflow import CronWorkflowSpec

MAX_NAME = 52  # the child name appends "-<10 digits>" and must stay within 63 characters
POLICIES = ("", "Allow", "Forbid", "Replace")


@dataclass(frozen=True)
class CronView:
    """One CronWorkflow as read from the API, with its spec parsed and its status decoded."""

    obj: Obj
    name: str
    namespace: str
    uid: str
    labels: dict[str, str]
    annotations: dict[str, str]
    spec: CronWorkflowSpec | None
    spec_problem: str | None
    status: CronStatus
    created: dt.datetime

    @classmethod
    def of(cls, obj: Obj) -> CronView:
        meta = obj.get("metadata") or {}
        spec: CronWorkflowSpec | None = None
        problem: str | None = None
        try:
            spec = CronWorkflowSpec.model_validate(obj.get("spec") or {})
        except ValidationError as exc:
            problem = f"invalid spec: {exc.errors()[0].get('msg')} at spec.{'.'.join(map(str, exc.errors()[0]['loc']))}"
        created = parse_time(meta.get("creationTimestamp")) or dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        return cls(obj, str(meta.get("name") or ""), str(meta.get("namespace") or ""), str(meta.get("uid") or ""),
                   dict(meta.get("labels") or {}), dict(meta.get("annotations") or {}), spec, problem,
                   CronStatus.from_wire(obj.get("status")), created)

    @property
    def completed(self) -> bool:
        return self.labels.get(LABEL_COMPLETED) == "true"

    def variables(self, status: CronStatus | None = None) -> dict[str, Any]:
        s = status or self.status
        return cron_variables(self.name, self.namespace, self.labels, self.annotations,
                              s.succeeded, s.failed, s.last_scheduled)


@dataclass(frozen=True)
class Plan:
    """A checked spec: its parsed schedules and the zone they run in."""

    schedules: list[Schedule]
    tz: dt.tzinfo
    signature: str


def schedule_signature(spec: CronWorkflowSpec) -> str:
    """Argo's ``last-used-schedule`` annotation value: the schedules with ``CRON_TZ=`` prefixes."""
    prefix = f"CRON_TZ={spec.timezone} " if spec.timezone else ""
    return ",".join(prefix + s for s in spec.all_schedules())


def check(view: CronView, default_tz: dt.tzinfo) -> Plan:
    """Argo ``validate.CronWorkflow`` for the cron part; raise CronError with its message."""
    if view.spec is None:
        raise CronError(view.spec_problem or "invalid spec")
    spec = view.spec
    if len(view.name) > MAX_NAME:
        raise CronError(f"cron workflow name {view.name!r} must not be more than {MAX_NAME} characters long "
                        f"(currently {len(view.name)})")
    texts = spec.all_schedules()
    if not texts:
        raise CronError("cron workflow must have at least one schedule")
    tz = load_timezone(spec.timezone, default_tz)
    schedules = [parse_schedule(t, tz, view.created) for t in texts]
    if (spec.concurrency_policy or "") not in POLICIES:
        raise CronError(f"'{spec.concurrency_policy}' is not a valid concurrencyPolicy")
    if spec.starting_deadline_seconds is not None and spec.starting_deadline_seconds < 0:
        raise CronError("startingDeadlineSeconds must be positive")
    return Plan(schedules, tz, schedule_signature(spec))


def missed_run(view: CronView, plan: Plan, now: dt.datetime) -> dt.datetime | None:
    """The one missed tick still worth running: the latest one, if within startingDeadlineSeconds.

    Nothing is missed right after the schedule changed (the ``last-used-schedule`` annotation
    differs), before the first run, or without a positive ``startingDeadlineSeconds``.
    """
    assert view.spec is not None
    deadline = view.spec.starting_deadline_seconds
    last = view.status.last_scheduled
    if view.annotations.get(ANNOTATION_LAST_USED_SCHEDULE) != plan.signature or last is None or deadline is None:
        return None
    for schedule in plan.schedules:
        missed = last_missed(schedule, last, now)
        if missed is not None and now < missed + dt.timedelta(seconds=deadline):
            return missed
    return None


@dataclass
class TickPlan:
    scheduled: dt.datetime
    status: CronStatus
    labels: dict[str, str]
    annotations: dict[str, str]
    reason: str
    submit: Obj | None = None
    terminate: list[str] = field(default_factory=list)
    noop: bool = False

    @property
    def child_name(self) -> str:
        return name_of(self.submit) if self.submit else ""


def plan_tick(view: CronView, scheduled: dt.datetime, now: dt.datetime, default_tz: dt.tzinfo) -> TickPlan:
    """What the tick for ``scheduled`` does, given the freshest CronWorkflow."""
    status = view.status.copy()
    plan = TickPlan(scheduled, status, dict(view.labels), dict(view.annotations), "")
    last = status.last_scheduled
    if last is not None and last >= scheduled:
        # Another controller (or this one before a restart) already ran this tick.
        plan.noop, plan.reason = True, f"tick {scheduled.isoformat()} already scheduled"
        return plan
    try:
        checked = check(view, default_tz)
    except CronError as exc:
        status.upsert_condition(SPEC_ERROR, str(exc))
        plan.reason = f"invalid spec: {exc}"
        return plan
    status.remove_condition(SPEC_ERROR)
    plan.annotations[ANNOTATION_LAST_USED_SCHEDULE] = checked.signature
    assert view.spec is not None
    stop = _stop_condition(view, status, now)
    if isinstance(stop, str):
        status.upsert_condition(SPEC_ERROR, f"failed to check CronWorkflow '{view.name}' stopping condition: {stop}")
        plan.reason = stop
        return plan
    if stop:
        _set_completed(status, plan.labels)
    skip = _runtime_policy(view, plan, now)
    if skip:
        plan.reason = skip
        return plan
    plan.submit = build_child(view.obj, scheduled, checked.tz)
    plan.reason = "submit"
    return plan


def _runtime_policy(view: CronView, plan: TickPlan, now: dt.datetime) -> str:
    """Argo ``enforceRuntimePolicy``: the reason to skip this tick, or "" to go on."""
    assert view.spec is not None
    status = plan.status
    if view.spec.suspend:
        return "suspended"
    if status.phase == STOPPED:
        return "stopped: the stop strategy's condition was met"
    try:
        allowed = when_allows(view.spec.when, view.variables(status), now)
    except Exception as exc:  # any evaluation failure is a run-policy error in Argo
        status.upsert_condition(SUBMISSION_ERROR, f"run policy error: {exc}")
        status.failed += 1
        return f"run policy error: {exc}"
    if not allowed:
        return "when evaluated to false"
    policy = view.spec.concurrency_policy or "Allow"
    if status.active and policy == "Forbid":
        return "concurrencyPolicy Forbid and a workflow is active"
    if status.active and policy == "Replace":
        own = child_name(view.name, plan.scheduled)
        plan.terminate = [str(r.get("name")) for r in status.active if r.get("name") and r.get("name") != own]
    return ""


def _stop_condition(view: CronView, status: CronStatus, now: dt.datetime) -> bool | str:
    """True/False, or the error text when the expression fails."""
    if view.spec is None or view.spec.stop_strategy is None:
        return False
    try:
        return should_stop(view.spec.stop_strategy.expression, view.variables(status), now)
    except Exception as exc:
        return str(exc)


def _set_completed(status: CronStatus, labels: dict[str, str]) -> None:
    status.phase = STOPPED
    labels[LABEL_COMPLETED] = "true"


def record_submitted(plan: TickPlan, child: Obj) -> None:
    """A child was created (or already existed, unfinished): it is active and the tick is done."""
    status = plan.status
    if uid_of(child) not in status.active_uids() and not is_fulfilled(child):
        status.active.append(object_reference(child))
    if status.phase != STOPPED:
        status.phase = ACTIVE
    if status.last_scheduled is None or status.last_scheduled < plan.scheduled:
        status.last_scheduled = plan.scheduled
    status.remove_condition(SUBMISSION_ERROR)


def record_submit_error(plan: TickPlan, message: str) -> None:
    plan.status.upsert_condition(SUBMISSION_ERROR, message)
    plan.status.failed += 1


@dataclass
class Reconciled:
    status: CronStatus
    labels: dict[str, str]
    delete: list[str]


def children_of(view: CronView, workflows: list[Obj]) -> list[Obj]:
    """The Workflows this CronWorkflow controls (its UID in a controller ownerReference)."""
    return [wf for wf in workflows if controller_uid(wf) == view.uid]


def reconcile(view: CronView, children: list[Obj], now: dt.datetime) -> Reconciled:
    """Track unfinished children as active; count and drop finished or deleted ones; trim history.

    ``children`` must have been read after ``view``: adding a child to ``active`` from an older
    read could re-add one another controller already counted.
    """
    status = view.status.copy()
    labels = dict(view.labels)
    by_uid = {uid_of(wf): wf for wf in children}
    for wf in children:
        if uid_of(wf) not in status.active_uids() and not is_fulfilled(wf):
            status.active.append(object_reference(wf))
    keep: list[Obj] = []
    for ref in status.active:
        child = by_uid.get(str(ref.get("uid")))
        if child is not None and not is_fulfilled(child):
            keep.append(ref)
            continue
        if child is not None:
            _count(status, workflow_phase(child))
            stop = _stop_condition(view, status, now)
            if isinstance(stop, str):
                status.upsert_condition(SPEC_ERROR,
                                        f"failed to check CronWorkflow '{view.name}' stopping condition: {stop}")
            elif stop:
                _set_completed(status, labels)
    status.active = keep
    return Reconciled(status, labels, history_excess(view, children))


def _count(status: CronStatus, phase: str) -> None:
    if phase in ("Failed", "Error"):
        status.failed += 1
    elif phase == "Succeeded":
        status.succeeded += 1


def history_excess(view: CronView, children: list[Obj]) -> list[str]:
    """Finished children beyond ``successfulJobsHistoryLimit`` (3) / ``failedJobsHistoryLimit`` (1)."""
    spec = view.spec
    ok_limit = 3 if spec is None or spec.successful_jobs_history_limit is None or \
        spec.successful_jobs_history_limit < 0 else spec.successful_jobs_history_limit
    bad_limit = 1 if spec is None or spec.failed_jobs_history_limit is None or \
        spec.failed_jobs_history_limit < 0 else spec.failed_jobs_history_limit
    mine = [wf for wf in children
            if (wf.get("metadata") or {}).get("labels", {}).get(LABEL_CRON_WORKFLOW) == view.name and is_fulfilled(wf)]
    succeeded = [wf for wf in mine if workflow_phase(wf) == "Succeeded"]
    failed = [wf for wf in mine if workflow_phase(wf) != "Succeeded"]
    return _oldest_beyond(succeeded, ok_limit) + _oldest_beyond(failed, bad_limit)


def _oldest_beyond(workflows: list[Obj], keep: int) -> list[str]:
    if keep >= len(workflows):
        return []
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

    def finished(wf: Obj) -> dt.datetime:
        return parse_time((wf.get("status") or {}).get("finishedAt")) or epoch

    newest_first = sorted(workflows, key=finished, reverse=True)
    return [name_of(wf) for wf in newest_first[keep:]]
