"""What every workflow check sees: the spec, where it sits in the document, and the problem list."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from pinnace.resources.base import Problems, join_path
from workflows.spec.common import Arguments, LifecycleHook, Parameter
from workflows.spec.template import DAGTask, Template, WorkflowStep
from workflows.spec.workflow import WorkflowSpec


@dataclass
class SpecContext:
    """A WorkflowSpec being checked.

    ``base`` is the wire path of the spec (``spec``, or ``spec.workflowSpec`` in a CronWorkflow).
    ``submittable`` is true for kinds that run as written (Workflow, CronWorkflow): their arguments
    need values now. Templates (WorkflowTemplate, ClusterWorkflowTemplate) get values at submit time.
    """

    spec: WorkflowSpec
    base: str
    submittable: bool
    problems: Problems = field(default_factory=Problems)

    def path(self, *parts: str | int) -> str:
        return join_path(self.base, *parts)

    @cached_property
    def templates(self) -> dict[str, Template]:
        """Top-level templates by name (the first one wins when names repeat)."""
        out: dict[str, Template] = {}
        for tmpl in self.spec.templates or []:
            if tmpl.name and tmpl.name not in out:
                out[tmpl.name] = tmpl
        return out

    @property
    def uses_template_ref(self) -> bool:
        """The spec runs another WorkflowTemplate's templates, which a single file cannot see."""
        return self.spec.workflow_template_ref is not None

    def error(self, path: str, message: str) -> None:
        self.problems.error(path, message)


@dataclass(frozen=True)
class TemplateAt:
    path: str
    template: Template


@dataclass(frozen=True)
class StepAt:
    path: str
    step: WorkflowStep


@dataclass(frozen=True)
class TaskAt:
    path: str
    task: DAGTask


def iter_templates(ctx: SpecContext) -> Iterator[TemplateAt]:
    """Every template: the top-level ones and those written ``inline`` in steps and tasks."""
    for i, tmpl in enumerate(ctx.spec.templates or []):
        yield from _with_inline(TemplateAt(ctx.path("templates", i), tmpl))


def _with_inline(at: TemplateAt) -> Iterator[TemplateAt]:
    yield at
    for s in iter_steps(at):
        if s.step.inline is not None:
            yield from _with_inline(TemplateAt(join_path(s.path, "inline"), s.step.inline))
    for t in iter_tasks(at):
        if t.task.inline is not None:
            yield from _with_inline(TemplateAt(join_path(t.path, "inline"), t.task.inline))


def iter_steps(at: TemplateAt) -> Iterator[StepAt]:
    for i, group in enumerate(at.template.steps or []):
        for j, step in enumerate(group):
            yield StepAt(join_path(at.path, "steps", i, j), step)


def iter_tasks(at: TemplateAt) -> Iterator[TaskAt]:
    if at.template.dag is None:
        return
    for i, task in enumerate(at.template.dag.tasks):
        yield TaskAt(join_path(at.path, "dag", "tasks", i), task)


def iter_calls(at: TemplateAt) -> Iterator[tuple[str, WorkflowStep]]:
    """Every step and DAG task of a template, with its path."""
    for s in iter_steps(at):
        yield s.path, s.step
    for t in iter_tasks(at):
        yield t.path, t.task


def iter_hooks(path: str, hooks: dict[str, LifecycleHook] | None) -> Iterator[tuple[str, str, LifecycleHook]]:
    for name, hook in (hooks or {}).items():
        yield join_path(path, "hooks", name), name, hook


def parameters(args: Arguments | None) -> list[Parameter]:
    return list(args.parameters or []) if args is not None else []


def is_templated(text: str | None) -> bool:
    """Holds a ``{{...}}`` tag, so its real value is only known at run time."""
    return text is not None and "{{" in text
