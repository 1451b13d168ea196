"""Parameters: arguments need values, enums hold their values, template inputs get supplied.

Follows ``validateArgumentsValues`` (``workflow/validate/validate.go``) and ``ProcessArgs``
(``workflow/common/util.go``): an input parameter is supplied by the caller's argument of the same
name, else by its own ``value``/``default``, else by ``valueFrom.configMapKeyRef``; otherwise
``inputs.parameters.<name> was not supplied``.
"""

from __future__ import annotations

from pinnace.resources.base import join_path
from workflows.lint.context import SpecContext, is_templated, iter_calls, iter_templates, parameters
from workflows.spec.common import Arguments, Parameter
from workflows.spec.template import Template, WorkflowStep

_ARGUMENT_SOURCES = ("config_map_key_ref", "event", "supplied")
_OUTPUT_SOURCES = ("path", "json_path", "jq_filter", "parameter", "expression")


def check_parameters(ctx: SpecContext) -> None:
    _check_arguments(ctx, ctx.path("arguments"), ctx.spec.arguments, allow_empty=not ctx.submittable)
    for at in iter_templates(ctx):
        for path, call in iter_calls(at):
            _check_arguments(ctx, join_path(path, "arguments"), call.arguments, allow_empty=False)
            _check_call_inputs(ctx, path, call)
    if ctx.submittable and not ctx.uses_template_ref:
        _check_entry_inputs(ctx, ctx.spec.entrypoint, "entrypoint")
        _check_entry_inputs(ctx, ctx.spec.on_exit, "exit handler")


def _check_arguments(ctx: SpecContext, path: str, args: Arguments | None, *, allow_empty: bool) -> None:
    for i, param in enumerate(parameters(args)):
        at = join_path(path, "parameters", i)
        if param.value is None and param.value_from is None and not allow_empty:
            ctx.error(at, f"parameter '{param.name}': value or valueFrom is required")
        vf = param.value_from
        if vf is not None and (
            not any(getattr(vf, f) is not None for f in _ARGUMENT_SOURCES)
            or any(getattr(vf, f) is not None for f in _OUTPUT_SOURCES)
        ):
            ctx.error(join_path(at, "valueFrom"),
                      f"parameter '{param.name}': valueFrom only allows: default, configMapKeyRef and supplied")
        _check_enum(ctx, at, param)


def _check_enum(ctx: SpecContext, path: str, param: Parameter) -> None:
    if param.enum is None:
        return
    if not param.enum:
        ctx.error(join_path(path, "enum"), f"parameter '{param.name}': enum should contain at least one value")
        return
    value = param.value
    if value is not None and not is_templated(value) and value not in param.enum:
        allowed = ", ".join(f"'{v}'" for v in param.enum)
        ctx.error(join_path(path, "value"),
                  f"parameter '{param.name}': value '{value}' should be present in the enum list ({allowed})")


def missing_inputs(tmpl: Template, args: Arguments | None) -> list[str]:
    """Input parameters of ``tmpl`` that neither ``args`` nor the template itself give a value."""
    given = {p.name: p for p in parameters(args)}
    out = []
    inputs = tmpl.inputs.parameters if tmpl.inputs is not None else None
    for param in inputs or []:
        arg = given.get(param.name)
        if arg is not None:
            # An argument without value/valueFrom is reported on the argument itself.
            continue
        from_config_map = param.value_from is not None and param.value_from.config_map_key_ref is not None
        if param.value is None and param.default is None and not from_config_map:
            out.append(param.name)
    return out


def _called_template(ctx: SpecContext, call: WorkflowStep) -> Template | None:
    if call.inline is not None:
        return call.inline
    if call.template is not None and call.template_ref is None:
        return ctx.templates.get(call.template)
    return None


def _check_call_inputs(ctx: SpecContext, path: str, call: WorkflowStep) -> None:
    tmpl = _called_template(ctx, call)
    if tmpl is None:
        return
    name = tmpl.name or "inline"
    for param in missing_inputs(tmpl, call.arguments):
        ctx.error(join_path(path, "arguments", "parameters"),
                  f"inputs.parameters.{param} was not supplied: template '{name}' needs it "
                  "(pass it in arguments.parameters or give the input a default)")


def _check_entry_inputs(ctx: SpecContext, name: str | None, role: str) -> None:
    tmpl = ctx.templates.get(name) if name else None
    if tmpl is None:
        return
    for param in missing_inputs(tmpl, ctx.spec.arguments):
        ctx.error(ctx.path("arguments", "parameters"),
                  f"inputs.parameters.{param} was not supplied: {role} template '{name}' needs it "
                  "(set it in spec.arguments.parameters or give the input a default)")
