"""kubectl ``-o jsonpath=`` templates (``{.metadata.name}``, ``{.items[*].name}``, literal text)."""

from __future__ import annotations

import json
import re
from typing import Any

from pinnace.expressions.errors import ExpressionError
from pinnace.expressions.jsonpath import query


class KubePathError(ValueError):
    pass


_EXPR = re.compile(r"\{([^{}]*)\}")


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    if value is None:
        return ""
    return str(value)


def render_kube_jsonpath(template: str, obj: Any) -> str:
    """Expand every ``{...}``; several results are joined with spaces as kubectl does."""
    out: list[str] = []
    pos = 0
    for m in _EXPR.finditer(template):
        out.append(template[pos : m.start()])
        expr = m.group(1).strip()
        path = "$" + (expr[1:] if expr.startswith("$") else expr if expr.startswith((".", "[")) else "." + expr)
        try:
            value = query(path, obj)
        except ExpressionError as err:
            raise KubePathError(f"error executing jsonpath {template!r}: {err}") from err
        if isinstance(value, list) and _is_multi(path):
            out.append(" ".join(_text(v) for v in value))
        else:
            out.append(_text(value))
        pos = m.end()
    out.append(template[pos:])
    return "".join(out)


def _is_multi(path: str) -> bool:
    return any(tok in path for tok in ("[*]", "..", "[?", ":", ","))
