"""Trigger conditions: parsing, precedence, names, evaluation and clear errors."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sensors.conditions import (
    AllOf,
    AnyOf,
    ConditionsError,
    Dep,
    all_dependencies,
    evaluate,
    names,
    parse_conditions,
    render,
)


def test_and_binds_tighter_than_or() -> None:
    assert parse_conditions("a || b && c") == AnyOf((Dep("a"), AllOf((Dep("b"), Dep("c")))))
    assert parse_conditions("(a || b) && c") == AllOf((AnyOf((Dep("a"), Dep("b"))), Dep("c")))


def test_names_with_dashes_underscores_and_digits() -> None:
    cond = parse_conditions("dep-a && (dep_b || 01-dep-c)")
    assert names(cond) == {"dep-a", "dep_b", "01-dep-c"}
    assert render(cond) == "dep-a && (dep_b || 01-dep-c)"


def test_whitespace_is_optional() -> None:
    assert parse_conditions("a&&(b||c)") == parse_conditions("  a  &&  ( b || c )  ")


@pytest.mark.parametrize(
    ("text", "satisfied", "expected"),
    [
        ("dep-a && (dep-b || dep-c)", {"dep-a"}, False),
        ("dep-a && (dep-b || dep-c)", {"dep-a", "dep-c"}, True),
        ("dep-a && (dep-b || dep-c)", {"dep-b", "dep-c"}, False),
        ("dep-a || dep-b && dep-c", {"dep-a"}, True),
        ("dep-a || dep-b && dep-c", {"dep-b"}, False),
        ("((dep-a))", {"dep-a"}, True),
        ("((dep-a))", set(), False),
    ],
)
def test_evaluate(text: str, satisfied: set[str], expected: bool) -> None:
    assert evaluate(parse_conditions(text), satisfied) is expected


def test_all_dependencies_is_the_default_condition() -> None:
    cond = all_dependencies(["a", "b"])
    assert not evaluate(cond, {"a"})
    assert evaluate(cond, {"a", "b"})
    assert all_dependencies(["only"]) == Dep("only")
    with pytest.raises(ConditionsError, match="at least one dependency"):
        all_dependencies([])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "conditions expression is empty: name at least one dependency"),
        ("a &&", "expected a dependency name or '(' at column 5 in 'a &&', got the end of the expression"),
        ("(a || b", "expected ')' at column 8 in '(a || b', got the end of the expression"),
        ("a b", "expected '&&', '||' or the end of the expression at column 3 in 'a b', got 'b'"),
        ("a)", "expected '&&', '||' or the end of the expression at column 2 in 'a)', got ')'"),
        ("a || || b", "expected a dependency name or '(' at column 6 in 'a || || b', got '||'"),
        ("()", "expected a dependency name or '(' at column 2 in '()', got ')'"),
        ("!a", "unexpected '!' at column 1 in '!a' (Argo conditions support only && and ||)"),
        ("a & b", "unexpected '&' at column 3 in 'a & b' (Argo conditions support only && and ||)"),
        ("a.b", "unexpected '.' at column 2 in 'a.b'"),
        ("-a", "unexpected '-' at column 1 in '-a'"),
    ],
)
def test_errors_name_the_column_and_what_was_expected(text: str, message: str) -> None:
    with pytest.raises(ConditionsError) as info:
        parse_conditions(text)
    assert str(info.value) == message


NAMES = st.sampled_from(["a", "b-1", "c_2", "d"])


@st.composite
def expressions(draw: st.DrawFn, depth: int = 3) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(NAMES)
    op = draw(st.sampled_from(["&&", "||"]))
    left, right = draw(expressions(depth - 1)), draw(expressions(depth - 1))
    return f"({left} {op} {right})" if draw(st.booleans()) else f"{left} {op} {right}"


def python_eval(text: str, satisfied: set[str]) -> bool:
    code = text.replace("&&", " and ").replace("||", " or ")
    env = {name.replace("-", "_"): name in satisfied for name in ["a", "b-1", "c_2", "d"]}
    return bool(eval(code.replace("b-1", "b_1"), {"__builtins__": {}}, env))


@given(expressions())
def test_evaluation_agrees_with_boolean_logic_and_render_round_trips(text: str) -> None:
    cond = parse_conditions(text)
    assert parse_conditions(render(cond)) == cond
    all_names = sorted(names(cond))
    for n in range(len(all_names) + 1):
        for chosen in itertools.combinations(all_names, n):
            assert evaluate(cond, set(chosen)) == python_eval(text, set(chosen))
