"""DAG templates: dependencies, ``depends`` expressions, targets and cycles (``validateDAG``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from pinnace.resources.base import join_path
from workflows.depends import DependsError, item_result_tasks, parse_depends, task_names
from workflows.lint.context import SpecContext, TaskAt, TemplateAt, iter_tasks, iter_templates

CONTINUE_ON_WITH_DEPENDS = (
    "cannot use 'continueOn' when using 'depends'. Instead use 'dep-task.Failed'/'dep-task.Errored'"
)
BOTH_DEPENDS = "cannot use both 'depends' and 'dependencies' in the same DAG template"


@dataclass
class _Graph:
    """Task name -> names it waits for, in the order written."""

    edges: dict[str, list[str]] = field(default_factory=dict)


def check_dags(ctx: SpecContext) -> None:
    for at in iter_templates(ctx):
        if at.template.dag is not None:
            _check_dag(ctx, at)


def _check_dag(ctx: SpecContext, at: TemplateAt) -> None:
    tasks = list(iter_tasks(at))
    if not tasks:
        ctx.error(join_path(at.path, "dag", "tasks"), "a DAG template must have at least one task")
        return
    using_depends = any(t.task.depends for t in tasks)
    by_name = {t.task.name: t for t in tasks}
    graph = _Graph()
    for t in tasks:
        _check_task_rules(ctx, t, using_depends)
        graph.edges.setdefault(t.task.name, []).extend(_dependencies(ctx, t, by_name))
    _check_target(ctx, at, by_name)
    cycle = _find_cycle(graph, [t.task.name for t in tasks])
    if cycle:
        ctx.error(join_path(at.path, "dag", "tasks"), f"dependency cycle detected: {'->'.join(cycle)}")


def _check_task_rules(ctx: SpecContext, t: TaskAt, using_depends: bool) -> None:
    task = t.task
    if (using_depends or task.dependencies) and task.name[:1].isdigit():
        ctx.error(join_path(t.path, "name"), f"task name '{task.name}' cannot begin with a digit "
                  "when using either 'depends' or 'dependencies'")
    if using_depends and task.dependencies:
        ctx.error(join_path(t.path, "dependencies"), BOTH_DEPENDS)
    if using_depends and task.continue_on is not None:
        ctx.error(join_path(t.path, "continueOn"), CONTINUE_ON_WITH_DEPENDS)


def _dependencies(ctx: SpecContext, t: TaskAt, by_name: dict[str, TaskAt]) -> list[str]:
    """Names this task waits for; reports unknown names and unparsable expressions."""
    task = t.task
    if task.depends:
        path = join_path(t.path, "depends")
        try:
            ast = parse_depends(task.depends)
        except DependsError as exc:
            ctx.error(path, f"invalid depends expression '{task.depends}': {exc}")
            return []
        names = task_names(ast)
        for name in names:
            if name not in by_name:
                ctx.error(path, f"dependency '{name}' not defined")
        for name in item_result_tasks(ast):
            if name in by_name and not _expands(by_name[name]):
                ctx.error(path, f"dependency '{name}' uses an items-based condition such as .AnySucceeded "
                          "or .AllFailed but does not contain any items")
        return [n for n in names if n in by_name]
    deps = task.dependencies or []
    for k, name in enumerate(deps):
        if name not in by_name:
            ctx.error(join_path(t.path, "dependencies", k), f"dependency '{name}' not defined")
    return [n for n in deps if n in by_name]


def _expands(t: TaskAt) -> bool:
    task = t.task
    return task.with_items is not None or task.with_param is not None or task.with_sequence is not None


def _check_target(ctx: SpecContext, at: TemplateAt, by_name: dict[str, TaskAt]) -> None:
    dag = at.template.dag
    if dag is None or not dag.target:
        return
    for name in dag.target.split():
        if "{{" not in name and name not in by_name:
            ctx.error(join_path(at.path, "dag", "target"), f"target '{name}' is not defined")


def _find_cycle(graph: _Graph, order: list[str]) -> list[str]:
    """The first dependency cycle found walking tasks in written order, e.g. ``[A, B, A]``."""
    done: set[str] = set()
    stack: list[str] = []

    def visit(name: str) -> list[str]:
        if name in stack:
            return [*stack[stack.index(name):], name]
        if name in done:
            return []
        stack.append(name)
        for dep in graph.edges.get(name, []):
            found = visit(dep)
            if found:
                return found
        stack.pop()
        done.add(name)
        return []

    for name in order:
        found = visit(name)
        if found:
            return found
    return []
