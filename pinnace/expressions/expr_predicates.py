"""expr-lang builtins that take a predicate closure (``filter(list, # > 1)``, ``map(list, .name)`` …)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pinnace.expressions import expr_values as v
from pinnace.expressions.errors import ExpressionError
from pinnace.expressions.goformat import sprint

if TYPE_CHECKING:
    from pinnace.expressions.expr_eval import Interpreter
    from pinnace.expressions.expr_parser import Node

_Predicate = Callable[["Interpreter", list[Any], "Node | None", list[Any]], Any]


def _need(closure: Node | None, name: str) -> Node:
    if closure is None:
        raise ExpressionError(f"not enough arguments to call {name}")
    return closure


def _test(interp: Interpreter, closure: Node, item: Any, index: int, name: str) -> bool:
    result = interp.apply(closure, item, index)
    if not isinstance(result, bool):
        raise ExpressionError(f"predicate of {name} must return bool, got {v.type_name(result)}")
    return result


def _all(interp: Interpreter, items: list[Any], closure: Node | None, extra: list[Any]) -> bool:
    c = _need(closure, "all")
    return all(_test(interp, c, item, i, "all") for i, item in enumerate(items))


def _any(interp: Interpreter, items: list[Any], closure: Node | None, extra: list[Any]) -> bool:
    c = _need(closure, "any")
    return any(_test(interp, c, item, i, "any") for i, item in enumerate(items))


def _none(interp: Interpreter, items: list[Any], closure: Node | None, extra: list[Any]) -> bool:
    c = _need(closure, "none")
    return not any(_test(interp, c, item, i, "none") for i, item in enumerate(items))


def _one(interp: Interpreter, items: list[Any], closure: Node | None, extra: list[Any]) -> bool:
    c = _need(closure, "one")
    return sum(1 for i, item in enumerate(items) if _test(interp, c, item, i, "one")) == 1


def _filter(interp: Interpreter, items: list[Any], closure: Node | None, extra: list[Any]) -> list[Any]:
    c = _need(closure, "filter")
    return [item for i, item in enumerate(items) if _test(interp, c, item, i, "filter")]


def _map(interp: Interpreter, items: list[Any], closure: Node | None, extra: list[Any]) -> list[Any]:
    c = _need(closure, "map")
    return [interp.apply(c, item, i) for i, item in enumerate(items)]


def _count(interp: Interpreter, items: list[Any], closure: Node | None, extra: list[Any]) -> int:
    if closure is None:
        return sum(1 for item in items if item is True)
    return sum(1 for i, item in enumerate(items) if _test(interp, closure, item, i, "count"))


def _sum(interp: Interpreter, items: list[Any], closure: Node | None, extra: list[Any]) -> Any:
    values = items if closure is None else [interp.apply(closure, item, i) for i, item in enumerate(items)]
    total: Any = 0
    for value in values:
        if not v.is_number(value):
            raise ExpressionError(f"invalid operation: sum of {v.type_name(value)}")
        total = v.add(total, value)
    return total


def _finder(last: bool, want_index: bool) -> _Predicate:
    def find(interp: Interpreter, items: list[Any], closure: Node | None, extra: list[Any]) -> Any:
        c = _need(closure, "find")
        order = range(len(items) - 1, -1, -1) if last else range(len(items))
        for i in order:
            if _test(interp, c, items[i], i, "find"):
                return i if want_index else items[i]
        return -1 if want_index else None

    return find


def _group_by(interp: Interpreter, items: list[Any], closure: Node | None, extra: list[Any]) -> dict[Any, Any]:
    c = _need(closure, "groupBy")
    groups: dict[Any, list[Any]] = {}
    for i, item in enumerate(items):
        groups.setdefault(interp.apply(c, item, i), []).append(item)
    return groups


def _sort_by(interp: Interpreter, items: list[Any], closure: Node | None, extra: list[Any]) -> list[Any]:
    c = _need(closure, "sortBy")
    order = extra[0] if extra else "asc"
    if order not in ("asc", "desc"):
        raise ExpressionError(f'unknown order {sprint(order)}, use "asc" or "desc"')
    keyed = [(interp.apply(c, item, i), item) for i, item in enumerate(items)]
    return [item for _, item in sorted(keyed, key=lambda kv: _sort_key(kv[0]), reverse=order == "desc")]


def _sort_key(value: Any) -> Any:
    if v.is_number(value):
        return (0, value, "")
    if isinstance(value, str):
        return (1, 0, value)
    raise ExpressionError(f"cannot sort values of type {v.type_name(value)}")


def _reduce(interp: Interpreter, items: list[Any], closure: Node | None, extra: list[Any]) -> Any:
    c = _need(closure, "reduce")
    if extra:
        acc, start = extra[0], 0
    elif items:
        acc, start = items[0], 1
    else:
        raise ExpressionError("reduce of empty array with no initial value")
    for i in range(start, len(items)):
        acc = interp.apply(c, items[i], i, acc)
    return acc


PREDICATE_FUNCTIONS: dict[str, _Predicate] = {
    "all": _all,
    "any": _any,
    "none": _none,
    "one": _one,
    "filter": _filter,
    "map": _map,
    "count": _count,
    "sum": _sum,
    "find": _finder(False, False),
    "findIndex": _finder(False, True),
    "findLast": _finder(True, False),
    "findLastIndex": _finder(True, True),
    "groupBy": _group_by,
    "sortBy": _sort_by,
    "reduce": _reduce,
}
