"""Template types: exactly one per template, and the types pinnace does not run."""

from __future__ import annotations

import re

import yaml

from pinnace.resources.base import join_path
from workflows.lint.context import SpecContext, TemplateAt, iter_templates
from workflows.spec.template import TEMPLATE_TYPES

UNSUPPORTED_TYPES: frozenset[str] = frozenset({"plugin", "data"})
"""Template types that parse but that the pinnace engine will not execute: executor plugins run in
Argo's agent pod, and data templates list artifact repositories pinnace does not talk to."""

RETRY_POLICIES = ("Always", "OnFailure", "OnError", "OnTransientError")
RESOURCE_ACTIONS = ("get", "create", "apply", "delete", "replace", "patch")
NON_LEAF = ("steps", "dag")
_TAG = re.compile(r"{{.*?}}", re.S)


def check_types(ctx: SpecContext) -> None:
    for at in iter_templates(ctx):
        kinds = at.template.types()
        if not kinds:
            ctx.error(at.path, f"template type unspecified. choose one of: {', '.join(TEMPLATE_TYPES)}")
            continue
        if len(kinds) > 1:
            ctx.error(at.path, f"multiple template types specified ({', '.join(kinds)}); choose one")
            continue
        kind = kinds[0]
        if kind in UNSUPPORTED_TYPES:
            ctx.problems.unsupported(at.path, f"template type '{kind}' is not supported by pinnace")
        _check_shape(ctx, at, kind)


def _check_shape(ctx: SpecContext, at: TemplateAt, kind: str) -> None:
    """Fields that only make sense for some template types (``validateNonLeaf``/``validateLeaf``)."""
    tmpl = at.template
    if kind in NON_LEAF:
        if tmpl.active_deadline_seconds is not None:
            ctx.error(join_path(at.path, "activeDeadlineSeconds"),
                      "activeDeadlineSeconds is only valid for leaf templates")
        if tmpl.timeout is not None:
            ctx.error(join_path(at.path, "timeout"), f"{kind} template doesn't support timeout field")
        if tmpl.pending_timeout is not None:
            ctx.error(join_path(at.path, "pendingTimeout"), f"{kind} template doesn't support pendingTimeout field")
    elif tmpl.parallelism is not None:
        ctx.error(join_path(at.path, "parallelism"), "parallelism is only valid for steps and dag templates")
    policy = tmpl.retry_strategy.retry_policy if tmpl.retry_strategy else None
    if policy and policy not in RETRY_POLICIES:
        ctx.error(join_path(at.path, "retryStrategy", "retryPolicy"),
                  f"'{policy}' is not a valid RetryPolicy; use one of {', '.join(RETRY_POLICIES)}")
    if kind in ("container", "script"):
        _check_image(ctx, at, kind)
    if kind == "resource":
        _check_resource(ctx, at)


def _check_image(ctx: SpecContext, at: TemplateAt, kind: str) -> None:
    body = at.template.container if kind == "container" else at.template.script
    defaults = ctx.spec.template_defaults
    default_body = getattr(defaults, kind, None) if defaults is not None else None
    if body is not None and not body.image and not getattr(default_body, "image", None):
        ctx.error(join_path(at.path, kind, "image"), f"{kind}.image may not be empty")


def _check_resource(ctx: SpecContext, at: TemplateAt) -> None:
    res = at.template.resource
    if res is None:
        return
    path = join_path(at.path, "resource")
    if res.action not in RESOURCE_ACTIONS and "{{" not in res.action:
        ctx.error(join_path(path, "action"), f"resource.action must be one of: {', '.join(RESOURCE_ACTIONS)}")
    if res.action in ("get", "delete"):
        return
    if res.manifest is None and res.manifest_from is None:
        ctx.error(path, "either resource.manifest or resource.manifestFrom must be specified")
    elif res.manifest is not None and res.manifest_from is not None:
        ctx.error(path, "shouldn't have both `manifest` and `manifestFrom` specified in `Manifest` "
                  "for resource template")
    elif res.manifest is not None and not _is_yaml(res.manifest):
        ctx.error(join_path(path, "manifest"), "resource.manifest must be a valid yaml")


def _is_yaml(text: str) -> bool:
    # Tags are substituted before Argo parses the manifest, and may hold YAML-significant characters.
    try:
        yaml.safe_load(_TAG.sub("placeholder", text))
    except yaml.YAMLError:
        return False
    return True
