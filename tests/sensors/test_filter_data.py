"""filters.data, table-driven; cases ported from Argo's pkg/sensors/dependencies/filter_data_test.go."""

from __future__ import annotations

from typing import Any

import pytest

from sensors.event import Event
from sensors.filters.data import DataFilters
from sensors.testing import event

S, N, B = "string", "number", "bool"


def f(path: str, type: str, value: list[str] | None = None, comparator: str = "", template: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"path": path, "type": type, "value": value if value is not None else []}
    if comparator:
        out["comparator"] = comparator
    if template:
        out["template"] = template
    return out


CASES: list[tuple[str, list[dict[str, Any]], str, Event | None, bool, bool]] = [
    ("nil event", [f("k", S, ["v"])], "", None, False, True),
    ("unsupported content type", [f("k", S, ["v"])], "", event(raw="a"), False, True),
    ("empty data", [f("k", S, ["v"])], "", event(), True, False),
    ("nil filters, JSON data", [], "", event({"k": "v"}), True, False),
    ("invalid filter path", [f("", S)], "", event({"k": "v"}), False, True),
    ("invalid filter type", [{"path": "k"}], "", event({"k": "v"}), False, True),
    ("invalid filter values", [f("k", S, [])], "", event({"k": "v"}), False, True),
    ("string filter", [f("k", S, ["v"])], "", event({"k": "v"}), True, False),
    ("string filter EqualTo", [f("k", S, ["v"], "=")], "", event({"k": "v"}), True, False),
    ("string filter NotEqualTo", [f("k", S, ["b"], "!=")], "", event({"k": "v"}), True, False),
    ("number (data string)", [f("k", N, ["1.0"])], "", event({"k": "1.0"}), True, False),
    ("GreaterThan true (data string)", [f("k", N, ["1.0"], ">")], "", event({"k": "2.0"}), True, False),
    ("LessThanOrEqualTo false (data string)", [f("k", N, ["1.0"], "<=")], "", event({"k": "2.0"}), False, False),
    ("NotEqualTo (data string)", [f("k", N, ["1.0"], "!=")], "", event({"k": "1.0"}), False, False),
    ("EqualTo (data string)", [f("k", N, ["5.0"], "=")], "", event({"k": "5.0"}), True, False),
    ("comparator empty (data string)", [f("k", N, ["10.0"])], "", event({"k": "10.0"}), True, False),
    ("number (data number)", [f("k", N, ["1.0"])], "", event({"k": 1.0}), True, False),
    ("GreaterThan true (data number)", [f("k", N, ["1.0"], ">")], "", event({"k": 2.0}), True, False),
    ("LessThanOrEqualTo false (data number)", [f("k", N, ["1.0"], "<=")], "", event({"k": 2.0}), False, False),
    ("NotEqualTo (data number)", [f("k", N, ["1.0"], "!=")], "", event({"k": 1.0}), False, False),
    ("EqualTo (data number)", [f("k", N, ["5.0"], "=")], "", event({"k": 5.0}), True, False),
    ("comparator empty (data number)", [f("k", N, ["10.0"])], "", event({"k": 10.0}), True, False),
    (
        "multiple filters false, EMPTY operator",
        [f("k", S, ["v"]), f("k1.k", N, ["2.14"]), f("k1.k2", S, ["hello,world", "hello there"])],
        "", event({"k": True, "k1": {"k": 3.14, "k2": "hello, world"}}), False, False,
    ),
    (
        "multiple filters true, AND operator",
        [f("k", B, ["true"]), f("k1.k", N, ["3.14"]), f("k1.k2", S, ["hello,world", "hello, world", "hello there"])],
        "and", event({"k": True, "k1": {"k": 3.14, "k2": "hello, world"}}), True, False,
    ),
    (
        "multiple filters true, OR operator",
        [f("k", B, ["false"]), f("k1.k", N, ["3.14"]), f("k1.k2", S, ["hello,world", "hello there"])],
        "or", event({"k": True, "k1": {"k": 3.14, "k2": "hello, world"}}), True, False,
    ),
    (
        "string filter Regex over a multipath",
        [f('[k,k1.a.#(k2=="v2").k2]', S, ["\\bv\\b.*\\bv2\\b"], "=")],
        "", event({"k": "v", "k1": {"a": [{"k2": "v2"}]}}), True, False,
    ),
    (
        "string filter Regex2",
        [f('[k,k1.a.#(k2=="v2").k2,,k1.a.#(k2=="v3").k2]', S, ["(\\bz\\b.*\\bv2\\b)|(\\bv\\b.*(\\bv2\\b.*\\bv3\\b))"])],
        "", event({"k": "v", "k1": {"a": [{"k2": "v2"}, {"k2": "v3"}]}}), True, False,
    ),
    ("base64, uppercase template", [f("k", S, ["HELLO WORLD"], template="{{ b64dec .Input | upper }}")],
     "", event({"k": "aGVsbG8gd29ybGQ="}), True, False),
    ("base64 template, number", [f("k", N, ["3.13"], ">", "{{ b64dec .Input }}")],
     "", event({"k": "My4xNA=="}), True, False),
    ("base64 template, comparator not equal", [f("k", S, ["hello world"], "!=", "{{ b64dec .Input }}")],
     "", event({"k": "aGVsbG8gd29ybGQ"}), True, False),
    ("base64 template, regex", [f("k", S, ["world$"], template="{{ b64dec .Input }}")],
     "", event({"k": "aGVsbG8gd29ybGQ="}), True, False),
    # pinnace additions: gjson paths and negatives the issue asks for.
    ("array length with #", [f("body.list.#", N, ["3"])], "", event({"body": {"list": [1, 2, 3]}}), True, False),
    ("array index", [f("body.list.1", S, ["^b$"])], "", event({"body": {"list": ["a", "b"]}}), True, False),
    ("escaped dot in key", [f("body.a\\.b", S, ["x"])], "", event({"body": {"a.b": "x"}}), True, False),
    ("missing path, OR operator → error, no pass", [f("nope", S, ["x"])], "or", event({"k": "v"}), False, True),
    ("missing path then match, OR", [f("nope", S, ["x"]), f("k", S, ["v"])], "or", event({"k": "v"}), True, False),
    ("bool value that does not parse", [f("k", B, ["yes"])], "", event({"k": True}), False, True),
    ("number value that does not parse", [f("k", N, ["ten"])], "", event({"k": 10}), False, True),
    ("number type on a string field", [f("k", N, ["0"])], "", event({"k": "abc"}), True, False),
    ("bad regex", [f("k", S, ["("])], "", event({"k": "v"}), False, True),
    ("template that fails to parse", [f("k", S, ["v"], template="{{ .Input ")], "", event({"k": "v"}), False, True),
    ("template that renders empty", [f("k", S, ["v"], template="{{ if false }}x{{ end }}")],
     "", event({"k": "v"}), False, True),
    ("unsupported type", [f("k", "object", ["v"])], "", event({"k": "v"}), False, True),
    ("string not matching", [f("k", S, ["^x$"])], "", event({"k": "v"}), False, False),
]


@pytest.mark.parametrize(
    ("name", "filters", "operator", "ev", "expected", "expect_err"), CASES, ids=[c[0] for c in CASES]
)
def test_data_filter(
    name: str, filters: list[dict[str, Any]], operator: str, ev: Event | None, expected: bool, expect_err: bool
) -> None:
    outcome = DataFilters.from_wire(filters, operator).evaluate(ev)
    assert outcome.passed is expected
    assert (outcome.error is not None) is expect_err, outcome.error


def test_missing_path_error_names_the_path() -> None:
    outcome = DataFilters.from_wire([f("body.nope", S, ["x"])], "").evaluate(event({"body": {}}))
    assert outcome.error == "data filter error (path 'body.nope' does not exist)"
