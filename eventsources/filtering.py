"""An event's optional ``filter.expression``, evaluated as Argo's ``filterEvent`` does.

Argo unmarshals the event data into a map, replaces ``-`` by ``_`` in its top-level keys,
expands dotted keys (``expr.GetFuncMap``) and evaluates the expr-lang expression with that
environment plus expr's helper functions; a non-boolean result or an evaluation error drops
the event.
"""

from __future__ import annotations

import json
from typing import Any

from pinnace.expressions.errors import ExpressionError
from pinnace.expressions.expr import Program, compile_expr, expand_env


class FilterError(ValueError):
    pass


def filter_env(data: Any) -> dict[str, Any]:
    """The expression environment for ``data`` (JSON round-tripped, as the bus will carry it)."""
    decoded = json.loads(json.dumps(data))
    if not isinstance(decoded, dict):
        raise FilterError("event data is not a JSON object")
    return expand_env({str(k).replace("-", "_"): v for k, v in decoded.items()})


class EventFilter:
    def __init__(self, expression: str) -> None:
        self.expression = expression
        try:
            self._program: Program = compile_expr(expression)
        except ExpressionError as exc:
            raise FilterError(f"invalid filter expression {expression!r}: {exc}") from None

    def matches(self, data: Any) -> tuple[bool, str | None]:
        """(passes, error message when the expression could not be evaluated)."""
        try:
            result = self._program.run(filter_env(data))
        except Exception as exc:
            return False, f"unable to evaluate expression {self.expression!r}: {exc}"
        if not isinstance(result, bool):
            return False, f"expression {self.expression!r} gave {result!r}, not a boolean"
        return result, None
