"""DAG templates (``workflow/controller/dag.go``): dependencies, enhanced depends, targets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from workflows.engine import loops
from workflows.engine import templates as tpl
from workflows.engine.conditions import ConditionError, depends_tasks, depends_true, when_true
from workflows.engine.hooks import hooks_fulfilled, run_exit_hook, run_lifecycle_hooks
from workflows.engine.model import (
    DAG,
    ERROR,
    FAILED_OR_ERROR,
    OMITTED,
    RETRY,
    RUNNING,
    SKIPPED,
    SKIPPED_TYPE,
    SUCCEEDED,
    TASK_GROUP,
    Obj,
)
from workflows.engine.nodes import completed, fulfilled
from workflows.engine.scope import (
    add_aggregate_to_scope,
    add_node_to_scope,
    add_skipped_outputs,
    template_outputs,
)
from workflows.engine.steps import continues_on, resolve_step
from workflows.templating import TemplateError

if TYPE_CHECKING:
    from workflows.engine.operator import Operation


@dataclass
class DagContext:
    name: str
    id: str
    tmpl: Obj
    tasks: dict[str, Obj]
    on_exit: bool
    visited: set[str] = field(default_factory=set)

    @property
    def scope(self) -> str:
        return str(self.tmpl.get(tpl.SCOPE, ""))

    def node_name(self, task: str) -> str:
        return f"{self.name}.{task}"


def dependencies(task: Obj) -> list[str]:
    if task.get("depends"):
        return depends_tasks(str(task["depends"]))
    return list(task.get("dependencies") or [])


def depends_logic(ctx: DagContext, task: Obj) -> str:
    if task.get("depends"):
        return str(task["depends"])
    parts = []
    for dep in task.get("dependencies") or []:
        opts = [f"{dep}.Succeeded", f"{dep}.Skipped", f"{dep}.Daemoned"]
        dtask = ctx.tasks.get(dep, {})
        if continues_on(dtask, ERROR):
            opts.append(f"{dep}.Errored")
        if continues_on(dtask, "Failed"):
            opts.append(f"{dep}.Failed")
        parts.append("(" + " || ".join(opts) + ")")
    return " && ".join(parts)


def execute_dag(op: Operation, node_name: str, tmpl: Obj, boundary_id: str, *, on_exit: bool, hooked: bool) -> Obj:
    node = op.nodes.get(node_name)
    if node is None:
        node = op.nodes.init(node_name, DAG, tmpl.get("name", ""), boundary_id, RUNNING, hooked=hooked)
    spec = tmpl.get("dag") or {}
    tasks = {t["name"]: t for t in spec.get("tasks") or []}
    ctx = DagContext(node_name, node["id"], tmpl, tasks, on_exit)
    target = str(spec.get("target") or "").strip()
    targets = target.split(" ") if target else _leaves(tasks)
    exits_done = True
    for name in targets:
        _execute_task(op, ctx, name)
        tnode = op.nodes.get(ctx.node_name(name))
        if tnode is not None and completed(tnode):
            ex = op.nodes.get(f"{tnode['name']}.onExit")
            if ex is not None and not fulfilled(ex):
                exits_done = False
    phase = _assess(op, ctx, targets, bool(op.shutdown) and exits_done and not on_exit)
    if phase == RUNNING:
        return node
    _update_outbound(op, ctx, targets)
    if phase in FAILED_OR_ERROR:
        return op.nodes.mark(node_name, phase)
    scope: dict[str, str] = {}
    for name in tasks:
        tnode = op.nodes.get(ctx.node_name(name))
        if tnode is None:
            continue
        if tnode["type"] == TASK_GROUP:
            kids = [op.nodes.by_id(c) for c in tnode.get("children") or []]
            add_aggregate_to_scope(scope, "tasks", name, kids)
        add_node_to_scope(scope, "tasks", name, tnode, op.nodes)
        add_skipped_outputs(scope, "tasks", name, tnode, op.templates.get(tasks[name].get("template", "")))
    outputs = template_outputs(tmpl, scope, op.globals)
    if outputs:
        node["outputs"] = outputs
    return op.nodes.mark(node_name, SUCCEEDED)


def _leaves(tasks: dict[str, Obj]) -> list[str]:
    used = {d for t in tasks.values() for d in dependencies(t)}
    return sorted(n for n in tasks if n not in used)


def _update_outbound(op: Operation, ctx: DagContext, targets: list[str]) -> None:
    out: list[str] = []
    for name in targets:
        tnode = op.nodes.get(ctx.node_name(name))
        if tnode is not None:
            out.extend(op.nodes.outbound(tnode["id"]))
    node = op.nodes.get(ctx.name)
    assert node is not None
    node["outboundNodes"] = out


def _ancestors(ctx: DagContext, name: str, seen: set[str] | None = None) -> set[str]:
    seen = set() if seen is None else seen
    for dep in dependencies(ctx.tasks.get(name, {})):
        if dep not in seen:
            seen.add(dep)
            _ancestors(ctx, dep, seen)
    return seen


def _task_scope(op: Operation, ctx: DagContext, name: str) -> dict[str, str]:
    scope: dict[str, str] = {}
    for anc in _ancestors(ctx, name):
        anode = op.nodes.get(ctx.node_name(anc))
        if anode is None:
            continue
        if anode["type"] == TASK_GROUP:
            add_aggregate_to_scope(scope, "tasks", anc, [op.nodes.by_id(c) for c in anode.get("children") or []])
        add_node_to_scope(scope, "tasks", anc, anode, op.nodes)
        add_skipped_outputs(scope, "tasks", anc, anode, op.templates.get(ctx.tasks[anc].get("template", "")))
    return scope


def _connect(op: Operation, ctx: DagContext, deps: list[str], group: Obj | None, child: str) -> None:
    if not deps or group is not None:
        op.nodes.add_child(group["name"] if group is not None else ctx.name, child)
        return
    for dep in deps:
        dnode = op.nodes.get(ctx.node_name(dep))
        if dnode is None:
            continue
        for out in op.nodes.outbound(dnode["id"]):
            op.nodes.add_child(op.nodes.by_id(out)["name"], child)


def _execute_task(op: Operation, ctx: DagContext, name: str) -> None:
    if name in ctx.visited:
        return
    ctx.visited.add(name)
    task = ctx.tasks.get(name)
    node_name = ctx.node_name(name)
    if task is None:
        return
    node = op.nodes.get(node_name)
    if node is not None and fulfilled(node):
        _task_hooks(op, ctx, task, node, _task_scope(op, ctx, name))
        return
    deps = dependencies(task)
    if node is None and not _dependencies_allow(op, ctx, task, deps):
        return
    scope = _task_scope(op, ctx, name)
    expansion = _task_items(op, ctx, task, node, deps, scope)
    if expansion is None:
        return
    items, expanded = expansion
    group = node if node is not None and node["type"] == TASK_GROUP else None
    if expanded and group is None:
        _connect(op, ctx, deps, None, node_name)
        group = op.nodes.init(node_name, TASK_GROUP, "", ctx.id, RUNNING)
    if not _run_items(op, ctx, task, items, deps, group, scope):
        return
    if group is not None:
        _settle_group(op, ctx, group, items)


def _skip_task(op: Operation, ctx: DagContext, task: Obj, deps: list[str], phase: str, message: str) -> None:
    """A task that will not run still gets a node, wired after its dependencies like a real one."""
    node_name = ctx.node_name(task["name"])
    op.nodes.init(node_name, SKIPPED_TYPE, task.get("template", ""), ctx.id, phase, message)
    _connect(op, ctx, deps, None, node_name)


def _dependencies_allow(op: Operation, ctx: DagContext, task: Obj, deps: list[str]) -> bool:
    """Run the dependencies first; False while they run, or when ``depends`` omits or errors the task."""
    logic = depends_logic(ctx, task)
    if not logic:
        return True
    for dep in deps:
        _execute_task(op, ctx, dep)
    verdict = _evaluate_depends(op, ctx, deps, logic)
    if verdict is None:
        return False
    if isinstance(verdict, str):
        _skip_task(op, ctx, task, deps, ERROR, verdict)
        return False
    if not verdict:
        _skip_task(op, ctx, task, deps, OMITTED, "omitted: depends condition not met")
        return False
    return True


def _task_items(
    op: Operation, ctx: DagContext, task: Obj, node: Obj | None, deps: list[str], scope: dict[str, str]
) -> tuple[list[Obj], bool] | None:
    """The resolved task, expanded over ``withItems``/``withParam``/``withSequence`` when it loops,
    with whether it did; None when there is nothing to run this pass."""
    try:
        resolved = resolve_step(op, task, scope)
    except TemplateError as err:
        # A missing reference is only not available yet: record nothing, try again on a later pass.
        if not err.missing and node is None:
            _skip_task(op, ctx, task, deps, ERROR, str(err))
        return None
    expand = loops.should_expand(resolved)
    try:
        items = loops.expand(resolved) if expand else [resolved]
    except loops.LoopError as err:
        if node is None:
            _skip_task(op, ctx, task, deps, ERROR, str(err))
        return None
    if expand and not items:
        if node is None:
            _skip_task(op, ctx, task, deps, SKIPPED, "Skipped, empty params")
        return None
    return items, expand


def _run_items(
    op: Operation,
    ctx: DagContext,
    task: Obj,
    items: list[Obj],
    deps: list[str],
    group: Obj | None,
    scope: dict[str, str],
) -> bool:
    """Execute each item not skipped by ``when``; False when an item could not be executed at all."""
    from workflows.engine.operator import Deferred

    for item in items:
        item_name = ctx.node_name(item["name"])
        if op.nodes.get(item_name) is None:
            _connect(op, ctx, deps, group, item_name)
            if not _when_allows(op, ctx, task, item, item_name):
                continue
        try:
            child = op.execute(
                item_name,
                item,
                item.get("arguments") or {},
                ctx.id,
                on_exit=ctx.on_exit,
                extra={"tasks.name": task["name"]},
                scope=ctx.scope,
            )
        except Deferred:
            continue
        if child is None:
            return False
        _task_hooks(op, ctx, task, child, scope)
    return True


def _when_allows(op: Operation, ctx: DagContext, task: Obj, item: Obj, item_name: str) -> bool:
    try:
        proceed = when_true(str(item.get("when", "")))
    except ConditionError as err:
        op.nodes.init(item_name, SKIPPED_TYPE, task.get("template", ""), ctx.id, ERROR, str(err))
        return False
    if not proceed:
        message = f"when '{item.get('when')}' evaluated false"
        op.nodes.init(item_name, SKIPPED_TYPE, task.get("template", ""), ctx.id, SKIPPED, message)
    return proceed


def _settle_group(op: Operation, ctx: DagContext, group: Obj, items: list[Obj]) -> None:
    """The TaskGroup finishes once every item has, Failed/Error if any item did."""
    phase = SUCCEEDED
    for item in items:
        child = op.nodes.get(ctx.node_name(item["name"]))
        if child is None or not fulfilled(child):
            return
        if child["phase"] in FAILED_OR_ERROR:
            phase = child["phase"]
    op.nodes.mark(group["name"], phase)


def _task_hooks(op: Operation, ctx: DagContext, task: Obj, node: Obj, scope: dict[str, str]) -> None:
    if task.get("hooks") and node["type"] != SKIPPED_TYPE:
        run_lifecycle_hooks(op, task["hooks"], node, ctx.id, ("tasks", str(task["name"])), scope, ctx.scope)
    if completed(node):
        run_exit_hook(op, task, node, ctx.id, "tasks", scope, ctx.scope)


def _evaluate_depends(op: Operation, ctx: DagContext, deps: list[str], logic: str) -> bool | str | None:
    """True/False to run/omit, None while dependencies run, a message string on error."""
    results: dict[str, dict[str, bool]] = {}
    for dep in deps:
        dnode = op.nodes.get(ctx.node_name(dep))
        if dnode is None or not fulfilled(dnode):
            return None
        ex = op.nodes.get(f"{dnode['name']}.onExit")
        if (ex is not None and not fulfilled(ex)) or not hooks_fulfilled(op, dnode):
            return None
        any_ok, all_failed = False, False
        if dnode["type"] == TASK_GROUP:
            phases = [op.nodes.by_id(c)["phase"] for c in dnode.get("children") or []]
            any_ok = any(p == SUCCEEDED for p in phases)
            all_failed = bool(phases) and all(p == "Failed" for p in phases)
        p = dnode["phase"]
        results[dep] = {
            "Succeeded": p == SUCCEEDED,
            "Failed": p == "Failed",
            "Errored": p == ERROR,
            "Skipped": p == SKIPPED,
            "Omitted": p == OMITTED,
            "Daemoned": False,
            "AnySucceeded": any_ok,
            "AllFailed": all_failed,
        }
    try:
        return depends_true(logic, results)
    except Exception as err:
        return f"unable to evaluate expression '{logic.replace('-', '_')}': {err}"


def _assess(op: Operation, ctx: DagContext, targets: list[str], shutdown: bool) -> str:
    """``assessDAGPhase``: BFS from the DAG's children; omitted targets inherit branch phases."""
    if shutdown:
        return "Failed"
    node = op.nodes.get(ctx.name)
    assert node is not None
    target_ids = {op.nodes.id_of(ctx.node_name(t)): t for t in targets}
    target_phase: dict[str, str] = dict.fromkeys(target_ids, "")
    queue = [(c, SUCCEEDED) for c in node.get("children") or []]
    seen: set[tuple[str, str]] = set()
    while queue:
        nid, branch = queue.pop(0)
        if (nid, branch) in seen:
            continue
        seen.add((nid, branch))
        cur = op.nodes.nodes.get(nid)
        if cur is None or not fulfilled(cur):
            return RUNNING
        if completed(cur):
            branch = cur["phase"]
        if nid in target_phase and target_phase[nid] not in FAILED_OR_ERROR:
            target_phase[nid] = branch
        kids = cur.get("children") or []
        if cur["type"] == RETRY:
            kids = [k for k in kids if not op.nodes.by_id(k).get("nodeFlag", {}).get("hooked")] + [
                k for k in kids if op.nodes.by_id(k).get("nodeFlag", {}).get("hooked")
            ]
        queue.extend((k, branch) for k in kids)
    fail_fast = (ctx.tmpl.get("dag") or {}).get("failFast")
    fail_fast = True if fail_fast is None else bool(fail_fast)
    result = SUCCEEDED
    for nid, tname in target_ids.items():
        phase = target_phase[nid]
        if not phase:
            result = RUNNING
            if not fail_fast:
                break
        elif phase in FAILED_OR_ERROR:
            if continues_on(ctx.tasks.get(tname, {}), phase):
                continue
            result = phase
            if fail_fast:
                break
    return result
