"""Step/task exit hooks (``hooks.exit`` / deprecated ``onExit``): node ``<step>.onExit``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workflows.engine.conditions import expr_eval
from workflows.engine.model import Obj
from workflows.engine.scope import add_node_to_scope
from workflows.templating import TemplateError, render_object

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
