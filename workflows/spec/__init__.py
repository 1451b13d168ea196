"""The Workflow family of resources, registered as kinds with their ``argo lint``-style checks.

Models follow ``pkg/apis/workflow/v1alpha1`` of argo-workflows (v4) with Argo's wire names;
unknown fields are an error. Importing this package registers Workflow (``wf``),
WorkflowTemplate (``wftmpl``), ClusterWorkflowTemplate (``cwftmpl``, cluster-scoped) and
CronWorkflow (``cwf``).
"""

from __future__ import annotations

from pinnace.resources.base import Problem, Resource
from pinnace.resources.kinds import KINDS, KindInfo, register_kind
from workflows.spec.common import (
    Arguments,
    Artifact,
    Backoff,
    ContinueOn,
    Inputs,
    LifecycleHook,
    Memoize,
    Outputs,
    Parameter,
    RetryStrategy,
    Sequence,
    Synchronization,
    TemplateRef,
    ValueFrom,
)
from workflows.spec.container import Container, ContainerSetTemplate, ScriptTemplate, UserContainer
from workflows.spec.template import (
    HTTP,
    TEMPLATE_TYPES,
    DAGTask,
    DAGTemplate,
    Data,
    ResourceTemplate,
    SuspendTemplate,
    Template,
    WorkflowStep,
)
from workflows.spec.workflow import (
    ClusterWorkflowTemplate,
    CronWorkflow,
    CronWorkflowSpec,
    Workflow,
    WorkflowSpec,
    WorkflowTemplate,
)


def check_resource(resource: Resource) -> list[Problem]:
    """The semantic checks of ``workflows.lint`` for any kind of this family."""
    # Imported here: workflows.lint imports these models, so a top-level import would be circular.
    from workflows.lint import check_resource as check

    return check(resource)


_KINDS = (
    KindInfo("Workflow", Workflow, "workflows", short_names=("wf",), check=check_resource),
    KindInfo("WorkflowTemplate", WorkflowTemplate, "workflowtemplates", short_names=("wftmpl",),
             check=check_resource),
    KindInfo("ClusterWorkflowTemplate", ClusterWorkflowTemplate, "clusterworkflowtemplates",
             namespaced=False, short_names=("cwftmpl",), check=check_resource),
    KindInfo("CronWorkflow", CronWorkflow, "cronworkflows", short_names=("cwf", "cronwf"),
             check=check_resource),
)

for _info in _KINDS:
    # Re-importing (e.g. importlib.reload in a test) must not trip the duplicate guard.
    if _info.kind not in KINDS:
        register_kind(_info)

__all__ = [
    "HTTP",
    "TEMPLATE_TYPES",
    "Arguments",
    "Artifact",
    "Backoff",
    "ClusterWorkflowTemplate",
    "Container",
    "ContainerSetTemplate",
    "ContinueOn",
    "CronWorkflow",
    "CronWorkflowSpec",
    "DAGTask",
    "DAGTemplate",
    "Data",
    "Inputs",
    "LifecycleHook",
    "Memoize",
    "Outputs",
    "Parameter",
    "ResourceTemplate",
    "RetryStrategy",
    "ScriptTemplate",
    "Sequence",
    "SuspendTemplate",
    "Synchronization",
    "Template",
    "TemplateRef",
    "UserContainer",
    "ValueFrom",
    "Workflow",
    "WorkflowSpec",
    "WorkflowStep",
    "WorkflowTemplate",
]
