"""``filters.exprs``: govaluate expressions over named payload fields, as Argo's ``filterExpr``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pinnace.expressions import govaluate
from pinnace.expressions.errors import ExpressionError
from sensors import jsonpaths
from sensors.event import Event
from sensors.filters.base import PASS, Outcome, Verdict, combine, on_payload

FAMILY = "expr"


def _go_value(value: Any) -> Any:
    """gjson ``Value()``: every JSON number is a float64."""
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


@dataclass
class ExprFilter:
    expr: str
    fields: list[tuple[str, str]]  # (name, path)


@dataclass
class ExprFilters:
    filters: list[ExprFilter]
    operator: str = ""

    @classmethod
    def from_wire(cls, items: list[dict[str, Any]], operator: str | None) -> ExprFilters:
        return cls(
            [
                ExprFilter(
                    expr=str(item.get("expr", "")),
                    fields=[(str(f.get("name", "")), str(f.get("path", ""))) for f in item.get("fields") or []],
                )
                for item in items
            ],
            operator or "",
        )

    def evaluate(self, event: Event | None) -> Outcome:
        if not self.filters:
            return PASS
        return on_payload(FAMILY, event, "nil event", self._decide)

    def _decide(self, data: Any) -> Outcome:
        return combine(FAMILY, self.operator, (self._verdict(f, data) for f in self.filters))

    @classmethod
    def _verdict(cls, f: ExprFilter, data: Any) -> Verdict:
        parameters, missing = cls._parameters(f, data)
        if missing is not None:
            return missing
        if not parameters:
            return None
        try:
            return govaluate.evaluate(f.expr, parameters) is True
        except ExpressionError as exc:
            return str(exc)

    @staticmethod
    def _parameters(f: ExprFilter, data: Any) -> tuple[dict[str, Any], str | None]:
        parameters: dict[str, Any] = {}
        for name, path in f.fields:
            value, exists = jsonpaths.get_path(data, path)
            if not exists:
                return parameters, f"path '{path}' does not exist"
            parameters[name] = _go_value(value)
        return parameters, None
