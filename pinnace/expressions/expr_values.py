"""Value rules of expr-lang: Go type names, equality, arithmetic and comparison across int/float."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pinnace.expressions import gomath
from pinnace.expressions.errors import ExpressionError


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def type_name(value: Any) -> str:
    """The Go type expr would report for a value."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dt.datetime):
        return "time.Time"
    if isinstance(value, dt.timedelta):
        return "time.Duration"
    if isinstance(value, Mapping):
        return "map[string]interface {}"
    if isinstance(value, list | tuple):
        return "[]interface {}"
    if callable(value):
        return "func"
    return type(value).__name__


def equal(a: Any, b: Any) -> bool:
    """expr ``runtime.Equal``: numbers compare by value across int/float; otherwise deep equality."""
    if is_number(a) and is_number(b):
        return bool(a == b)
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if type(a) is not type(b) and not (isinstance(a, dt.datetime) and isinstance(b, dt.datetime)):
        return False
    return bool(a == b)


def mismatch(op: str, a: Any, b: Any) -> ExpressionError:
    return ExpressionError(f"invalid operation: {op} (mismatched types {type_name(a)} and {type_name(b)})")


def _both_ints(a: Any, b: Any) -> bool:
    return is_int(a) and is_int(b)


def add(a: Any, b: Any) -> Any:
    if _both_ints(a, b):
        return gomath.wrap_int64(a + b)
    if is_number(a) and is_number(b):
        return float(a) + float(b)
    if isinstance(a, str) and isinstance(b, str):
        return a + b
    if isinstance(a, dt.datetime) and isinstance(b, dt.timedelta):
        return a + b
    if isinstance(a, dt.timedelta) and isinstance(b, dt.datetime | dt.timedelta):
        return b + a
    raise mismatch("+", a, b)


def subtract(a: Any, b: Any) -> Any:
    if _both_ints(a, b):
        return gomath.wrap_int64(a - b)
    if is_number(a) and is_number(b):
        return float(a) - float(b)
    if isinstance(a, dt.datetime) and isinstance(b, dt.datetime | dt.timedelta):
        return _aware(a) - (_aware(b) if isinstance(b, dt.datetime) else b)
    if isinstance(a, dt.timedelta) and isinstance(b, dt.timedelta):
        return a - b
    raise mismatch("-", a, b)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.astimezone()


def multiply(a: Any, b: Any) -> Any:
    if _both_ints(a, b):
        return gomath.wrap_int64(a * b)
    if is_number(a) and is_number(b):
        return float(a) * float(b)
    if isinstance(a, dt.timedelta) and is_int(b):
        return a * b
    if is_int(a) and isinstance(b, dt.timedelta):
        return b * a
    raise mismatch("*", a, b)


def divide(a: Any, b: Any) -> Any:
    if is_number(a) and is_number(b):
        return gomath.float_div(float(a), float(b))
    raise mismatch("/", a, b)


def modulo(a: Any, b: Any) -> Any:
    if _both_ints(a, b):
        if b == 0:
            raise ExpressionError("runtime error: integer divide by zero")
        result = abs(a) % abs(b)
        return -result if a < 0 else result  # Go truncates toward zero
    raise mismatch("%", a, b)


def power(a: Any, b: Any) -> Any:
    if is_number(a) and is_number(b):
        return gomath.float_pow(float(a), float(b))
    raise mismatch("**", a, b)


def compare(op: str, a: Any, b: Any) -> bool:
    ok = (
        (is_number(a) and is_number(b))
        or (isinstance(a, str) and isinstance(b, str))
        or (isinstance(a, dt.timedelta) and isinstance(b, dt.timedelta))
    )
    if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
        a, b, ok = _aware(a), _aware(b), True
    if not ok:
        raise mismatch(op, a, b)
    if op == "<":
        return bool(a < b)
    if op == ">":
        return bool(a > b)
    if op == "<=":
        return bool(a <= b)
    return bool(a >= b)


def to_int(value: Any) -> int:
    """expr's ``int()`` (Argo's ``asInt``)."""
    if isinstance(value, bool) or value is None or not isinstance(value, int | float | str):
        raise ExpressionError(f"invalid operation: int({type_name(value)})")
    if isinstance(value, float):
        return gomath.float_to_int64(value)
    if isinstance(value, str):
        digits = value[1:] if value[:1] in "+-" else value
        if not (digits.isdigit() and digits.isascii()):
            raise ExpressionError(f'strconv.Atoi: parsing "{value}": invalid syntax')
        return int(value)
    return value


def to_float(value: Any) -> float:
    """expr's ``float()`` (Argo's ``asFloat``)."""
    if isinstance(value, bool) or value is None or not isinstance(value, int | float | str):
        raise ExpressionError(f"invalid operation: float({type_name(value)})")
    if isinstance(value, str):
        try:
            text = value.lower()
            if "_" in text or text.strip() != text or text in ("infinity", "+infinity", "-infinity"):
                raise ValueError(text)
            return float(value)
        except ValueError:
            raise ExpressionError(f'strconv.ParseFloat: parsing "{value}": invalid syntax') from None
    return float(value)


def truthy_bool(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise ExpressionError(f"invalid operation: {what} (non-bool value of type {type_name(value)})")
    return value
