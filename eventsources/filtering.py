"""An event's optional ``filter.expression``, evaluated as Argo's ``filterEvent`` does.

Argo unmarshals the event data into a map, replaces ``-`` by ``_`` in its top-level keys and
evaluates the expr-lang expression with those keys (plus expr's helper functions) as the
environment; a non-boolean result or an evaluation error drops the event.
"""

from __future__ import annotations

import importlib
import json
from typing import Any


class FilterError(ValueError):
    pass


def filter_env(data: Any) -> dict[str, Any]:
    """The expression environment for ``data`` (JSON round-tripped, as the bus will carry it)."""
    decoded = json.loads(json.dumps(data))
    if not isinstance(decoded, dict):
        raise FilterError("event data is not a JSON object")
    return {str(k).replace("-", "_"): v for k, v in decoded.items()}


def _evaluator() -> Any:
    # Imported on first use: the expression language lives in another plane of the project.
    return importlib.import_module("pinnace.expressions.expr")


class EventFilter:
    def __init__(self, expression: str) -> None:
        self.expression = expression
        self._expr = _evaluator()
        compile_fn = getattr(self._expr, "compile", None)
        if compile_fn is not None:
            try:
                compile_fn(expression)
            except Exception as exc:
                raise FilterError(f"invalid filter expression {expression!r}: {exc}") from None

    def matches(self, data: Any) -> tuple[bool, str | None]:
        """(passes, error message when the expression could not be evaluated)."""
        try:
            env = filter_env(data)
            result = self._expr.evaluate(self.expression, env)
        except Exception as exc:
            return False, f"unable to evaluate expression {self.expression!r}: {exc}"
        if not isinstance(result, bool):
            return False, f"expression {self.expression!r} gave {result!r}, not a boolean"
        return result, None
