"""``filters.data``: compare a field of the payload (gjson path) to values, as Argo's ``filterData``.

Each value list is compiled once (regexes, numbers, booleans). A value that cannot be compiled
stays an error and is reported only when evaluation reaches it, which is when Argo reports it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pinnace.expressions.errors import ExpressionError
from pinnace.expressions.goregex import compile_go_regex
from pinnace.expressions.gotemplate import render as render_template
from pinnace.expressions.paths import result_string
from sensors import jsonpaths
from sensors.event import Event
from sensors.filters.base import PASS, Outcome, combine, on_payload
from sensors.jsonvalues import gjson_bool, gjson_float, parse_go_bool, parse_go_float

FAMILY = "data"
_NUMBER_COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">=": lambda e, f: e >= f,
    ">": lambda e, f: e > f,
    "<": lambda e, f: e < f,
    "<=": lambda e, f: e <= f,
    "!=": lambda e, f: e != f,
    "=": lambda e, f: e == f,
    "": lambda e, f: e == f,
}


@dataclass(frozen=True)
class _Mismatch:
    """Raised inside one data filter: either an error message or a plain "no value matched"."""

    error: str | None = None


def _compile_values(kind: str, values: list[str]) -> list[Any]:
    parsers: dict[str, Callable[[str], Any]] = {
        "bool": parse_go_bool,
        "number": parse_go_float,
        "string": compile_go_regex,
    }
    parse = parsers.get(kind, str)
    out: list[Any] = []
    for value in values:
        try:
            out.append(parse(value))
        except (ValueError, ExpressionError) as exc:
            out.append(exc)
    return out


@dataclass
class DataFilter:
    path: str
    type: str
    values: list[str]
    comparator: str = ""
    template: str = ""
    _compiled: list[Any] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._compiled = _compile_values(self.type, self.values)

    def match(self, data: Any) -> bool | _Mismatch:
        """True when a value matches; a :class:`_Mismatch` carrying an error when evaluation failed."""
        value, exists = jsonpaths.get_path(data, self.path)
        if not exists:
            return _Mismatch(f"path '{self.path}' does not exist")
        if not self.values:
            return _Mismatch("no values specified")
        if self.template:
            try:
                out = render_template(self.template, {"Input": result_string(value)})
            except ExpressionError as exc:
                return _Mismatch(str(exc))
            if out in ("", "<no value>"):
                return _Mismatch(f"template '{self.template}' evaluated to empty string or no value")
            value = out
        matcher = _MATCHERS.get(self.type)
        if matcher is None:
            return _Mismatch(f"unsupported JSON type '{self.type}'")
        return matcher(self, value)


def _match_bool(f: DataFilter, value: Any) -> bool | _Mismatch:
    actual = gjson_bool(value)
    for want in f._compiled:
        if isinstance(want, Exception):
            return _Mismatch(str(want))
        if want == actual:
            return True
    return False


def _never(event_value: float, filter_value: float) -> bool:
    return False


def _match_number(f: DataFilter, value: Any) -> bool | _Mismatch:
    actual = gjson_float(value)
    compare = _NUMBER_COMPARE.get(f.comparator, _never)
    for want in f._compiled:
        if isinstance(want, Exception):
            return _Mismatch(str(want))
        if compare(actual, want):
            return True
    return False


def _match_string(f: DataFilter, value: Any) -> bool | _Mismatch:
    text = result_string(value)
    for pattern in f._compiled:
        if isinstance(pattern, Exception):
            return _Mismatch(str(pattern))
        assert isinstance(pattern, re.Pattern)
        found = pattern.search(text) is not None
        if (f.comparator in ("", "=") and found) or (f.comparator == "!=" and not found):
            return True
    return False


_MATCHERS: dict[str, Callable[[DataFilter, Any], bool | _Mismatch]] = {
    "bool": _match_bool,
    "number": _match_number,
    "string": _match_string,
}


@dataclass
class DataFilters:
    filters: list[DataFilter]
    operator: str = ""

    @classmethod
    def from_wire(cls, items: list[dict[str, Any]], operator: str | None) -> DataFilters:
        return cls(
            [
                DataFilter(
                    path=str(item.get("path", "")),
                    type=str(item.get("type", "")),
                    values=[str(v) for v in item.get("value") or []],
                    comparator=str(item.get("comparator") or ""),
                    template=str(item.get("template") or ""),
                )
                for item in items
            ],
            operator or "",
        )

    def evaluate(self, event: Event | None) -> Outcome:
        if not self.filters:
            return PASS
        return on_payload(FAMILY, event, "nil Event", self._decide)

    def _decide(self, data: Any) -> Outcome:
        results = (f.match(data) for f in self.filters)
        return combine(FAMILY, self.operator, (r.error if isinstance(r, _Mismatch) else r for r in results))
