"""Names Argo restricts: templates, steps, DAG tasks, parameters and artifacts.

Patterns and wording from ``workflow/validate/validate.go`` (``isValidWorkflowFieldName``,
``isValidParamOrArtifactName``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pinnace.resources.base import join_path
from workflows.lint.context import SpecContext, iter_calls, iter_steps, iter_tasks, iter_templates

FIELD_NAME = re.compile(r"^[a-zA-Z0-9][-a-zA-Z0-9]*$")
FIELD_NAME_MAX = 128
FIELD_NAME_RULE = (
    "name must consist of alpha-numeric characters or '-', and must start with an alpha-numeric "
    "character (e.g. My-name1-2, 123-NAME)"
)
PARAM_NAME = re.compile(r"^[-a-zA-Z0-9_]+$")
PARAM_NAME_RULE = (
    "Parameter/Artifact name must consist of alpha-numeric characters, '_' or '-' e.g. my_param_1, MY-PARAM-1"
)
_TAG = re.compile(r"\{\{.*?\}\}")


def field_name_errors(name: str) -> list[str]:
    errs = []
    if len(name) > FIELD_NAME_MAX:
        errs.append(f"must be no more than {FIELD_NAME_MAX} characters")
    if not FIELD_NAME.match(name):
        errs.append(FIELD_NAME_RULE)
    return errs


def _check_names(
    ctx: SpecContext, what: str, items: Iterable[tuple[str, str | None]], *, param_style: bool = False
) -> None:
    """``items`` are (path of the item, its name); reports missing, invalid and repeated names."""
    seen: set[str] = set()
    for path, name in items:
        where = join_path(path, "name")
        if not name:
            ctx.error(where, f"{what} name is required")
            continue
        if param_style:
            errs = [] if PARAM_NAME.match(name) else [PARAM_NAME_RULE]
        else:
            # Step names may carry {{...}} tags that are substituted before Argo checks them.
            errs = field_name_errors(_TAG.sub("x", name))
        if errs:
            ctx.error(where, f"{what} name '{name}' is invalid: {'; '.join(errs)}")
        elif name in seen:
            ctx.error(where, f"{what} name '{name}' is not unique")
        seen.add(name)


def check_names(ctx: SpecContext) -> None:
    templates = ctx.spec.templates or []
    _check_names(ctx, "template", ((ctx.path("templates", i), t.name) for i, t in enumerate(templates)))
    for at in iter_templates(ctx):
        _check_names(ctx, "step", ((s.path, s.step.name) for s in iter_steps(at)))
        _check_names(ctx, "task", ((t.path, t.task.name) for t in iter_tasks(at)))
        for kind in ("parameters", "artifacts"):
            items = getattr(at.template.inputs, kind, None) or []
            base = join_path(at.path, "inputs", kind)
            _check_names(ctx, kind[:-1], ((join_path(base, i), p.name) for i, p in enumerate(items)),
                         param_style=True)
        for call_path, call in iter_calls(at):
            _check_argument_names(ctx, join_path(call_path, "arguments"), call.arguments)
    _check_argument_names(ctx, ctx.path("arguments"), ctx.spec.arguments)


def _check_argument_names(ctx: SpecContext, path: str, args: object) -> None:
    for kind in ("parameters", "artifacts"):
        items = getattr(args, kind, None) or []
        base = join_path(path, kind)
        _check_names(ctx, kind[:-1], ((join_path(base, i), p.name) for i, p in enumerate(items)),
                     param_style=True)
