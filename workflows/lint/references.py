"""Template references within one document: entrypoint, onExit, steps, tasks and hooks.

``templateRef`` points into another WorkflowTemplate, which one file cannot see; only its shape
is checked. A Workflow that uses ``workflowTemplateRef`` takes its templates from elsewhere, so
its entrypoint and exit handler are not checked either.
"""

from __future__ import annotations

from pinnace.resources.base import join_path
from workflows.lint.context import SpecContext, is_templated, iter_calls, iter_hooks, iter_templates
from workflows.spec.common import LifecycleHook, TemplateRef
from workflows.spec.template import WorkflowStep


def undefined(name: str) -> str:
    return f"template '{name}' is not defined"


def check_references(ctx: SpecContext) -> None:
    _check_spec_level(ctx)
    for at in iter_templates(ctx):
        for path, call in iter_calls(at):
            _check_call(ctx, path, call)


def _check_spec_level(ctx: SpecContext) -> None:
    spec = ctx.spec
    if ctx.uses_template_ref:
        if spec.templates:
            ctx.error(ctx.path("templates"),
                      "Templates is invalid field in spec if workflow referred WorkflowTemplate reference")
        return
    if not spec.entrypoint:
        if ctx.submittable:
            ctx.error(ctx.path("entrypoint"), "entrypoint is required: name the template to run first")
    else:
        _check_name(ctx, ctx.path("entrypoint"), spec.entrypoint)
    if spec.on_exit:
        _check_name(ctx, ctx.path("onExit"), spec.on_exit)
    for path, _, hook in iter_hooks(ctx.base, spec.hooks):
        _check_hook(ctx, path, hook)


def _check_name(ctx: SpecContext, path: str, name: str) -> None:
    if not is_templated(name) and name not in ctx.templates:
        ctx.error(path, undefined(name))


def _check_template_ref(ctx: SpecContext, path: str, ref: TemplateRef) -> None:
    if not ref.name:
        ctx.error(join_path(path, "name"), "templateRef.name is required: name the WorkflowTemplate")
    if not ref.template:
        ctx.error(join_path(path, "template"), "templateRef.template is required: name a template in it")


def _check_call(ctx: SpecContext, path: str, call: WorkflowStep) -> None:
    given = [f for f, v in (("template", call.template), ("templateRef", call.template_ref),
                            ("inline", call.inline)) if v is not None]
    if len(given) > 1:
        ctx.error(path, f"use only one of template, templateRef and inline (found {', '.join(given)})")
    elif not given:
        ctx.error(path, "one of template, templateRef or inline is required")
    if call.template is not None:
        _check_name(ctx, join_path(path, "template"), call.template)
    if call.template_ref is not None:
        _check_template_ref(ctx, join_path(path, "templateRef"), call.template_ref)
    if call.on_exit:
        _check_name(ctx, join_path(path, "onExit"), call.on_exit)
    for hook_path, _, hook in iter_hooks(path, call.hooks):
        _check_hook(ctx, hook_path, hook)


def _check_hook(ctx: SpecContext, path: str, hook: LifecycleHook) -> None:
    if hook.template is not None and hook.template_ref is not None:
        ctx.error(path, "template name cannot be specified with templateRef")
    elif hook.template is None and hook.template_ref is None:
        ctx.error(path, "one of template or templateRef is required")
    if hook.template is not None:
        _check_name(ctx, join_path(path, "template"), hook.template)
    if hook.template_ref is not None:
        _check_template_ref(ctx, join_path(path, "templateRef"), hook.template_ref)


def check_hooks(ctx: SpecContext) -> None:
    """Every hook except ``exit`` fires on an expression, so it must have one."""
    holders: list[tuple[str, dict[str, LifecycleHook] | None]] = [(ctx.base, ctx.spec.hooks)]
    for at in iter_templates(ctx):
        holders.extend((path, call.hooks) for path, call in iter_calls(at))
    for base, hooks in holders:
        for path, name, hook in iter_hooks(base, hooks):
            if name != "exit" and not hook.expression:
                ctx.error(join_path(path, "expression"),
                          f"hook '{name}' needs an expression (only the 'exit' hook runs without one)")
