"""expr-lang semantics as Argo Workflows uses them in `{{= }}`, `depends`, hooks and retry expressions."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest

from pinnace.expressions.errors import ExpressionError
from pinnace.expressions.expr import compile_expr, evaluate, expand_env, to_template_string

ENV: dict[str, Any] = expand_env(
    {
        "inputs.parameters.my-int-param": "21",
        "inputs.parameters.my-float-param": "1.5",
        "inputs.parameters.my-string-param": "  hello  ",
        "inputs.parameters.json": '{"some": {"path": "value", "list": [1, 2, 3]}}',
        "inputs.parameters.should-print": "true",
        "steps.flip-coin.outputs.result": "heads",
        "tasks.A.status": "Succeeded",
        "workflow.status": "Failed",
        "retries": "2",
        "lastRetry.exitCode": "1",
    }
)
ENV["items"] = [{"name": "a", "n": 1}, {"name": "b", "n": 3}, {"name": "c", "n": 5}]
ENV["nothing"] = None

CASES: list[tuple[str, Any]] = [
    # literals
    ("1", 1),
    ("1.5", 1.5),
    ("1e3", 1000.0),
    ("0x10", 16),
    ("1_000", 1000),
    ("'single'", "single"),
    ('"double"', "double"),
    ('"esc\\n\\"q\\""', 'esc\n"q"'),
    ("`raw\\n`", "raw\\n"),
    ("true", True),
    ("false", False),
    ("nil", None),
    ("[1, 'a', true]", [1, "a", True]),
    ("{a: 1, 'b-c': 2}", {"a": 1, "b-c": 2}),
    # arithmetic
    ("1 + 2 * 3", 7),
    ("(1 + 2) * 3", 9),
    ("7 / 2", 3.5),
    ("7 % 3", 1),
    ("-7 % 3", -1),
    ("2 ** 3", 8.0),
    ("2 ^ 3 ^ 2", 512.0),
    ("1 + 1.5", 2.5),
    ("-(1 + 2)", -3),
    ("'a' + 'b'", "ab"),
    ("1 / 0", math.inf),
    # comparison and logic
    ("1 == 1.0", True),
    ("'a' < 'b'", True),
    ("1 < 2 < 3", True),
    ("3 > 2 > 2", False),
    ("true && false", False),
    ("true and not false", True),
    ("false || true", True),
    ("!true", False),
    ("false and (1/0 > 0)", False),
    # membership and strings
    ("2 in [1, 2]", True),
    ("'a' in {a: 1}", True),
    ("3 not in [1, 2]", True),
    ("'hello' contains 'ell'", True),
    ("'hello' startsWith 'he'", True),
    ("'hello' endsWith 'lo'", True),
    ("'hello' matches '^h.*o$'", True),
    ("'hello' not matches '^x'", True),
    ("1..3", [1, 2, 3]),
    # ternary and nil handling
    ("1 > 0 ? 'yes' : 'no'", "yes"),
    ("1 < 0 ? 'yes' : 'no'", "no"),
    ("nothing ?? 'default'", "default"),
    ("nothing?.field", None),
    ("nothing?.a.b.c", None),
    ("nothing?.a ?? 'x'", "x"),
    # members, indexes, slices
    ("inputs.parameters['my-int-param']", "21"),
    ("steps['flip-coin'].outputs.result == 'heads'", True),
    ("tasks.A.status == 'Succeeded'", True),
    ("items[0].name", "a"),
    ("items[-1].name", "c"),
    ("[1, 2, 3, 4][1:3]", [2, 3]),
    ("[1, 2, 3][:2]", [1, 2]),
    ("'hello'[1:3]", "el"),
    ("{a: {b: 1}}.a.b", 1),
    ("{a: 1}.missing", None),
    # closures
    ("filter(items, .n > 2) | map(.name)", ["b", "c"]),
    ("map(items, #.n * 2)", [2, 6, 10]),
    ("map([1, 2], { # * 2 })", [2, 4]),
    ("filter([1, 2], { # > 1 })", [2]),
    ("all(items, .n > 0)", True),
    ("any(items, .n > 4)", True),
    ("none(items, .n > 5)", True),
    ("one(items, .n == 3)", True),
    ("count(items, .n > 1)", 2),
    ("sum(map(items, .n))", 9),
    ("find(items, .n > 1).name", "b"),
    ("findIndex(items, .n == 5)", 2),
    ("reduce([1, 2, 3], #acc + #, 10)", 16),
    ("map(items, #index)", [0, 1, 2]),
    ("sortBy(items, .n, 'desc') | map(.name)", ["c", "b", "a"]),
    ("groupBy(items, .n > 2)[true] | map(.name)", ["b", "c"]),
    # builtins
    ("len('héllo')", 5),
    ("len(items)", 3),
    ("keys({a: 1, b: 2})", ["a", "b"]),
    ("values({a: 1, b: 2})", [1, 2]),
    ("int('42') + 1", 43),
    ("int(3.9)", 3),
    ("float('1.5') * 2", 3.0),
    ("string(42)", "42"),
    ("string(1.0)", "1"),
    ("trim('  x  ')", "x"),
    ("upper('a') + lower('B')", "Ab"),
    ("split('a,b,c', ',')", ["a", "b", "c"]),
    ("join(['a', 'b'], '-')", "a-b"),
    ("replace('aaa', 'a', 'b')", "bbb"),
    ("abs(-2)", 2),
    ("max(1, 5, 3)", 5),
    ("min([4, 2, 8])", 2),
    ("first([7, 8])", 7),
    ("last([7, 8])", 8),
    ("sort([3, 1, 2])", [1, 2, 3]),
    ("toJSON({b: 1, a: [true]})", '{\n  "a": [\n    true\n  ],\n  "b": 1\n}'),
    ("fromJSON('{\"a\": [1, 2]}').a[1]", 2.0),
    ("fromJSON('{\"a\": 1}').a == 1", True),
    ("duration('1h30m') > duration('90m')", False),
    ("duration('1h') == duration('60m')", True),
    ("(date('2024-01-02T00:00:00Z') - date('2024-01-01T00:00:00Z')).Hours()", 24.0),
    ("date('2024-03-05T10:00:00Z').Year()", 2024),
    ("now() > date('2020-01-01')", True),
    ("(now() - date('2020-01-01T00:00:00Z')).Seconds() > 360", True),
    ("let x = 2; x * 21", 42),
    ("'a,b' | split(',') | join(';')", "a;b"),
    # Argo's additions (util/expr/env/env.go) and documented examples (docs/variables.md)
    ("asInt(inputs.parameters['my-int-param']) * 2", 42),
    ("asFloat(inputs.parameters['my-float-param']) * 2", 3.0),
    ("sprig.trim(inputs.parameters['my-string-param'])", "hello"),
    ("jsonpath(inputs.parameters.json, '$.some.path')", "value"),
    ("jsonpath(inputs.parameters.json, '$.some.list[1]')", 2.0),
    ("jsonpath(inputs.parameters.json, '$.some.list[*]')", [1.0, 2.0, 3.0]),
    ("toJson(filter([1, 2, 3], # > 1))", "[2,3]"),
    ("toJson({a: '<b>'})", '{"a":"\\u003cb\\u003e"}'),
    ("inputs.parameters['should-print'] == 'true'", True),
    ("workflow.status == 'Succeeded' ? 'SUCCESSFUL' : 'FAILED'", "FAILED"),
    ("asInt(retries) < 3", True),
    ("asInt(lastRetry.exitCode) == 1", True),
    ("sprig.upper('x') + sprig.repeat(2, 'ab')", "Xabab"),
    ("sprig.add(1, 2, 3)", 6),
    ("sprig.default('d', '')", "d"),
    ("sprig.b64enc('hello')", "aGVsbG8="),
    ("sprig.sha256sum('a')", "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"),
    ("sprig.regexMatch('^a', 'abc')", True),
    ("sprig.regexReplaceAll('a(x*)b', '-ab-axxb-', '${1}W')", "-W-xxW-"),
    ("sprig.int('12') + 1", 13),
    ("sprig.atoi('nope')", 0),
    ("sprig.trunc(3, 'abcdef')", "abc"),
    ("sprig.substr(1, 3, 'abcdef')", "bc"),
    ("sprig.title('hello world')", "Hello World"),
    ("sprig.get(sprig.dict('a', 1), 'a')", 1),
    ("sprig.list(1, 2)", [1, 2]),
    ("sprig.quote('a\"b')", '"a\\"b"'),
]


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_expressions(source: str, expected: Any) -> None:
    result = evaluate(source, ENV)
    assert result == expected
    assert type(result) is type(expected) or expected is None


def test_int_and_float_results_keep_their_types() -> None:
    assert isinstance(evaluate("1 + 2"), int)
    assert isinstance(evaluate("4 / 2"), float)
    assert isinstance(evaluate("2 ** 2"), float)


def test_program_is_cached_and_reusable() -> None:
    program = compile_expr("x * 2")
    assert compile_expr("x * 2") is program
    assert program.run({"x": 2}) == 4
    assert program.run({"x": 5}) == 10


TEMPLATE_STRINGS: list[tuple[Any, str]] = [
    ("text", "text"),
    (3, "3"),
    (1.5, "1.5"),
    (2.0, "2"),
    (True, "true"),
    ([1, "a"], '[1,"a"]'),
    ({"b": 1, "a": None}, '{"a":null,"b":1}'),
    (1e21, "1e+21"),
]


@pytest.mark.parametrize(("value", "text"), TEMPLATE_STRINGS)
def test_to_template_string(value: Any, text: str) -> None:
    assert to_template_string(value) == text


def test_expand_env_drops_conflicting_prefix() -> None:
    assert expand_env({"a": "x", "a.b": "y", "c.d-e.f": 1}) == {"a": {"b": "y"}, "c": {"d-e": {"f": 1}}}


ERRORS: list[tuple[str, str]] = [
    ("1 +", "unexpected token EOF (1:4)"),
    ("(1", "unexpected token EOF (1:3)"),
    ("1 )", 'unexpected token Bracket(")") (1:3)'),
    ("'abc", "literal not terminated (1:1)"),
    ("unknownVar", "unknown name unknownVar (1:1)"),
    ("nothing.field", "cannot fetch field from <nil> (1:9)"),
    ("items[10]", "index out of range: 10 (array length is 3)"),
    ("'a' + 1", "invalid operation: + (mismatched types string and int)"),
    ("1 < 'a'", "invalid operation: < (mismatched types int and string)"),
    ("int('x')", 'strconv.Atoi: parsing "x": invalid syntax'),
    ("float('x')", 'strconv.ParseFloat: parsing "x": invalid syntax'),
    ("nosuchfn(1)", "unknown func nosuchfn"),
    ("1 ?? 2 + 3", "Operator (+) and coalesce expressions (??) cannot be mixed"),
    ("#", "cannot use pointer accessor outside predicate"),
    ("1 ? 2 : 3", "non-bool expression (type int) used as condition"),
    ("5 % 0", "integer divide by zero"),
    ("1 and true", "non-bool value of type int"),
    ("'a' matches '('", "error parsing regexp"),
    ("jsonpath('{', '$.a')", "jsonpath: invalid JSON"),
    ("duration('forever')", "invalid duration"),
    ("", "unexpected token EOF"),
    ("a b", 'unexpected token Identifier("b")'),
    ("1 @ 2", "unrecognized character"),
]


@pytest.mark.parametrize(("source", "message"), ERRORS)
def test_errors(source: str, message: str) -> None:
    with pytest.raises(ExpressionError) as info:
        evaluate(source, ENV)
    assert message in str(info.value)


def test_error_position_is_reported() -> None:
    with pytest.raises(ExpressionError) as info:
        compile_expr("1 +\n  )")
    assert "(2:3)" in str(info.value)
    assert info.value.position == 6


def test_time_values_from_the_environment() -> None:
    last = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    assert evaluate("(now() - last).Seconds() > 360", {"last": last}) is True
    assert evaluate("last == nil || (now() - last).Minutes() < 5", {"last": last}) is False
