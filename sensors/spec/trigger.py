"""Sensor triggers: the template (name, conditions, one trigger type) and the delivery policy.

Field names follow ``Trigger``/``TriggerTemplate`` in argo-events ``sensor_types.go``; checks
follow ``pkg/reconciler/sensor/validate.go``. The trigger-type fields of ``TriggerTemplate`` are
generated from the registry in ``trigger_types.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field, create_model

from eventsources.spec.checks import check_backoff, check_enum, check_timezone, one_of, require
from eventsources.spec.common import Backoff, EventsModel
from pinnace.resources.base import ArgoModel, Problems, join_path
from pinnace.resources.cron import CronError, check_cron
from sensors.conditions import ConditionsError, names, parse_conditions
from sensors.spec import argo_workflow, http, k8s, log, nats  # noqa: F401  (registration)
from sensors.spec.parameter import TriggerContext, TriggerParameter, check_parameters
from sensors.spec.trigger_types import ARGO_ONLY_TRIGGERS, TRIGGER_TYPES

TRIGGER_KEYS: tuple[str, ...] = (*TRIGGER_TYPES, *ARGO_ONLY_TRIGGERS)
RATE_LIMIT_UNITS = ("Second", "Minute", "Hour")
# Fields of Trigger that Argo's own examples put one level too deep, under ``template``.
MISPLACED_FIELDS = {"at_least_once": "atLeastOnce", "policy": "policy"}


class ConditionsResetByTime(EventsModel):
    cron: str = ""
    timezone: str | None = None


class ConditionsResetCriteria(EventsModel):
    by_time: ConditionsResetByTime | None = None


class K8SResourcePolicy(EventsModel):
    labels: dict[str, str] | None = None
    backoff: Backoff | None = None
    error_on_backoff_timeout: bool | None = None


class StatusPolicy(EventsModel):
    allow: list[int] | None = None


class TriggerPolicy(EventsModel):
    k8s: K8SResourcePolicy | None = None
    status: StatusPolicy | None = None


class RateLimit(EventsModel):
    unit: str | None = None
    requests_per_unit: int | None = None


class TriggerTemplateBase(EventsModel):
    name: str = ""
    conditions: str | None = None
    conditions_reset: list[ConditionsResetCriteria] | None = None
    # Not Argo fields here (they belong to the trigger); Argo ignores them, and so do we, but
    # they are accepted so that Argo's own examples load, and reported so users move them.
    at_least_once: Any = Field(default=None, alias="atLeastOnce")
    policy: Any = None

    def type_keys(self) -> list[str]:
        """The trigger-type keys this template sets (exactly one when valid)."""
        return [key for key in TRIGGER_KEYS if getattr(self, key, None) is not None]

    def trigger(self) -> tuple[str, ArgoModel] | None:
        """The implemented trigger as ``(type key, model)``; None for an unsupported type."""
        for key in TRIGGER_TYPES:
            value = getattr(self, key, None)
            if value is not None:
                return key, value
        return None


def _type_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {
        key: (info.model | None, Field(default=None, alias=key)) for key, info in TRIGGER_TYPES.items()
    }
    for key in ARGO_ONLY_TRIGGERS:
        fields[key] = (dict[str, Any] | None, Field(default=None, alias=key))
    return fields


if TYPE_CHECKING:
    TriggerTemplate = TriggerTemplateBase
else:
    TriggerTemplate = create_model("TriggerTemplate", __base__=TriggerTemplateBase, **_type_fields())


class Trigger(EventsModel):
    template: TriggerTemplate | None = None
    parameters: list[TriggerParameter] | None = None
    policy: TriggerPolicy | None = None
    retry_strategy: Backoff | None = None
    rate_limit: RateLimit | None = None
    at_least_once: bool | None = None
    dlq_trigger: Trigger | None = None


def check_conditions(template: TriggerTemplateBase, path: str, ctx: TriggerContext, problems: Problems) -> None:
    if template.conditions is None:
        return
    cond_path = join_path(path, "conditions")
    try:
        cond = parse_conditions(template.conditions)
    except ConditionsError as exc:
        problems.error(cond_path, str(exc))
        return
    defined = one_of(sorted(ctx.dependencies))
    for name in sorted(names(cond) - ctx.dependencies):
        problems.error(cond_path, f"conditions name unknown dependency {name!r}; the sensor defines {defined}")


def check_conditions_reset(criteria: list[ConditionsResetCriteria] | None, path: str, problems: Problems) -> None:
    for i, item in enumerate(criteria or []):
        item_path = join_path(path, i)
        if item.by_time is None:
            problems.error(join_path(item_path, "byTime"), "required field is missing: a cron schedule to reset at")
            continue
        cron_path = join_path(item_path, "byTime", "cron")
        if require(item.by_time.cron, cron_path, problems, "a cron schedule such as '0 * * * *'"):
            try:
                check_cron(item.by_time.cron)
            except CronError as exc:
                problems.error(cron_path, str(exc))
        check_timezone(item.by_time.timezone, join_path(item_path, "byTime", "timezone"), problems)


def check_template_type(template: TriggerTemplateBase, path: str, ctx: TriggerContext, problems: Problems) -> None:
    keys = template.type_keys()
    if not keys:
        problems.error(path, f"the trigger template names no trigger type: add one of {one_of(TRIGGER_TYPES)}")
    elif len(keys) > 1:
        problems.error(path, f"the trigger template names {' and '.join(keys)}: a trigger has exactly one type")
    for key in keys:
        info = TRIGGER_TYPES.get(key)
        if info is None:
            problems.unsupported(join_path(path, key), f"trigger type {key!r} is not supported by pinnace")
        else:
            info.check(getattr(template, key), join_path(path, key), ctx, problems)


def check_template(template: TriggerTemplateBase, path: str, ctx: TriggerContext, problems: Problems) -> None:
    require(template.name, join_path(path, "name"), problems, "a name unique in this sensor")
    check_conditions(template, path, ctx, problems)
    check_conditions_reset(template.conditions_reset, join_path(path, "conditionsReset"), problems)
    check_template_type(template, path, ctx, problems)
    for attr, wire in MISPLACED_FIELDS.items():
        if attr in template.model_fields_set:
            problems.unsupported(
                join_path(path, wire),
                f"{wire!r} belongs on the trigger, not under its template: Argo ignores it here and so does pinnace",
            )


def check_policy(trigger: Trigger, path: str, problems: Problems) -> None:
    policy = trigger.policy
    if policy is None:
        return
    if policy.k8s is not None:
        require(policy.k8s.labels, join_path(path, "k8s", "labels"), problems, "the labels that mark success")
        check_backoff(policy.k8s.backoff, join_path(path, "k8s", "backoff"), problems)
    if policy.status is not None:
        allow_path = join_path(path, "status", "allow")
        require(policy.status.allow, allow_path, problems, "the HTTP status codes that count as success")
        for i, code in enumerate(policy.status.allow or []):
            if not 100 <= code <= 599:
                problems.error(join_path(allow_path, i), f"{code} is not an HTTP status code (100-599)")


def check_rate_limit(limit: RateLimit | None, path: str, problems: Problems) -> None:
    if limit is None:
        return
    if limit.unit:
        check_enum(limit.unit, RATE_LIMIT_UNITS, join_path(path, "unit"), problems, "unit")
    if limit.requests_per_unit is not None and limit.requests_per_unit <= 0:
        message = f"requestsPerUnit must be positive, got {limit.requests_per_unit}"
        problems.error(join_path(path, "requestsPerUnit"), message)


def dest_path(base: str, dest: str) -> str:
    """The field path an sjson ``dest`` such as ``argoWorkflow.parameters.0.src`` points to."""
    return join_path(base, *(int(part) if part.isdigit() else part for part in dest.split(".")))


def _covered(path: str, prefixes: set[str]) -> bool:
    return any(path == p or path.startswith((p + ".", p + "[")) for p in prefixes)


def check_trigger(trigger: Trigger, path: str, ctx: TriggerContext, problems: Problems) -> None:
    template_path = join_path(path, "template")
    if trigger.template is None:
        problems.error(template_path, "required field is missing: the trigger's name and type")
    else:
        # Trigger-level parameters rewrite the template per event (Argo's tutorials set a
        # placeholder dependencyName there), so problems at the fields they write are moot.
        rewritten = {dest_path(template_path, p.dest) for p in trigger.parameters or [] if p.dest}
        found = Problems()
        check_template(trigger.template, template_path, ctx, found)
        problems.extend([p for p in found.items if not _covered(p.path, rewritten)])
    check_parameters(trigger.parameters, join_path(path, "parameters"), ctx, problems)
    check_policy(trigger, join_path(path, "policy"), problems)
    check_backoff(trigger.retry_strategy, join_path(path, "retryStrategy"), problems)
    check_rate_limit(trigger.rate_limit, join_path(path, "rateLimit"), problems)
    dlq = trigger.dlq_trigger
    if dlq is not None:
        dlq_path = join_path(path, "dlqTrigger")
        if not trigger.at_least_once:
            problems.error(dlq_path, "a dlqTrigger needs atLeastOnce: true on its trigger")
        if not dlq.at_least_once:
            problems.error(join_path(dlq_path, "atLeastOnce"), "the dlqTrigger itself needs atLeastOnce: true")
        check_trigger(dlq, dlq_path, ctx, problems)
