"""``filters.exprs``: govaluate expressions over named payload fields, as Argo's ``filterExpr``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pinnace.expressions import govaluate
from pinnace.expressions.errors import ExpressionError
from sensors import jsonpaths
from sensors.event import Event, PayloadError
from sensors.filters.base import FAIL, PASS, Outcome, is_or, multi_error, single_error

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
        if event is None:
            return single_error(FAMILY, "nil event")
        if not event.has_data:
            return PASS
        try:
            data = event.data()
        except PayloadError:
            return single_error(FAMILY, "event data not valid JSON")
        either = is_or(self.operator)
        errors: list[str] = []
        for f in self.filters:
            parameters, missing = self._parameters(f, data)
            if missing is not None:
                if not either:
                    return single_error(FAMILY, missing)
                errors.append(missing)
                continue
            if not parameters:
                continue
            try:
                result = govaluate.evaluate(f.expr, parameters)
            except ExpressionError as exc:
                if not either:
                    return single_error(FAMILY, str(exc))
                errors.append(str(exc))
                continue
            if result is True and either:
                return PASS
            if result is not True and not either:
                return FAIL
        if either:
            return multi_error(FAMILY, errors) if errors else FAIL
        return PASS

    @staticmethod
    def _parameters(f: ExprFilter, data: Any) -> tuple[dict[str, Any], str | None]:
        parameters: dict[str, Any] = {}
        for name, path in f.fields:
            value, exists = jsonpaths.get_path(data, path)
            if not exists:
                return parameters, f"path '{path}' does not exist"
            parameters[name] = _go_value(value)
        return parameters, None
