"""The govaluate expression language (Knetic/govaluate), as Argo uses it.

Two modes, matching Argo's two callers:

* ``evaluate(text)`` (no parameters): Argo Workflows' ``when``. Every bare word is re-typed from a
  variable to a string (``workflow/controller/steps.go shouldExecute``), so after tag substitution
  ``heads == heads`` is true and ``tails == heads`` false. ``should_execute`` adds Argo's wrapping.
* ``evaluate(text, parameters)``: Argo Events' ``exprs`` filter. Words are parameters; an unknown one is
  the error ``No parameter 'x' found.``

Numbers are float64, ``+`` concatenates when either side is a string, ``in`` needs a parenthesised list,
``=~``/``!~`` are unanchored Go regexps, ``[name-with-dash]`` is a parameter name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pinnace.expressions import gomath
from pinnace.expressions.errors import ExpressionError
from pinnace.expressions.goformat import sprint
from pinnace.expressions.goregex import compile_go_regex
from pinnace.expressions.govaluate_lexer import Token, check_syntax, optimize, tokenize

_LOGICAL = "Value '{}' cannot be used with the logical operator '{}', it is not a bool"
_MODIFIER = "Value '{}' cannot be used with the modifier '{}', it is not a number"
_COMPARATOR = "Value '{}' cannot be used with the comparator '{}', it is not a number"
_TERNARY = "Value '{}' cannot be used with the ternary operator '{}', it is not a bool"
_PREFIX = "Value '{}' cannot be used with the prefix '{}'"

# Lowest precedence first; each level is left-associative (govaluate's reorderStages).
_LEVELS: list[tuple[str, frozenset[str]]] = [
    ("SEPARATOR", frozenset({","})),
    ("TERNARY", frozenset({"?", ":", "??"})),
    ("LOGICALOP", frozenset({"||"})),
    ("LOGICALOP", frozenset({"&&"})),
    ("COMPARATOR", frozenset({"==", "!=", ">", ">=", "<", "<=", "=~", "!~", "in"})),
    ("MODIFIER", frozenset({"&", "|", "^"})),
    ("MODIFIER", frozenset({">>", "<<"})),
    ("MODIFIER", frozenset({"+", "-"})),
    ("MODIFIER", frozenset({"*", "/", "%"})),
    ("MODIFIER", frozenset({"**"})),
]


@dataclass(frozen=True)
class _Node:
    op: str  # "lit", "param", "access", "prefix:<sym>" or a binary symbol
    value: Any = None
    left: _Node | None = None
    right: _Node | None = None


class _Planner:
    def __init__(self, tokens: list[Token], source: str) -> None:
        self.tokens = tokens
        self.source = source
        self.i = 0

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def level(self, depth: int) -> _Node | None:
        if depth == len(_LEVELS):
            return self.value()
        kind, symbols = _LEVELS[depth]
        left = self.level(depth + 1)
        while (tok := self.peek()) is not None and tok.kind == kind and tok.value in symbols:
            self.i += 1
            right = self.level(depth + 1)
            left = _Node(tok.value, left=left, right=right)
        return left

    def value(self) -> _Node | None:
        tok = self.peek()
        if tok is None:
            return None
        self.i += 1
        if tok.kind == "CLAUSE":
            inner = self.level(0)
            closing = self.peek()
            if closing is None or closing.kind != "CLAUSE_CLOSE":
                raise ExpressionError("Unbalanced parenthesis", source=self.source, position=tok.pos)
            self.i += 1
            return _Node("group", left=inner)
        if tok.kind == "CLAUSE_CLOSE":
            self.i -= 1
            return None
        if tok.kind == "PREFIX":
            return _Node("prefix:" + tok.value, right=self.value())
        if tok.kind == "VARIABLE":
            return _Node("param", tok.value)
        if tok.kind == "ACCESSOR":
            args = None
            nxt = self.peek()
            if nxt is not None and nxt.kind == "CLAUSE":
                args = self.level(0)
            return _Node("access", tok.value, right=args)
        if tok.kind in ("NUMERIC", "STRING", "PATTERN", "BOOLEAN", "TIME"):
            return _Node("lit", tok.value)
        raise ExpressionError(
            f"Unable to plan token kind: '{tok.kind}', value: '{sprint(tok.value)}'",
            source=self.source,
            position=tok.pos,
        )


def _is_num(v: Any) -> bool:
    return isinstance(v, float)


def _is_str(v: Any) -> bool:
    return isinstance(v, str)


def _is_bool(v: Any) -> bool:
    return isinstance(v, bool)


def _go_equal(a: Any, b: Any) -> bool:
    """``reflect.DeepEqual`` over JSON-shaped values: types must match."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(_go_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_go_equal(a[k], b[k]) for k in a)
    if isinstance(a, re.Pattern):
        return bool(a.pattern == b.pattern)
    return bool(a == b)


def _in(left: Any, right: list[Any]) -> bool:
    for item in right:
        if type(item) is type(left):
            if isinstance(item, list | dict):
                raise ExpressionError(f"runtime error: comparing uncomparable type {_go_type(item)}")
            if bool(item == left):
                return True
    return False


def _go_type(value: Any) -> str:
    if isinstance(value, list):
        return "[]interface {}"
    if isinstance(value, dict):
        return "map[string]interface {}"
    return type(value).__name__


def _regex(left: Any, right: Any) -> bool:
    if isinstance(right, str):
        try:
            pattern = compile_go_regex(right)
        except ExpressionError as exc:
            raise ExpressionError(f"Unable to compile regexp pattern '{right}': {exc.message}") from None
    else:
        pattern = right
    return pattern.search(left) is not None


def _i64(v: float) -> int:
    return gomath.float_to_int64(v)


def _u64(v: float) -> int:
    return gomath.float_to_int64(v) & 0xFFFFFFFFFFFFFFFF


_Check = Callable[[Any], bool] | None
_Combined = Callable[[Any, Any], bool] | None

_BINARY: dict[str, tuple[_Check, _Check, _Combined, str, Callable[[Any, Any], Any]]] = {
    "==": (None, None, None, _COMPARATOR, lambda a, b: _go_equal(a, b)),
    "!=": (None, None, None, _COMPARATOR, lambda a, b: not _go_equal(a, b)),
    ">": (None, None, lambda a, b: type(a) is type(b) and _is_num(a) | _is_str(a), _COMPARATOR, lambda a, b: a > b),
    ">=": (None, None, lambda a, b: type(a) is type(b) and _is_num(a) | _is_str(a), _COMPARATOR, lambda a, b: a >= b),
    "<": (None, None, lambda a, b: type(a) is type(b) and _is_num(a) | _is_str(a), _COMPARATOR, lambda a, b: a < b),
    "<=": (None, None, lambda a, b: type(a) is type(b) and _is_num(a) | _is_str(a), _COMPARATOR, lambda a, b: a <= b),
    "=~": (_is_str, lambda v: isinstance(v, str | re.Pattern), None, _COMPARATOR, _regex),
    "!~": (_is_str, lambda v: isinstance(v, str | re.Pattern), None, _COMPARATOR, lambda a, b: not _regex(a, b)),
    "in": (None, lambda v: isinstance(v, list), None, _COMPARATOR, _in),
    "&&": (_is_bool, _is_bool, None, _LOGICAL, lambda a, b: a and b),
    "||": (_is_bool, _is_bool, None, _LOGICAL, lambda a, b: a or b),
    "+": (
        None,
        None,
        lambda a, b: (_is_num(a) and _is_num(b)) or _is_str(a) or _is_str(b),
        _MODIFIER,
        lambda a, b: sprint(a) + sprint(b) if _is_str(a) or _is_str(b) else a + b,
    ),
    "-": (_is_num, _is_num, None, _MODIFIER, lambda a, b: a - b),
    "*": (_is_num, _is_num, None, _MODIFIER, lambda a, b: a * b),
    "/": (_is_num, _is_num, None, _MODIFIER, gomath.float_div),
    "%": (_is_num, _is_num, None, _MODIFIER, gomath.float_mod),
    "**": (_is_num, _is_num, None, _MODIFIER, gomath.float_pow),
    "&": (_is_num, _is_num, None, _MODIFIER, lambda a, b: float(_i64(a) & _i64(b))),
    "|": (_is_num, _is_num, None, _MODIFIER, lambda a, b: float(_i64(a) | _i64(b))),
    "^": (_is_num, _is_num, None, _MODIFIER, lambda a, b: float(_i64(a) ^ _i64(b))),
    "<<": (_is_num, _is_num, None, _MODIFIER, lambda a, b: float((_u64(a) << min(_u64(b), 64)) % 2**64)),
    ">>": (_is_num, _is_num, None, _MODIFIER, lambda a, b: float(_u64(a) >> min(_u64(b), 64))),
    "?": (_is_bool, None, None, _TERNARY, lambda a, b: b if a else None),
    ":": (None, None, None, _TERNARY, lambda a, b: a if a is not None else b),
    "??": (None, None, None, _TERNARY, lambda a, b: a if a is not None else b),
    ",": (None, None, None, "", lambda a, b: [*a, b] if isinstance(a, list) else [a, b]),
}

_PREFIXES: dict[str, tuple[Callable[[Any], bool], Callable[[Any], Any]]] = {
    "-": (_is_num, lambda v: -v),
    "!": (_is_bool, lambda v: not v),
    "~": (_is_num, lambda v: float(~_i64(v))),
}


def _run(node: _Node | None, params: Mapping[str, Any]) -> Any:
    if node is None:
        return None
    op = node.op
    if op == "lit":
        return node.value
    if op == "group":
        return _run(node.left, params)
    if op == "param":
        if node.value not in params:
            raise ExpressionError(f"No parameter '{node.value}' found.")
        return params[node.value]
    if op == "access":
        return _access(node.value, params)
    if op.startswith("prefix:"):
        symbol = op[len("prefix:") :]
        check, fn = _PREFIXES[symbol]
        value = _run(node.right, params)
        if not check(value):
            raise ExpressionError(_PREFIX.format(sprint(value), symbol))
        return fn(value)
    return _run_binary(node, params)


def _run_binary(node: _Node, params: Mapping[str, Any]) -> Any:
    op = node.op
    left = _run(node.left, params)
    if op == "&&" and left is False:
        return False
    if op == "||" and left is True:
        return True
    if op in ("??", ":") and left is not None:
        return left
    skip_right = op == "?" and left is False
    right = None if skip_right else _run(node.right, params)
    left_check, right_check, combined, fmt, fn = _BINARY[op]
    if combined is not None:
        if not combined(left, right):
            raise ExpressionError(fmt.format(sprint(left), op))
    else:
        if left_check is not None and not left_check(left):
            raise ExpressionError(fmt.format(sprint(left), op))
        if right_check is not None and not right_check(right):
            raise ExpressionError(fmt.format(sprint(right), op))
    return fn(left, right)


def _access(parts: list[str], params: Mapping[str, Any]) -> Any:
    if parts[0] not in params:
        raise ExpressionError(f"No parameter '{parts[0]}' found.")
    # Parameters are JSON values, never Go structs: govaluate can only fail here.
    raise ExpressionError(f"Unable to access '{parts[1]}', '{parts[0]}' is not a struct")


@dataclass(frozen=True)
class GovaluateExpression:
    source: str
    root: _Node | None

    def evaluate(self, parameters: Mapping[str, Any] | None = None) -> Any:
        params = {str(k): _sanitize(v) for k, v in (parameters or {}).items()}
        try:
            return _run(self.root, params)
        except RecursionError:
            raise ExpressionError("expression is nested too deeply", source=self.source) from None


def _sanitize(value: Any) -> Any:
    """Numbers become float64, as they are when they come from JSON through gjson."""
    if isinstance(value, bool) or value is None or isinstance(value, str | float):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, Mapping):
        return {str(k): _sanitize(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_sanitize(v) for v in value]
    return value


@lru_cache(maxsize=1024)
def compile_govaluate(expression: str, *, bare_words_as_strings: bool = False) -> GovaluateExpression:
    """Parse once; ``bare_words_as_strings`` applies Argo's VARIABLE→STRING re-typing."""
    try:
        tokens = tokenize(expression)
        check_syntax(tokens, expression)
        if bare_words_as_strings:
            tokens = [Token("STRING", t.value, t.pos) if t.kind == "VARIABLE" else t for t in tokens]
            check_syntax(tokens, expression)
        optimize(tokens)
        root = _Planner(tokens, expression).level(0) if tokens else None
    except RecursionError:
        raise ExpressionError("expression is nested too deeply", source=expression) from None
    return GovaluateExpression(expression, root)


def evaluate(expression: str, parameters: Mapping[str, Any] | None = None) -> Any:
    """Evaluate a govaluate expression; without ``parameters`` bare words are strings (Argo ``when``)."""
    compiled = compile_govaluate(expression, bare_words_as_strings=parameters is None)
    return compiled.evaluate(parameters)


def should_execute(when: str) -> bool:
    """Argo Workflows' ``when`` check, with its error messages (``steps.go shouldExecute``)."""
    if when == "":
        return True
    try:
        compile_govaluate(when)
    except ExpressionError as exc:
        hint = ' (hint: try wrapping the affected expression in quotes ("))' if "Invalid token" in exc.message else ""
        raise ExpressionError(f"Invalid 'when' expression '{when}': {exc.message}{hint}") from None
    try:
        compiled = compile_govaluate(when, bare_words_as_strings=True)
    except ExpressionError as exc:
        raise ExpressionError(f"Failed to parse 'when' expression '{when}': {exc.message}") from None
    try:
        result = compiled.evaluate(None)
    except ExpressionError as exc:
        # Argo spells it "expresion"; users grep logs for the exact text.
        raise ExpressionError(f"Failed to evaluate 'when' expresion '{when}': {exc.message}") from None
    if not isinstance(result, bool):
        raise ExpressionError(f"Expected boolean evaluation for '{when}'. Got {sprint(result)}")
    return result


__all__ = ["GovaluateExpression", "compile_govaluate", "evaluate", "should_execute"]
