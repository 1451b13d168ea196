"""filters.exprs, table-driven; cases ported from Argo's pkg/sensors/dependencies/filter_expr_test.go."""

from __future__ import annotations

from typing import Any

import pytest

from sensors.event import Event
from sensors.filters.exprs import ExprFilters
from sensors.testing import event


def x(expr: str, *fields: tuple[str, str]) -> dict[str, Any]:
    return {"expr": expr, "fields": [{"name": n, "path": p} for n, p in fields]}


AB = {"a": {"b": "x", "d": "y"}}
ABDE = {"a": {"b": "x", "d": {"e": True}}}
CASES: list[tuple[str, list[dict[str, Any]], str, Event | None, bool, str]] = [
    ("nil event", [x('a == "b"', ("a", "a"))], "", None, False, "expr filter error (nil event)"),
    ("unsupported content type", [x('a == "b"', ("a", "a"))], "", event(raw="a"), False,
     "expr filter error (event data not valid JSON)"),
    ("empty data", [x('a == "b"', ("a", "a"))], "", event(), True, ""),
    ("nil filters", [], "", event({"a": "b"}), True, ""),
    ("simple string equal", [x('a == "b"', ("a", "a"))], "", event({"a": "b"}), True, ""),
    ("simple string different than", [x('a != "b"', ("a", "a"))], "", event({"a": "c"}), True, ""),
    ("nested string equal", [x('b == "b"', ("b", "a.b"))], "", event({"a": {"b": "c"}}), False, ""),
    ("number equal", [x("b == 2", ("b", "a.b"))], "", event({"a": {"b": 2}}), True, ""),
    ("number less than", [x("b < 1", ("b", "a.b"))], "", event({"a": {"b": 2}}), False, ""),
    ("string contains", [x('b =~ "start"', ("b", "a.b"))], "", event({"a": {"b": "start long string"}}), True, ""),
    ("string does not contain", [x('b !~ "start"', ("b", "a.b"))], "", event({"a": {"b": "long string"}}), True, ""),
    ("multiple, EMPTY", [x('b == "x"', ("b", "a.b")), x('d == "y"', ("d", "a.d"))], "", event(AB), True, ""),
    ("multiple, AND", [x('b == "x"', ("b", "a.b")), x('d == "d"', ("d", "a.d"))], "and", event(AB), False, ""),
    ("multiple, OR", [x('b == "x"', ("b", "a.b")), x('d == "d"', ("d", "a.d"))], "or", event(AB), True, ""),
    ("OR, one field not existing", [x('b == "b"', ("b", "a.b")), x('c == "c"', ("c", "a.c"))], "or", event(AB),
     False, "expr filter errors [path 'a.c' does not exist]"),
    ("OR, missing field not reached",
     [x('b == "x"', ("b", "a.b")), x('c == "c"', ("c", "a.c")), x("e == true", ("e", "a.d.e"))], "or",
     event(ABDE), True, ""),
    ("EMPTY, missing field not reached", [x('b == "b"', ("b", "a.b")), x('c == "c"', ("c", "a.c"))], "",
     event(AB), False, ""),
    ("EMPTY, one field not existing", [x('b == "x"', ("b", "a.b")), x('c == "c"', ("c", "a.c"))], "", event(AB),
     False, "expr filter error (path 'a.c' does not exist)"),
    ("AND, one field not existing",
     [x('b == "x"', ("b", "a.b")), x('c == "c"', ("c", "a.c")), x("e == true", ("e", "a.d.e"))], "and",
     event(ABDE), False, "expr filter error (path 'a.c' does not exist)"),
    ("&& inside expr, one field not existing", [x('b != "b" && d == true', ("b", "a.b"), ("d", "a.d"))], "",
     event({"a": {"b": "x", "c": {"d": True}}}), False, "expr filter error (path 'a.d' does not exist)"),
    ("&& inside expr", [x('b != "b" && d == true', ("b", "a.b"), ("d", "a.c.d"))], "or",
     event({"a": {"b": "x", "c": {"d": True}}}), True, ""),
    ("|| inside expr", [x('b == "b" || d == true', ("b", "a.b"), ("d", "a.c.d"))], "",
     event({"a": {"b": "b", "c": {"d": False}}}), True, ""),
    ("several comparators inside expr", [x('b == "b" || (d == true && e == 2)', ("b", "a.b"), ("d", "a.c.d"))], "",
     event({"a": {"b": "b", "c": {"d": False}, "e": 2}}), True, ""),
]


@pytest.mark.parametrize(("name", "filters", "operator", "ev", "expected", "error"), CASES, ids=[c[0] for c in CASES])
def test_expr_filter(
    name: str, filters: list[dict[str, Any]], operator: str, ev: Event | None, expected: bool, error: str
) -> None:
    outcome = ExprFilters.from_wire(filters, operator).evaluate(ev)
    assert outcome.passed is expected
    assert (outcome.error or "") == error


def test_type_mismatch_is_a_logged_error_not_a_crash() -> None:
    # Comparing a string with > is a govaluate type error: the event is discarded with a reason.
    outcome = ExprFilters.from_wire([x("b > 2", ("b", "a.b"))], "").evaluate(event({"a": {"b": "text"}}))
    assert outcome.passed is False
    assert outcome.error is not None and outcome.error.startswith("expr filter error (")


def test_bad_expression_syntax_is_reported() -> None:
    outcome = ExprFilters.from_wire([x("b ==", ("b", "a.b"))], "").evaluate(event({"a": {"b": 1}}))
    assert outcome.passed is False and outcome.error is not None
