"""Durations that must parse: suspend, retry backoff, template timeouts, memoize ``maxAge``.

Argo reads most of these leniently (a bare number means seconds); ``timeout`` and
``pendingTimeout`` are Go durations and need a unit. Values holding ``{{...}}`` are only known at
run time and are left alone.
"""

from __future__ import annotations

from collections.abc import Iterator

from pinnace.resources.base import join_path
from pinnace.resources.durations import DurationError, parse_duration, parse_go_duration
from workflows.lint.context import SpecContext, TemplateAt, iter_templates
from workflows.spec.common import RetryStrategy
from workflows.spec.template import Template

_UNIT_HINT = "write a number with a unit such as '30s', '5m' or '1h30m'"


def _lenient(ctx: SpecContext, path: str, value: str | int | None) -> None:
    if value is None or isinstance(value, int) or "{{" in value:
        return
    try:
        parse_duration(value)
    except DurationError:
        ctx.error(path, f"invalid duration '{value}': {_UNIT_HINT}, or a number of seconds")


def _strict(ctx: SpecContext, path: str, value: str | None, field: str) -> None:
    if value is None or "{{" in value:
        return
    try:
        parse_go_duration(value)
    except DurationError:
        ctx.error(path, f"invalid duration format in {field}: '{value}' ({_UNIT_HINT})")


def _retry(ctx: SpecContext, path: str, retry: RetryStrategy | None) -> None:
    if retry is None or retry.backoff is None:
        return
    backoff = retry.backoff
    base = join_path(path, "retryStrategy", "backoff")
    _lenient(ctx, join_path(base, "duration"), backoff.duration)
    _lenient(ctx, join_path(base, "cap"), backoff.cap)
    _lenient(ctx, join_path(base, "maxDuration"), backoff.max_duration)


def _templates(ctx: SpecContext) -> Iterator[TemplateAt]:
    yield from iter_templates(ctx)
    if ctx.spec.template_defaults is not None:
        yield TemplateAt(ctx.path("templateDefaults"), ctx.spec.template_defaults)


def _check_template(ctx: SpecContext, path: str, tmpl: Template) -> None:
    if tmpl.suspend is not None:
        _lenient(ctx, join_path(path, "suspend", "duration"), tmpl.suspend.duration)
    _retry(ctx, path, tmpl.retry_strategy)
    _strict(ctx, join_path(path, "timeout"), tmpl.timeout, "timeout")
    _strict(ctx, join_path(path, "pendingTimeout"), tmpl.pending_timeout, "pendingTimeout")
    if tmpl.memoize is not None:
        _strict(ctx, join_path(path, "memoize", "maxAge"), tmpl.memoize.max_age, "maxAge")
    cs = tmpl.container_set
    if cs is not None and cs.retry_strategy is not None:
        _lenient(ctx, join_path(path, "containerSet", "retryStrategy", "duration"), cs.retry_strategy.duration)
    ads = tmpl.active_deadline_seconds
    if isinstance(ads, str) and "{{" not in ads and not (ads.isdigit() and int(ads) > 0):
        ctx.error(join_path(path, "activeDeadlineSeconds"),
                  "activeDeadlineSeconds must be a positive integer > 0 or an argo variable")


def check_durations(ctx: SpecContext) -> None:
    _retry(ctx, ctx.base, ctx.spec.retry_strategy)
    for at in _templates(ctx):
        _check_template(ctx, at.path, at.template)
