"""expr-lang (github.com/expr-lang/expr) as Argo Workflows evaluates it.

``compile_expr(source)`` parses once (cached) and raises ExpressionError with a ``(line:column)``
position; ``Program.run(env)`` evaluates against a mapping of names. Argo's additions are always
available: ``asInt``, ``asFloat``, ``jsonpath``, ``toJson`` and the ``sprig`` function map. Use
``expand_env`` to turn Argo's flat variable names (``steps.a.outputs.result``) into the nested maps
expressions navigate, and ``to_template_string`` to render a result where Argo inserts it into text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pinnace.expressions.errors import ExpressionError
from pinnace.expressions.expr_builtins import ARGO_ENV
from pinnace.expressions.expr_eval import Interpreter
from pinnace.expressions.expr_parser import Node, parse
from pinnace.expressions.goformat import to_json


@dataclass(frozen=True)
class Program:
    source: str
    root: Node

    def run(self, env: Mapping[str, Any] | None = None) -> Any:
        scope: dict[str, Any] = dict(ARGO_ENV)
        if env:
            scope.update(env)
        return Interpreter(self.source, scope).run(self.root)


@lru_cache(maxsize=2048)
def compile_expr(source: str) -> Program:
    """Parse an expr-lang program; raises ExpressionError naming the line and column."""
    if not source.strip():
        raise ExpressionError("unexpected token EOF (1:1)", source=source, position=0)
    return Program(source, parse(source))


def evaluate(source: str, env: Mapping[str, Any] | None = None) -> Any:
    return compile_expr(source).run(env)


def to_template_string(value: Any) -> str:
    """How Argo writes an ``{{= … }}`` result into text: strings as they are, anything else as Go JSON."""
    if isinstance(value, str):
        return value
    return to_json(value)


def expand_env(flat: Mapping[str, Any]) -> dict[str, Any]:
    """Argo's ``expand.Expand``: ``{"a.b": 1}`` → ``{"a": {"b": 1}}``.

    A key that is also a prefix of a longer key (``a`` beside ``a.b``) is dropped, as Argo's
    ``removeConflicts`` does, because a name cannot be both a value and a map.
    """
    keys = sorted(flat)
    out: dict[str, Any] = {}
    for i, key in enumerate(keys):
        if i + 1 < len(keys) and keys[i + 1].startswith(key + "."):
            continue
        parts = key.split(".")
        node = out
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        node[parts[-1]] = flat[key]
    return out
