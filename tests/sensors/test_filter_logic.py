"""How filter families combine (filtersLogicalOperator) and the JMESPath filter; from Argo's filter_test.go."""

from __future__ import annotations

from typing import Any

import pytest

from sensors.filters import compile_filters
from sensors.testing import event

EV = {"k": "v"}


def ctx(type: str = "webhook", source: str = "webhook-gateway") -> dict[str, str]:
    return {"type": type, "source": source}


def data(path: str, value: str) -> list[dict[str, Any]]:
    return [{"path": path, "type": "string", "value": [value]}]


CASES: list[tuple[str, dict[str, Any], str, bool, bool]] = [
    ("no filters", {}, "and", True, False),
    ("data passes", {"data": data("k", "v")}, "and", True, False),
    ("data path missing, and", {"data": data("z", "v")}, "and", False, True),
    ("time malformed, and", {"time": {"start": "09:09:0", "stop": "19:19:19"}}, "and", False, True),
    ("empty operator, context ok data no match", {"context": ctx(), "data": data("k", "z")}, "", False, False),
    ("empty operator with error", {"context": ctx(), "data": data("z", "v")}, "", False, True),
    ("and: context mismatch", {"context": ctx(source="webhook-fake"), "data": data("k", "v")}, "and", False, False),
    ("and with error", {"context": ctx(), "data": data("z", "v")}, "and", False, True),
    ("or: context passes despite data error", {"context": ctx(), "data": data("z", "v")}, "or", True, True),
    ("or: nothing passes, error reported", {"context": ctx(type="x"), "data": data("z", "v")}, "or", False, True),
    ("or: data passes, context does not", {"context": ctx(type="x"), "data": data("k", "v")}, "or", True, False),
    (
        "data and exprs together",
        {"data": [{"path": "a", "type": "string", "value": ["x"]}, {"path": "b", "type": "number", "value": ["10"]}],
         "exprs": [{"expr": 'd == "hello world"', "fields": [{"name": "d", "path": "c.d"}]},
                   {"expr": "e == false", "fields": [{"name": "e", "path": "c.e"}]}]},
        "", True, False,
    ),
    ("jmespath passes", {"jmespath": "k == 'v'"}, "and", True, False),
    ("jmespath fails", {"jmespath": "k == 'w'"}, "and", False, False),
    ("jmespath runtime type error", {"jmespath": "length(k) > `0` && abs(k) > `1`"}, "and", False, True),
    ("jmespath or data", {"jmespath": "k == 'w'", "data": data("k", "v")}, "or", True, False),
]


@pytest.mark.parametrize(("name", "filters", "operator", "expected", "has_error"), CASES, ids=[c[0] for c in CASES])
def test_filter_combination(name: str, filters: dict[str, Any], operator: str, expected: bool, has_error: bool) -> None:
    ev = event(EV, type="webhook", source="webhook-gateway")
    if name == "data and exprs together":
        ev = event({"a": "x", "b": 10, "c": {"d": "hello world", "e": False}})
    outcome = compile_filters(filters, operator).evaluate(ev)
    assert outcome.passed is expected
    assert (outcome.error is not None) is has_error, outcome.error


def test_github_style_jmespath_filter() -> None:
    flt = compile_filters({"jmespath": "body.action == 'opened' && length(body.commits) > `0`"})
    assert flt.evaluate(event({"body": {"action": "opened", "commits": [{"id": 1}]}})).passed
    assert not flt.evaluate(event({"body": {"action": "opened", "commits": []}})).passed
    assert not flt.evaluate(event({"body": {"action": "closed", "commits": [{"id": 1}]}})).passed
    assert not flt.evaluate(event({"body": {}})).passed


def test_jmespath_syntax_error_names_the_field() -> None:
    with pytest.raises(ValueError, match=r"spec.dependencies\[0\].filters.jmespath: invalid JMESPath"):
        compile_filters({"jmespath": "body.action =="}, where="spec.dependencies[0].filters")


SCRIPT = 'if event.body.a == "b" and event.body.d.e == "z" then return true else return false end'


def test_lua_script_filter() -> None:
    flt = compile_filters({"script": SCRIPT})
    assert flt.evaluate(event({"body": {"a": "b", "c": 10, "d": {"e": "z"}}})).passed
    assert not flt.evaluate(event({"body": {"a": "b", "c": 10, "d": {"e": "y"}}})).passed
    broken = compile_filters({"script": "return event.body.missing.deeper"}).evaluate(event({"body": {}}))
    assert not broken.passed and broken.error is not None and "lua:" in broken.error


def test_lua_script_error_is_fatal_even_with_or() -> None:
    flt = compile_filters({"script": "error('boom')", "context": {"type": "webhook"}}, "or")
    outcome = flt.evaluate(event({"body": {}}, type="webhook"))
    assert outcome.passed is False and outcome.error is not None and "boom" in outcome.error


def test_lua_script_cannot_reach_the_host() -> None:
    outcome = compile_filters({"script": "return io.open('/etc/passwd') ~= nil"}).evaluate(event({"k": 1}))
    assert outcome.passed is False and outcome.error is not None
