"""The ``argoWorkflow`` trigger: submit or act on an Argo Workflow (``ArgoWorkflowTrigger``)."""

from __future__ import annotations

from eventsources.spec.checks import check_enum, one_of, require
from eventsources.spec.common import EventsModel
from pinnace.resources.base import Problems, join_path
from sensors.spec.artifact import ArtifactLocation, check_artifact
from sensors.spec.parameter import TriggerContext, TriggerParameter, check_parameters
from sensors.spec.trigger_types import register_trigger_type

WORKFLOW_OPERATIONS = ("submit", "submit-from", "resubmit", "retry", "resume", "suspend", "terminate", "stop")


class ArgoWorkflowTrigger(EventsModel):
    source: ArtifactLocation | None = None
    operation: str = ""
    parameters: list[TriggerParameter] | None = None
    args: list[str] | None = None


def check_argo_workflow(trigger: ArgoWorkflowTrigger, path: str, ctx: TriggerContext, problems: Problems) -> None:
    check_artifact(trigger.source, join_path(path, "source"), "an argoWorkflow trigger", problems)
    operation_path = join_path(path, "operation")
    if require(trigger.operation, operation_path, problems, f"one of {one_of(WORKFLOW_OPERATIONS)}"):
        check_enum(trigger.operation, WORKFLOW_OPERATIONS, operation_path, problems, "operation")
    check_parameters(trigger.parameters, join_path(path, "parameters"), ctx, problems)


register_trigger_type("argoWorkflow", ArgoWorkflowTrigger, check_argo_workflow)
