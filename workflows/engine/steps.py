"""Steps templates (``workflow/controller/steps.go``): sequential groups of parallel steps."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING

from workflows.engine import loops
from workflows.engine import templates as tpl
from workflows.engine.conditions import ConditionError, expr_eval, when_true
from workflows.engine.hooks import run_exit_hook, run_lifecycle_hooks
from workflows.engine.model import (
    ERROR,
    FAILED,
    FAILED_OR_ERROR,
    RUNNING,
    SKIPPED,
    SKIPPED_TYPE,
    STEP_GROUP,
    STEPS,
    SUCCEEDED,
    Obj,
)
from workflows.engine.nodes import completed, fulfilled
from workflows.engine.scope import (
    ABSENT,
    add_aggregate_to_scope,
    add_node_to_scope,
    add_skipped_outputs,
    template_outputs,
)
from workflows.templating import TemplateError, render_object

if TYPE_CHECKING:
    from workflows.engine.operator import Operation


def continues_on(step: Obj, phase: str) -> bool:
    c = step.get("continueOn") or {}
    return (phase == FAILED and bool(c.get("failed"))) or (phase == ERROR and bool(c.get("error")))


def execute_steps(op: Operation, node_name: str, tmpl: Obj, boundary_id: str, *, on_exit: bool, hooked: bool) -> Obj:
    node = op.nodes.get(node_name)
    if node is None:
        node = op.nodes.init(node_name, STEPS, tmpl.get("name", ""), boundary_id, RUNNING, hooked=hooked)
    scope: dict[str, str] = {}
    groups = tmpl.get("steps") or []
    for i, group in enumerate(groups):
        sg_name = f"{node_name}[{i}]"
        sg = op.nodes.get(sg_name)
        if sg is None:
            op.nodes.init(sg_name, STEP_GROUP, "", node["id"], RUNNING)
        _wire_group(op, node_name, i)
        sg = _execute_group(op, list(group or []), sg_name, node["id"], scope, on_exit, str(tmpl.get(tpl.SCOPE, "")))
        if not fulfilled(sg):
            return node
        if sg["phase"] in FAILED_OR_ERROR:
            _update_outbound(op, node_name, len(groups))
            return op.nodes.mark(node_name, FAILED, sg.get("message", ""))
        _add_group_to_scope(op, scope, list(group or []), sg, node["id"])
    _update_outbound(op, node_name, len(groups))
    outputs = template_outputs(tmpl, scope, op.globals)
    if outputs:
        node["outputs"] = outputs
        _export_globals(op, outputs)
    return op.nodes.mark(node_name, SUCCEEDED)


def _wire_group(op: Operation, node_name: str, i: int) -> None:
    """The first group hangs off the Steps node, each later one off the previous group's outbound nodes
    (or the previous group itself when it has no children)."""
    sg_name = f"{node_name}[{i}]"
    if i == 0:
        op.nodes.add_child(node_name, sg_name)
        return
    prev = op.nodes.get(f"{node_name}[{i - 1}]")
    assert prev is not None
    if not prev.get("children"):
        op.nodes.add_child(prev["name"], sg_name)
    for cid in prev.get("children") or []:
        for out in op.nodes.outbound(cid):
            op.nodes.add_child(op.nodes.by_id(out)["name"], sg_name)


def _add_group_to_scope(op: Operation, scope: dict[str, str], group: list[Obj], sg: Obj, boundary_id: str) -> None:
    """Later groups see ``steps.<name>.*``: a looped step through its item nodes together, and the group node."""
    sg_name = sg["name"]
    for step in group:
        child = op.nodes.get(f"{sg_name}.{step['name']}")
        if child is None:
            prefix = f"{sg_name}.{step['name']}("
            kids = [
                n
                for n in op.nodes.nodes.values()
                if n.get("boundaryID") == boundary_id and n["name"].startswith(prefix) and n["type"] != SKIPPED_TYPE
            ]
            if kids:
                add_aggregate_to_scope(scope, "steps", step["name"], kids)
            add_node_to_scope(scope, "steps", step["name"], sg, op.nodes)
        else:
            add_node_to_scope(scope, "steps", step["name"], child, op.nodes)
            add_skipped_outputs(scope, "steps", step["name"], child, op.templates.get(step.get("template", "")))


def _export_globals(op: Operation, outputs: Obj) -> None:
    for p in outputs.get("parameters") or []:
        if p.get("globalName"):
            op.globals[f"workflow.outputs.parameters.{p['globalName']}"] = p.get("value", "")
            params = op.status.setdefault("outputs", {}).setdefault("parameters", [])
            params[:] = [q for q in params if q["name"] != p["globalName"]]
            params.append({"name": p["globalName"], "value": p.get("value", "")})


def _update_outbound(op: Operation, node_name: str, count: int) -> None:
    last = None
    for i in range(count - 1, -1, -1):
        last = op.nodes.get(f"{node_name}[{i}]")
        if last is not None:
            break
    if last is None:
        return
    out: list[str] = []
    for cid in last.get("children") or []:
        out.extend(op.nodes.outbound(cid))
    node = op.nodes.get(node_name)
    assert node is not None
    if node.get("outboundNodes") != out:
        node["outboundNodes"] = out


def resolve_step(op: Operation, step: Obj, scope: dict[str, str]) -> Obj:
    """``resolveReferences``: substitute the step with the scope of earlier groups (strict)."""
    absent = {k for k, v in scope.items() if v == ABSENT}
    values = {k: v for k, v in {**op.globals, **scope}.items() if v != ABSENT}
    step = _drop_absent_arguments(step, absent)
    # Hooks see the step's own outputs, so they are resolved when they run, not now.
    body = {k: v for k, v in step.items() if k not in ("hooks", "onExit")}
    try:
        resolved: Obj = render_object(copy.deepcopy(body), values, strict=("steps.", "tasks."), expr=expr_eval)
    except TemplateError as err:
        if err.missing in absent:
            raise TemplateError(f"failed to resolve {{{{{err.missing}}}}}: its producer was skipped") from err
        raise
    for key in ("hooks", "onExit"):
        if key in step:
            resolved[key] = step[key]
    return resolved


def _drop_absent_arguments(step: Obj, absent: set[str]) -> Obj:
    """A pure reference to an absent output is dropped so the consumer's input default applies."""
    params = (step.get("arguments") or {}).get("parameters")
    if not absent or not params:
        return step
    kept = []
    for p in params:
        value = str(p.get("value", "")).strip()
        if value.startswith("{{") and value.endswith("}}") and value[2:-2].strip() in absent:
            continue
        kept.append(p)
    return {**step, "arguments": {**step["arguments"], "parameters": kept}}


@dataclass
class _GroupPass:
    """One step group being advanced: where its children live and what they can see."""

    name: str
    boundary_id: str
    scope: dict[str, str]
    on_exit: bool
    scope_of: str

    def child_name(self, step: Obj) -> str:
        return f"{self.name}.{step['name']}"


def _execute_group(
    op: Operation,
    group: list[Obj],
    sg_name: str,
    boundary_id: str,
    scope: dict[str, str],
    on_exit: bool,
    scope_of: str,
) -> Obj:
    sg = op.nodes.get(sg_name)
    assert sg is not None
    if fulfilled(sg) and all(fulfilled(op.nodes.by_id(c)) for c in sg.get("children") or []):
        return sg
    run = _GroupPass(sg_name, boundary_id, scope, on_exit, scope_of)
    expanded = _expand_group(op, run, group)
    # Nothing to start: a reference is not available yet, or the group was marked Error.
    if expanded is None or not _start_children(op, run, expanded):
        return sg
    steps_by_name = {run.child_name(s): o for s, o in expanded}
    sg = op.nodes.get(sg_name)
    assert sg is not None
    if not _children_done(op, run, sg, steps_by_name):
        if fulfilled(sg):
            return op.nodes.mark(sg_name, RUNNING)
        return sg
    for cid in sg.get("children") or []:
        child = op.nodes.by_id(cid)
        step = steps_by_name.get(child["name"], {})
        if child["phase"] in FAILED_OR_ERROR and not continues_on(step, child["phase"]):
            return op.nodes.mark(sg_name, FAILED, f"child '{cid}' failed")
    return op.nodes.mark(sg_name, SUCCEEDED)


def _expand_group(op: Operation, run: _GroupPass, group: list[Obj]) -> list[tuple[Obj, Obj]] | None:
    """Each step resolved (and expanded if it loops) paired with its original; None to stop this pass."""
    expanded: list[tuple[Obj, Obj]] = []
    for step in group:
        try:
            resolved = resolve_step(op, step, run.scope)
        except TemplateError as err:
            if not err.missing:
                op.nodes.mark(run.name, ERROR, str(err))
            return None
        if not loops.should_expand(resolved):
            expanded.append((resolved, step))
            continue
        try:
            items = loops.expand(resolved)
        except loops.LoopError as err:
            op.nodes.mark(run.name, ERROR, str(err))
            return None
        if not items:
            name = run.child_name(step)
            if op.nodes.get(name) is None:
                op.nodes.init(
                    name, SKIPPED_TYPE, resolved.get("template", ""), run.boundary_id, SKIPPED, "Skipped, empty params"
                )
            op.nodes.add_child(run.name, name)
        expanded.extend((item, step) for item in items)
    return expanded


def _start_children(op: Operation, run: _GroupPass, expanded: list[tuple[Obj, Obj]]) -> bool:
    """Execute every step whose ``when`` holds; False once a ``when`` fails to evaluate (group Error)."""
    from workflows.engine.operator import Deferred

    for child_step, orig in expanded:
        child_name = run.child_name(child_step)
        template = child_step.get("template", "")
        try:
            proceed = when_true(str(child_step.get("when", "")))
        except ConditionError as err:
            if op.nodes.get(child_name) is None:
                op.nodes.init(child_name, SKIPPED_TYPE, template, run.boundary_id, ERROR, str(err))
            op.nodes.add_child(run.name, child_name)
            op.nodes.mark(run.name, ERROR, str(err))
            return False
        if not proceed:
            if op.nodes.get(child_name) is None:
                message = f"when '{child_step.get('when')}' evaluated false"
                op.nodes.init(child_name, SKIPPED_TYPE, template, run.boundary_id, SKIPPED, message)
                op.nodes.add_child(run.name, child_name)
            continue
        try:
            child = op.execute(
                child_name,
                child_step,
                child_step.get("arguments") or {},
                run.boundary_id,
                on_exit=run.on_exit,
                extra={"steps.name": orig["name"]},
                scope=run.scope_of,
            )
        except Deferred:
            continue
        if child is not None:
            op.nodes.add_child(run.name, child_name)
    return True


def _children_done(op: Operation, run: _GroupPass, sg: Obj, steps_by_name: dict[str, Obj]) -> bool:
    """Run the children's lifecycle and exit hooks; True once children and hooks have all finished."""
    done = True
    for cid in list(sg.get("children") or []):
        child = op.nodes.by_id(cid)
        step = steps_by_name.get(child["name"], {})
        if step.get("hooks") and child["type"] != SKIPPED_TYPE:
            ref = ("steps", str(step.get("name", "")))
            if not run_lifecycle_hooks(op, step["hooks"], child, run.boundary_id, ref, run.scope, run.scope_of):
                done = False
        if not fulfilled(child):
            done = False
        elif completed(child):
            exit_node = run_exit_hook(op, step, child, run.boundary_id, "steps", run.scope, run.scope_of)
            if exit_node is not None and not fulfilled(exit_node):
                done = False
    return done
