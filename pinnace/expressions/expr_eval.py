"""Tree-walking evaluator of parsed expr-lang programs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from pinnace.expressions import expr_values as v
from pinnace.expressions.errors import ExpressionError
from pinnace.expressions.expr_builtins import BUILTINS, METHODS
from pinnace.expressions.expr_lexer import location
from pinnace.expressions.expr_parser import Node
from pinnace.expressions.goregex import go_match


class _NilChain(Exception):
    """A ``?.`` met nil: the whole chain evaluates to nil."""


class FetchFromNil(ExpressionError):
    pass


def fetch(obj: Any, key: Any) -> Any:
    """expr ``runtime.Fetch``: map keys (missing → nil), array/string indexes (negative from the end)."""
    if obj is None:
        raise FetchFromNil(f"cannot fetch {key} from <nil>")
    if isinstance(obj, Mapping):
        return obj.get(key) if isinstance(key, str | int | float | bool) or key is None else None
    if isinstance(obj, list | tuple | str):
        if not v.is_number(key):
            raise ExpressionError(f"cannot use {v.type_name(key)} as array index")
        index = int(key)
        length = len(obj)
        if index < 0:
            index += length
        if not 0 <= index < length:
            raise ExpressionError(f"index out of range: {int(key)} (array length is {length})")
        return obj[index]
    raise ExpressionError(f"cannot fetch {key} from {v.type_name(obj)}")


class Interpreter:
    def __init__(self, source: str, env: Mapping[str, Any]) -> None:
        self.source = source
        self.env = env
        self.scopes: list[dict[str, Any]] = []
        self.lets: dict[str, Any] = {}

    def run(self, node: Node) -> Any:
        try:
            return self.eval(node)
        except _NilChain:
            return None
        except RecursionError:
            raise ExpressionError("expression is nested too deeply", source=self.source) from None

    def fail(self, node: Node, exc: ExpressionError) -> ExpressionError:
        if exc.position is not None:
            return exc
        error_type = FetchFromNil if isinstance(exc, FetchFromNil) else ExpressionError
        return error_type(
            f"{exc.message} {location(self.source, node.pos)}", source=self.source, position=node.pos, located=True
        )

    def eval(self, node: Node) -> Any:
        try:
            return _DISPATCH[node.kind](self, node)
        except ExpressionError as exc:
            raise self.fail(node, exc) from None
        except (ValueError, TypeError, OverflowError, ZeroDivisionError, KeyError, IndexError) as exc:
            raise self.fail(node, ExpressionError(str(exc))) from None

    def const(self, node: Node) -> Any:
        return node.value

    def ident(self, node: Node) -> Any:
        name = node.value
        if name in self.lets:
            return self.lets[name]
        if name in self.env:
            return self.env[name]
        if name in BUILTINS:
            return BUILTINS[name]
        raise ExpressionError(f"unknown name {name}")

    def pointer(self, node: Node) -> Any:
        if not self.scopes:
            raise ExpressionError("cannot use pointer accessor outside predicate")
        scope = self.scopes[-1]
        if node.value not in scope:
            raise ExpressionError(f"unknown pointer #{node.value}")
        return scope[node.value]

    def member(self, node: Node) -> Any:
        obj = self.eval(node.args[0])
        if obj is None and node.value:
            raise _NilChain
        return fetch(obj, self.eval(node.args[1]))

    def chain(self, node: Node) -> Any:
        try:
            return self.eval(node.args[0])
        except _NilChain:
            return None

    def slice(self, node: Node) -> Any:
        obj = self.eval(node.args[0])
        lo, hi = self.eval(node.args[1]), self.eval(node.args[2])
        if not isinstance(obj, list | tuple | str):
            raise ExpressionError(f"cannot slice {v.type_name(obj)}")
        for bound in (lo, hi):
            if bound is not None and not v.is_int(bound):
                raise ExpressionError(f"invalid operation: cannot slice with {v.type_name(bound)}")
        return obj[lo:hi]

    def unary(self, node: Node) -> Any:
        value = self.eval(node.args[0])
        if node.value in ("not", "!"):
            return not v.truthy_bool(value, f"{node.value} {v.type_name(value)}")
        if not v.is_number(value):
            raise ExpressionError(f"invalid operation: {node.value}{v.type_name(value)}")
        return -value if node.value == "-" else value

    def binary(self, node: Node) -> Any:
        op = node.value
        if op in ("and", "&&", "or", "||"):
            return self.logical(node)
        if op == "??":
            try:
                left = self.eval(node.args[0])
            except (FetchFromNil, _NilChain):
                left = None
            return left if left is not None else self.eval(node.args[1])
        left, right = self.eval(node.args[0]), self.eval(node.args[1])
        return _OPERATORS[op](left, right)

    def logical(self, node: Node) -> Any:
        is_and = node.value in ("and", "&&")
        left = v.truthy_bool(self.eval(node.args[0]), node.value)
        if left != is_and:
            return left
        return v.truthy_bool(self.eval(node.args[1]), node.value)

    def cond(self, node: Node) -> Any:
        test = self.eval(node.args[0])
        if node.args[1] is node.args[0]:  # elvis "a ?: b"
            return test if test is not None and test is not False and test != "" else self.eval(node.args[2])
        if not isinstance(test, bool):
            raise ExpressionError(f"non-bool expression (type {v.type_name(test)}) used as condition")
        return self.eval(node.args[1] if test else node.args[2])

    def array(self, node: Node) -> Any:
        return [self.eval(item) for item in node.args]

    def map(self, node: Node) -> Any:
        out: dict[Any, Any] = {}
        for i in range(0, len(node.args), 2):
            out[self.eval(node.args[i])] = self.eval(node.args[i + 1])
        return out

    def let(self, node: Node) -> Any:
        saved = dict(self.lets)
        self.lets[node.value] = self.eval(node.args[0])
        try:
            return self.eval(node.args[1])
        finally:
            self.lets = saved

    def call(self, node: Node) -> Any:
        name = node.value
        fn: Any = self.lets.get(name, self.env.get(name))
        if fn is None:
            fn = BUILTINS.get(name)
        if fn is None:
            raise ExpressionError(f"unknown func {name}" if name not in self.env else f"{name} is nil")
        if not callable(fn):
            raise ExpressionError(f"{name} is not callable (type {v.type_name(fn)})")
        return fn(*[self.eval(arg) for arg in node.args])

    def method(self, node: Node) -> Any:
        obj = self.eval(node.args[0])
        args = [self.eval(arg) for arg in node.args[1:]]
        if isinstance(obj, Mapping):
            fn = obj.get(node.value)
            if not callable(fn):
                raise ExpressionError(f"{node.value} is not callable (type {v.type_name(fn)})")
            return fn(*args)
        kind = dt.datetime if isinstance(obj, dt.datetime) else dt.timedelta if isinstance(obj, dt.timedelta) else None
        method = METHODS.get((kind, node.value)) if kind else None
        if method is None:
            raise ExpressionError(f"type {v.type_name(obj)} has no method {node.value}")
        return method(obj, *args)

    def predicate(self, node: Node) -> Any:
        from pinnace.expressions.expr_predicates import PREDICATE_FUNCTIONS

        items = self.eval(node.args[0])
        if isinstance(items, Mapping):
            items = list(items.values())
        if not isinstance(items, list | tuple):
            raise ExpressionError(f"cannot iterate over {v.type_name(items)}")
        closure = node.args[1] if len(node.args) > 1 else None
        extra = [self.eval(arg) for arg in node.args[2:]]
        return PREDICATE_FUNCTIONS[node.value](self, list(items), closure, extra)

    def apply(self, closure: Node, item: Any, index: int, acc: Any = None) -> Any:
        self.scopes.append({"": item, "index": index, "acc": acc})
        try:
            return self.eval(closure.args[0] if closure.kind == "closure" else closure)
        finally:
            self.scopes.pop()

    def closure(self, node: Node) -> Any:
        raise ExpressionError("a predicate is only allowed as a builtin's argument")


def _in(left: Any, right: Any) -> bool:
    if isinstance(right, Mapping):
        return left in right if isinstance(left, str | int | float | bool) or left is None else False
    if isinstance(right, list | tuple):
        return any(v.equal(left, item) for item in right)
    if right is None:
        raise ExpressionError("operator in not defined on <nil>")
    raise ExpressionError(f"operator in not defined on {v.type_name(right)}")


def _strings(op: str, fn: Callable[[str, str], bool]) -> Callable[[Any, Any], bool]:
    def run(a: Any, b: Any) -> bool:
        if not (isinstance(a, str) and isinstance(b, str)):
            raise v.mismatch(op, a, b)
        return fn(a, b)

    return run


def _range(a: Any, b: Any) -> list[int]:
    if not (v.is_int(a) and v.is_int(b)):
        raise v.mismatch("..", a, b)
    return list(range(a, b + 1))


_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": v.add,
    "-": v.subtract,
    "*": v.multiply,
    "/": v.divide,
    "%": v.modulo,
    "**": v.power,
    "^": v.power,
    "==": v.equal,
    "!=": lambda a, b: not v.equal(a, b),
    "<": lambda a, b: v.compare("<", a, b),
    ">": lambda a, b: v.compare(">", a, b),
    "<=": lambda a, b: v.compare("<=", a, b),
    ">=": lambda a, b: v.compare(">=", a, b),
    "in": _in,
    "matches": _strings("matches", lambda a, b: go_match(b, a)),
    "contains": _strings("contains", lambda a, b: b in a),
    "startsWith": _strings("startsWith", lambda a, b: a.startswith(b)),
    "endsWith": _strings("endsWith", lambda a, b: a.endswith(b)),
    "..": _range,
}

_DISPATCH: dict[str, Callable[[Interpreter, Node], Any]] = {
    kind: getattr(Interpreter, kind)
    for kind in (
        "const", "ident", "pointer", "member", "chain", "slice", "unary", "binary", "cond", "array",
        "map", "let", "call", "method", "predicate", "closure",
    )
}  # fmt: skip
