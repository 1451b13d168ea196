"""The ``k8s`` trigger: create, update, patch or delete any resource (``StandardK8STrigger``)."""

from __future__ import annotations

from eventsources.spec.checks import check_enum
from eventsources.spec.common import EventsModel
from pinnace.resources.base import Problems, join_path
from sensors.spec.artifact import ArtifactLocation, check_artifact
from sensors.spec.parameter import TriggerContext, TriggerParameter, check_parameters
from sensors.spec.trigger_types import register_trigger_type

K8S_OPERATIONS = ("create", "update", "patch", "delete")
PATCH_STRATEGIES = (
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
)


class StandardK8STrigger(EventsModel):
    source: ArtifactLocation | None = None
    operation: str | None = None
    parameters: list[TriggerParameter] | None = None
    patch_strategy: str | None = None
    live_object: bool | None = None


def check_k8s(trigger: StandardK8STrigger, path: str, ctx: TriggerContext, problems: Problems) -> None:
    check_artifact(trigger.source, join_path(path, "source"), "a k8s trigger", problems)
    if trigger.operation:
        check_enum(trigger.operation, K8S_OPERATIONS, join_path(path, "operation"), problems, "operation")
    if trigger.patch_strategy:
        strategy_path = join_path(path, "patchStrategy")
        check_enum(trigger.patch_strategy, PATCH_STRATEGIES, strategy_path, problems, "patchStrategy")
    check_parameters(trigger.parameters, join_path(path, "parameters"), ctx, problems)


register_trigger_type("k8s", StandardK8STrigger, check_k8s)
