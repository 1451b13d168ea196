"""The two CronWorkflow expressions: ``when`` (may a tick run?) and ``stopStrategy`` (stop for good?).

Both see the same ``cronworkflow.*`` variables (Argo ``operator.go expressionEnv``). ``when`` is a
template: its tags (usually one ``{{= … }}`` expr-lang tag) are substituted first and the text is
then checked with govaluate, as Argo's ``evalWhen`` does. ``stopStrategy.expression`` is plain
expr-lang and must give a boolean. ``now()`` reads the controller's clock, so a test clock governs
expressions too.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any

from pinnace.expressions.errors import ExpressionError
from pinnace.expressions.expr import evaluate, to_template_string
from pinnace.expressions.govaluate import should_execute

_TAG = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


def cron_variables(
    name: str,
    namespace: str,
    labels: Mapping[str, str],
    annotations: Mapping[str, str],
    succeeded: int,
    failed: int,
    last_scheduled: dt.datetime | None,
) -> dict[str, Any]:
    """The ``cronworkflow.*`` scope, keyed without the prefix."""
    return {
        "name": name,
        "namespace": namespace,
        "labels": dict(labels),
        # Argo (v3.6 to v4) passes the labels here too; the annotations are what the name promises.
        "annotations": dict(annotations),
        "labels.json": json.dumps(dict(labels), separators=(",", ":")),
        "annotations.json": json.dumps(dict(annotations), separators=(",", ":")),
        "succeeded": succeeded,
        "failed": failed,
        "lastScheduledTime": last_scheduled,
    }


def _scope(variables: Mapping[str, Any], now: dt.datetime) -> dict[str, Any]:
    return {"cronworkflow": dict(variables), "now": lambda: now}


def _simple_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return to_template_string(value)


def _expr_text(value: Any, source: str) -> str:
    if value is None:
        raise ExpressionError(f"failed to evaluate expression {source!r}: the result is nil")
    if isinstance(value, bool):
        return "true" if value else "false"
    return to_template_string(value)


def substitute_when(when: str, variables: Mapping[str, Any], now: dt.datetime) -> str:
    """Replace the tags of ``when``; an unknown variable is an error (Argo resolves strictly here)."""
    scope = _scope(variables, now)

    def replace(m: re.Match[str]) -> str:
        body = m.group(1)
        if body.startswith("="):
            source = body[1:]
            return _expr_text(evaluate(source, scope), source)
        key = body.strip()
        if key.startswith("cronworkflow.") and key[len("cronworkflow.") :] in variables:
            return _simple_text(variables[key[len("cronworkflow.") :]])
        raise ExpressionError(f"failed to resolve {{{{{key}}}}}")

    return _TAG.sub(replace, when)


def when_allows(when: str | None, variables: Mapping[str, Any], now: dt.datetime) -> bool:
    """Raise ExpressionError when ``when`` cannot be evaluated to a boolean."""
    if not when:
        return True
    return should_execute(substitute_when(when, variables, now))


def should_stop(expression: str, variables: Mapping[str, Any], now: dt.datetime) -> bool:
    """Evaluate ``stopStrategy.expression``; raise ExpressionError unless it gives a boolean."""
    try:
        result = evaluate(expression, _scope(variables, now))
    except ExpressionError as exc:
        raise ExpressionError(f"failed to evaluate stop expression: unable to evaluate expression "
                              f"'{expression}': {exc}") from None
    if not isinstance(result, bool):
        raise ExpressionError(f"failed to evaluate stop expression: unable to cast expression result "
                              f"'{to_template_string(result)}' to bool")
    return result
