"""Tag substitution as Argo does it (``util/template``): on the JSON form of an object.

Values are inserted JSON-string-escaped, so quotes and newlines in a parameter survive the
round trip and can never break out of the string they land in. Unknown simple tags are left
verbatim (a later pass may know them); ``strict`` prefixes (``steps.``/``tasks.``) raise instead,
which the engine reads as "not available yet".
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

_TAG = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)

ExprEvaluator = Callable[[str, Mapping[str, Any]], Any]


class TemplateError(ValueError):
    """A tag could not be resolved; ``missing`` names the variable when it was a lookup miss."""

    def __init__(self, message: str, missing: str = "") -> None:
        super().__init__(message)
        self.missing = missing


class LateBound(TemplateError):
    """An expression needs values a later pass binds (steps, tasks, item, retries): keep the tag."""


def has_tags(text: str) -> bool:
    return "{{" in text


def _escape(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)[1:-1]


def expand_keys(values: Mapping[str, Any]) -> dict[str, Any]:
    """Flat ``a.b.c`` keys into nested maps (``util/expand``); a flat key also stays addressable."""
    out: dict[str, Any] = {}
    for key in sorted(values, key=lambda k: k.count(".")):
        parts = key.split(".")
        node: dict[str, Any] = out
        for part in parts[:-1]:
            nxt = node.get(part)
            if not isinstance(nxt, dict):
                nxt = {}
                node[part] = nxt
            node = nxt
        if not isinstance(node.get(parts[-1]), dict):
            node[parts[-1]] = values[key]
    return out


def _expr_text(result: Any) -> str:
    if isinstance(result, str):
        return result
    if result is None:
        raise TemplateError("expression evaluated to nil")
    if isinstance(result, bool):
        return "true" if result else "false"
    if isinstance(result, float) and result.is_integer():
        return str(int(result))
    return json.dumps(result, separators=(",", ":"))


def render(
    text: str,
    values: Mapping[str, str],
    *,
    escape: bool = True,
    strict: tuple[str, ...] = (),
    expr: ExprEvaluator | None = None,
    expr_env: Mapping[str, Any] | None = None,
    late: tuple[str, ...] = ("item", "retries", "lastRetry", "workflow.status", "workflow.failures"),
) -> str:
    """Replace every tag in ``text``; ``escape`` JSON-escapes values (text is JSON)."""
    if "{{" not in text:
        return text
    env: Mapping[str, Any] | None = expr_env

    def replace(m: re.Match[str]) -> str:
        nonlocal env
        body = m.group(1)
        if body.startswith("="):
            if expr is None:
                return m.group(0)
            source = body[1:]
            if escape:
                source = json.loads(f'"{source}"')
            if env is None:
                env = expand_keys(values)
            try:
                out = _expr_text(expr(source, env))
            except LateBound:
                return m.group(0)
            except TemplateError:
                raise
            except Exception as err:
                if any(word in source for word in late):
                    return m.group(0)
                raise TemplateError(f"failed to evaluate expression: {err}") from err
            return _escape(out) if escape else out
        key = body.strip()
        if key in values:
            return _escape(values[key]) if escape else values[key]
        if strict and key.startswith(strict) and ".outputs.artifacts." not in key:
            raise TemplateError(f"failed to resolve {{{{{key}}}}}", missing=key)
        return m.group(0)

    return _TAG.sub(replace, text)


def render_object(
    obj: Any,
    values: Mapping[str, str],
    *,
    strict: tuple[str, ...] = (),
    expr: ExprEvaluator | None = None,
) -> Any:
    """Substitute tags in a JSON-compatible object through its JSON text, as Argo does."""
    text = json.dumps(obj, ensure_ascii=False)
    if "{{" not in text:
        return obj
    return json.loads(render(text, values, strict=strict, expr=expr))
