"""A dependency's filters, compiled once and combined as Argo's ``filterEvent`` combines them.

``filtersLogicalOperator: or`` passes when any configured family passes (errors are logged but do
not stop another family from passing); the default ``and`` needs every family and stops at the
first error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sensors import lua
from sensors.event import Event
from sensors.filters.base import LIST_SEPARATOR, PASS, FilterFamily, Outcome, is_or
from sensors.filters.context import ContextFilter
from sensors.filters.data import DataFilters
from sensors.filters.exprs import ExprFilters
from sensors.filters.query import QueryFilter
from sensors.filters.script import ScriptFilter
from sensors.filters.time import TimeFilter

__all__ = ["DependencyFilter", "Outcome", "UnsupportedFilter", "compile_filters"]


class UnsupportedFilter(ValueError):
    """A filter family pinnace does not run (Lua ``script``); the message names the field."""


@dataclass
class DependencyFilter:
    # Evaluation order is Argo's: exprs, data, context, time, script, then our JMESPath query.
    families: list[FilterFamily] = field(default_factory=list)
    operator: str = ""

    def evaluate(self, event: Event) -> Outcome:
        if not self.families:
            return PASS
        either = is_or(self.operator)
        passed = False
        errors: list[str] = []
        for family in self.families:
            outcome = family.evaluate(event)
            if outcome.error is not None:
                if not either or getattr(family, "fatal_errors", False):
                    return outcome
                errors.append(outcome.error)
            if either:
                passed = passed or outcome.passed
            elif not outcome.passed:
                # Argo evaluates every family before deciding; only errors short-circuit. A later
                # family cannot turn a failure into a pass, but it can still report an error.
                rest = self.families[self.families.index(family) + 1 :]
                for later in rest:
                    later_outcome = later.evaluate(event)
                    if later_outcome.error is not None:
                        return later_outcome
                return Outcome(False)
        if errors:
            return Outcome(passed, LIST_SEPARATOR.join(errors))
        return Outcome(passed) if either else PASS


def compile_filters(
    filters: dict[str, Any] | None, operator: str | None = None, where: str = "filters"
) -> DependencyFilter:
    """Build the filter of one dependency from its wire (camelCase) ``filters`` object."""
    if not filters:
        return DependencyFilter([], operator or "")
    families: list[FilterFamily] = []
    if filters.get("exprs") is not None:
        families.append(ExprFilters.from_wire(filters["exprs"], filters.get("exprLogicalOperator")))
    if filters.get("data"):
        families.append(DataFilters.from_wire(filters["data"], filters.get("dataLogicalOperator")))
    if filters.get("context") is not None:
        families.append(ContextFilter.from_wire(filters["context"]))
    if filters.get("time") is not None:
        families.append(TimeFilter.from_wire(filters["time"]))
    if filters.get("script"):
        try:
            lua.check_available()
        except lua.LuaUnavailable as exc:
            raise UnsupportedFilter(f"{where}.script: {exc}; or use filters.exprs or filters.jmespath") from None
        families.append(ScriptFilter(str(filters["script"])))
    if filters.get("jmespath"):
        families.append(QueryFilter(str(filters["jmespath"]), f"{where}.jmespath"))
    return DependencyFilter(families, operator or "")
