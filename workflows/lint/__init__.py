"""Semantic checks for the Workflow family, in the spirit of ``argo lint``.

Each concern lives in its own module and is one entry of ``SPEC_CHECKS``; every check walks a
``SpecContext`` and records problems on exact wire paths (``spec.templates[1].steps[0][0].template``).
Entry points per kind are ``check_workflow``, ``check_workflow_template`` and
``check_cron_workflow`` (registered as each kind's ``check`` by ``workflows.spec``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pinnace.resources.base import Problem, Problems, Resource
from workflows.lint.context import SpecContext
from workflows.lint.cron import check_cron_spec
from workflows.lint.dag import check_dags
from workflows.lint.durations import check_durations
from workflows.lint.loops import check_loops
from workflows.lint.names import check_names
from workflows.lint.parameters import check_parameters
from workflows.lint.references import check_hooks, check_references
from workflows.lint.types import UNSUPPORTED_TYPES, check_types
from workflows.spec.workflow import ClusterWorkflowTemplate, CronWorkflow, Workflow, WorkflowSpec, WorkflowTemplate

SpecCheck = Callable[[SpecContext], None]

SPEC_CHECKS: list[SpecCheck] = [
    check_names,
    check_types,
    check_references,
    check_hooks,
    check_dags,
    check_loops,
    check_parameters,
    check_durations,
]


def check_spec(spec: WorkflowSpec, base: str, *, submittable: bool) -> list[Problem]:
    """Run every spec check; ``base`` is the spec's wire path in its document."""
    ctx = SpecContext(spec, base, submittable)
    for check in SPEC_CHECKS:
        check(ctx)
    return ctx.problems.items


def check_workflow(resource: Workflow) -> list[Problem]:
    return check_spec(resource.spec, "spec", submittable=True)


def check_workflow_template(resource: WorkflowTemplate | ClusterWorkflowTemplate) -> list[Problem]:
    # Arguments of a template may stay empty: values are given when it is submitted.
    return check_spec(resource.spec, "spec", submittable=False)


def check_cron_workflow(resource: CronWorkflow) -> list[Problem]:
    problems = Problems()
    check_cron_spec(resource.spec, problems)
    problems.extend(check_spec(resource.spec.workflow_spec, "spec.workflowSpec", submittable=True))
    return problems.items


KIND_CHECKS: dict[type[Resource], Callable[[Any], list[Problem]]] = {
    Workflow: check_workflow,
    WorkflowTemplate: check_workflow_template,
    ClusterWorkflowTemplate: check_workflow_template,
    CronWorkflow: check_cron_workflow,
}


# Names end up in label values (63 characters); a CronWorkflow's children append "-<unix time>".
NAME_LIMITS: dict[type[Resource], tuple[str, int]] = {
    Workflow: ("workflow name", 63),
    WorkflowTemplate: ("workflow template name", 63),
    ClusterWorkflowTemplate: ("cluster workflow template name", 63),
    CronWorkflow: ("cron workflow name", 52),
}


def check_name_length(resource: Resource) -> list[Problem]:
    what, limit = NAME_LIMITS[type(resource)]
    name = resource.metadata.name or ""
    if len(name) <= limit:
        return []
    shown = name if len(name) <= 80 else f"{name[:60]}..."
    return [Problem("metadata.name", f"{what} {shown!r} must not be more than {limit} characters long "
                                     f"(currently {len(name)})")]


def check_resource(resource: Resource) -> list[Problem]:
    """Semantic problems of a parsed Workflow-family resource (empty when it is valid)."""
    check = KIND_CHECKS.get(type(resource))
    if check is None:
        raise TypeError(f"no workflow checks for {type(resource).__name__}")
    return check_name_length(resource) + check(resource)


__all__ = [
    "SPEC_CHECKS",
    "UNSUPPORTED_TYPES",
    "check_cron_workflow",
    "check_resource",
    "check_spec",
    "check_workflow",
    "check_workflow_template",
]
