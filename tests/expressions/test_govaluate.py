"""govaluate semantics: Argo's `when` (bare words are strings) and Argo Events' `exprs` (parameters)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from pinnace.expressions.errors import ExpressionError
from pinnace.expressions.govaluate import evaluate, should_execute

# Argo Workflows' workflow/controller/when_test.go truth table, plus the documented examples.
ARGO_TRUE = [
    "foo == foo",
    "foo != bar",
    "1 == 1",
    "1 != 2",
    "1 < 2",
    "1 <= 1",
    "a < b",
    "(foo == bar) || (foo == foo)",
    "(1 > 0) && (1 < 2)",
    "Error in (Failed, Error)",
    "!(Succeeded in (Failed, Error))",
    "true == true",
    "heads == heads",  # coinflip: "{{steps.flip-coin.outputs.result}} == heads"
    "tails == tails",
    "Succeeded == Succeeded",
    "5 > 3",
    '"a" == "a"',
    "'a' == \"a\"",
    'foo =~ "^f"',
    'bar !~ "^f"',
    "1/2 == 0.5",
    "8 % 3 == 2",
    "2 ** 10 == 1024",
    "(1 + 2) * 3 == 9",
    "1 + 2 * 3 == 7",
    "10 - 4 - 3 == 3",
    "12 / 2 / 3 == 2",
    "-3 < 0",
    "0x1F == 31",
    ".5 == 0.5",
    "5 & 3 == 1",
    "5 | 3 == 7",
    "5 ^ 3 == 6",
    "1 << 4 == 16",
    "~0 == -1",
    "(true ? yes : no) == yes",
    "(false ? yes : no) == no",
    "tails == heads || heads == heads",
    "tails =~ 't.*l' && heads =~ 'h.*s'",
    "[my-value] == 'my-value'",
    "'a' + 'b' == ab",
    "'n' + 1 == n1",
    "abc > abb",
    "2 > 10 == false",
    "true && !false",
    "6 == 6.0",
    "'2024-01-02' == '2024-01-02'",
    "'2024-01-02' < '2024-01-03'",
    "Running in (Pending, Running) && 3 >= 2.5",
]
ARGO_FALSE = [
    "foo != foo",
    "foo == bar",
    "1 != 1",
    "1 == 2",
    "1 > 2",
    "1 <= 0",
    "a > b",
    "(foo == bar) || (bar == foo)",
    "(1 > 0) && (11 < 2)",
    "Succeeded in (Failed, Error)",
    "!(Error in (Failed, Error))",
    "false == true",
    "tails == heads",
    "1 == '1'",
    "true == 'true'",
    "foo =~ '^b'",
    "5 in (a, b)",
    "Failed == failed",
]


@pytest.mark.parametrize("when", ARGO_TRUE)
def test_when_true(when: str) -> None:
    assert should_execute(when) is True
    assert evaluate(when) is True


@pytest.mark.parametrize("when", ARGO_FALSE)
def test_when_false(when: str) -> None:
    assert should_execute(when) is False
    assert evaluate(when) is False


def test_empty_when_executes() -> None:
    assert should_execute("") is True


VALUES: list[tuple[str, Any]] = [
    ("1 + 2", 3.0),
    ("'a' + 1", "a1"),
    ("1.5 + 'x'", "1.5x"),
    ("true ? 1 : 2", 1.0),
    ("false ? 1 : 2", 2.0),
    ("false ? 1", None),
    ("'x' ?? 'y'", "x"),
    ("1, 2, 3", [1.0, 2.0, 3.0]),
    ("-2 ** 2", 4.0),
    ("7 % -3", 1.0),
    ("1 / 0", math.inf),
    ("heads", "heads"),
    ("[a b]", "a b"),
    ("'it\\'s'", "it's"),
]


@pytest.mark.parametrize(("expression", "expected"), VALUES)
def test_values(expression: str, expected: Any) -> None:
    assert evaluate(expression) == expected


PARAMS: list[tuple[str, dict[str, Any], Any]] = [
    # Argo Events exprs filters (docs/sensors/filters/expr.md): fields named from gjson paths.
    ("a == 'b'", {"a": "b"}, True),
    ("b == 'b'", {"a": "b", "b": "c"}, False),
    ("a == 1", {"a": 1}, True),  # ints arrive as float64
    ("x > 3.5 && y == 'ok'", {"x": 4, "y": "ok"}, True),
    ("[first-name] =~ '^J'", {"first-name": "John"}, True),
    ("ok", {"ok": True}, True),
    ("!ok", {"ok": False}, True),
    ("count * 2", {"count": 21}, 42.0),
    ("name + '-x'", {"name": "n"}, "n-x"),
    ("v ?? 'default'", {"v": None}, "default"),
    ("lst == lst", {"lst": [1, 2]}, True),
    ("m == m", {"m": {"a": 1}}, True),
    ("x in (1, 2, 3)", {"x": 2}, True),
    ("x in (1, 2, 3)", {"x": "2"}, False),
    ("a < b", {"a": "apple", "b": "banana"}, True),
]


@pytest.mark.parametrize(("expression", "params", "expected"), PARAMS)
def test_parameters(expression: str, params: dict[str, Any], expected: Any) -> None:
    assert evaluate(expression, params) == expected


def test_false_short_circuits_before_type_check() -> None:
    assert evaluate("false && 'x'") is False
    assert evaluate("true || 'x'") is True


ERRORS = [
    # (expression, params or None, text expected in the message)
    ("a == b", {}, "No parameter 'a' found."),
    ("my-value == x", None, "Value 'my' cannot be used with the modifier '-', it is not a number"),
    ("5 >-3", None, "Invalid token: '>-'"),
    ("foo(1)", None, "Undefined function foo"),
    ("a.b == c", None, "Unable to access unexported field 'b' in token 'a.b'"),
    ("a ==", None, "Unexpected end of expression"),
    ("(1 == 1", None, "Unbalanced parenthesis"),
    ("'abc", None, "Unclosed string literal"),
    ("[abc", None, "Unclosed parameter bracket"),
    ("1 + true", None, "Value '1' cannot be used with the modifier '+', it is not a number"),
    ("x in (y)", None, "Value 'y' cannot be used with the comparator 'in', it is not a number"),
    ("1.2.3 == 1", None, "Unable to parse numeric value '1.2.3' to float64"),
    ("1 > a", None, "Value '1' cannot be used with the comparator '>', it is not a number"),
    ("true && 1", None, "Value '1' cannot be used with the logical operator '&&', it is not a bool"),
    ("a =~ '('", None, "error parsing regexp"),
    ("1 2", None, "Cannot transition token types from NUMERIC [1] to NUMERIC [2]"),
    ("-'a'", None, "Cannot transition token types from PREFIX [-] to STRING [a]"),
    ("x.Y", {"x": {"Y": 1}}, "Unable to access 'Y', 'x' is not a struct"),
    ("1 ? 2 : 3", None, "Value '1' cannot be used with the ternary operator '?', it is not a bool"),
    ("!1", None, "Value '1' cannot be used with the prefix '!'"),
]


@pytest.mark.parametrize(("expression", "params", "message"), ERRORS)
def test_errors(expression: str, params: dict[str, Any] | None, message: str) -> None:
    with pytest.raises(ExpressionError) as info:
        evaluate(expression, params)
    assert message in str(info.value)


WHEN_ERRORS = [
    ("5 >-3", "Invalid 'when' expression '5 >-3': Invalid token: '>-' (hint: try wrapping"),
    ("!foo", "Failed to parse 'when' expression '!foo': Cannot transition token types from PREFIX [!] to STRING [foo]"),
    ("my-value == x", "Failed to evaluate 'when' expresion 'my-value == x': Value 'my' cannot be used"),
    ("1 + 1", "Expected boolean evaluation for '1 + 1'. Got 2"),
    ("heads", "Expected boolean evaluation for 'heads'. Got heads"),
]


@pytest.mark.parametrize(("when", "message"), WHEN_ERRORS)
def test_when_errors_are_worded_as_argo(when: str, message: str) -> None:
    with pytest.raises(ExpressionError) as info:
        should_execute(when)
    assert str(info.value).startswith(message)


def test_parse_errors_carry_position() -> None:
    with pytest.raises(ExpressionError) as info:
        evaluate("a == 'unterminated")
    assert info.value.position == 5
