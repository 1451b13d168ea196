"""Step/task hooks: the exit hook (``hooks.exit`` / deprecated ``onExit``, node ``<step>.onExit``)
and lifecycle hooks with an ``expression`` (node ``<step>.hooks.<name>``, ``hooks.go``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workflows.engine.conditions import expr_eval
from workflows.engine.model import FULFILLED, Obj
from workflows.engine.scope import add_node_to_scope
from workflows.templating import TemplateError, expand_keys, render_object

if TYPE_CHECKING:
    from workflows.engine.operator import Operation


def exit_hook(step: Obj) -> Obj | None:
    hooks = step.get("hooks") or {}
    if "exit" in hooks:
        return dict(hooks["exit"])
    if step.get("onExit"):
        return {"template": step["onExit"]}
    return None


def run_exit_hook(
    op: Operation,
    step: Obj,
    parent: Obj,
    boundary_id: str,
    prefix: str,
    scope: dict[str, str],
    template_scope: str = "",
) -> Obj | None:
    """Start or advance the exit hook of a completed step/task; None when it has none."""
    from workflows.engine.operator import Deferred

    hook = exit_hook(step)
    if hook is None or op.shutdown == "Terminate":
        return None
    name = f"{parent['name']}.onExit"
    local = dict(scope)
    add_node_to_scope(local, prefix, step.get("name", ""), parent, op.nodes)
    try:
        args = render_object(hook.get("arguments") or {}, {**op.globals, **local}, expr=expr_eval)
    except TemplateError:
        args = hook.get("arguments") or {}
    holder = {k: v for k, v in hook.items() if k in ("template", "templateRef", "inline")}
    try:
        node = op.execute(name, holder, args, boundary_id, on_exit=True, hooked=True, scope=template_scope)
    except Deferred:
        return op.nodes.get(name) or {"phase": "Pending"}
    op.nodes.add_child(parent["name"], name)
    return node


def run_lifecycle_hooks(
    op: Operation,
    hooks: Obj,
    parent: Obj,
    boundary_id: str,
    ref: tuple[str, str],
    scope: dict[str, str],
    template_scope: str = "",
) -> bool:
    """``executeTmplLifeCycleHook`` / ``executeWfLifeCycleHook``: fire each hook (other than
    ``exit``) once its ``expression`` is true, as node ``<parent>.hooks.<name>``; True when every
    triggered hook is fulfilled. ``ref`` = (``steps``|``tasks``|"", name) puts the hooked node's
    own status in the expression's scope.
    """
    from workflows.engine.operator import Deferred

    done = True
    for hook_name in sorted(hooks or {}):
        hook = hooks[hook_name] or {}
        if hook_name == "exit":
            continue
        name = f"{parent['name']}.hooks.{hook_name}"
        local = dict(scope)
        if ref[0]:
            add_node_to_scope(local, ref[0], ref[1], parent, op.nodes)
        if op.nodes.get(name) is None and not _fires(str(hook.get("expression") or ""), {**op.globals, **local}):
            continue
        try:
            args = render_object(hook.get("arguments") or {}, {**op.globals, **local}, expr=expr_eval)
        except TemplateError:
            args = hook.get("arguments") or {}
        holder = {k: v for k, v in hook.items() if k in ("template", "templateRef", "inline")}
        try:
            node = op.execute(name, holder, args, boundary_id, hooked=True, scope=template_scope)
        except Deferred:
            done = False
            continue
        op.nodes.add_child(parent["name"], name)
        if node is None or node["phase"] not in FULFILLED:
            done = False
    return done


def _fires(expression: str, values: dict[str, str]) -> bool:
    if not expression.strip():
        return False
    try:
        return expr_eval(expression, expand_keys(values)) is True
    except Exception:
        # A name not in scope yet (e.g. a step that has not started) is "not yet", not an error.
        return False


def hooks_fulfilled(op: Operation, node: Obj) -> bool:
    """Whether every lifecycle hook triggered on ``node`` has finished."""
    prefix = f"{node['name']}.hooks."
    for cid in node.get("children") or []:
        child = op.nodes.nodes.get(cid)
        if child is not None and child["name"].startswith(prefix) and child["phase"] not in FULFILLED:
            return False
    return True
