"""``filters.jmespath`` (pinnace extension): one JMESPath expression over the payload, compiled once.

The event passes when the result is truthy in JMESPath's sense (not null, false, or empty).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import jmespath
from jmespath.exceptions import JMESPathError
from jmespath.parser import ParsedResult

from sensors.event import Event, PayloadError
from sensors.filters.base import FAIL, PASS, Outcome, single_error

FAMILY = "jmespath"


def compile_query(expression: str, where: str) -> ParsedResult:
    """Compile once at sensor start; a syntax error names the field and the position."""
    try:
        return jmespath.compile(expression)
    except JMESPathError as exc:
        raise ValueError(f"{where}: invalid JMESPath expression {expression!r}: {exc}") from None


def truthy(value: Any) -> bool:
    return value not in (None, False, "", [], {})


@dataclass
class QueryFilter:
    expression: str
    where: str = "filters.jmespath"
    _compiled: ParsedResult = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._compiled = compile_query(self.expression, self.where)

    def evaluate(self, event: Event | None) -> Outcome:
        if event is None:
            return single_error(FAMILY, "nil event")
        try:
            data = event.data()
        except PayloadError:
            return single_error(FAMILY, "event data not valid JSON")
        try:
            result = self._compiled.search(data)
        except JMESPathError as exc:
            return single_error(FAMILY, f"{self.expression!r}: {exc}")
        return PASS if truthy(result) else FAIL
