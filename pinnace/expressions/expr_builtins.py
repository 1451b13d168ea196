"""expr-lang's builtin functions, Argo's additions (``asInt``, ``asFloat``, ``jsonpath``, ``toJson``,
``sprig``), and the methods of time values (``(now() - t).Seconds()`` in CronWorkflow ``when``)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
import statistics
import zoneinfo
from collections.abc import Callable, Mapping
from typing import Any

from pinnace.expressions import expr_values as v
from pinnace.expressions.errors import ExpressionError
from pinnace.expressions.goformat import sprint, to_json
from pinnace.expressions.gotime import RFC3339, format_time, parse_time
from pinnace.expressions.jsonpath import query as jsonpath_query
from pinnace.expressions.sprig import SPRIG
from pinnace.resources.durations import DurationError, parse_go_duration


def _string(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise ExpressionError(f"invalid argument for {name} (type {v.type_name(value)})")
    return value


def _list(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise ExpressionError(f"invalid argument for {name} (type {v.type_name(value)})")
    return list(value)


def _len(value: Any) -> int:
    if isinstance(value, str | list | tuple | Mapping):
        return len(value)
    raise ExpressionError(f"invalid argument for len (type {v.type_name(value)})")


def _numbers(args: tuple[Any, ...], name: str) -> list[Any]:
    values: list[Any] = []
    for arg in args:
        if isinstance(arg, list | tuple):
            values.extend(_numbers(tuple(arg), name))
        elif v.is_number(arg):
            values.append(arg)
        else:
            raise ExpressionError(f"invalid argument for {name} (type {v.type_name(arg)})")
    if not values and name in ("max", "min"):
        raise ExpressionError(f"not enough arguments to call {name}")
    return values


def _abs(x: Any) -> Any:
    if not v.is_number(x):
        raise ExpressionError(f"invalid argument for abs (type {v.type_name(x)})")
    return abs(x)


def _rounding(fn: Callable[[float], float], name: str) -> Callable[[Any], float]:
    def run(x: Any) -> float:
        if not v.is_number(x):
            raise ExpressionError(f"invalid argument for {name} (type {v.type_name(x)})")
        return float(fn(float(x)))

    return run


def _go_round(x: float) -> float:
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)


def _split(s: Any, sep: Any, n: Any = -1) -> list[str]:
    text, separator = _string(s, "split"), _string(sep, "split")
    if n == 0:
        return []
    if separator == "":
        parts = list(text)
        return parts if n < 0 or n >= len(parts) else [*parts[: n - 1], "".join(parts[n - 1 :])]
    return text.split(separator, n - 1 if n > 0 else -1)


def _trim(s: Any, chars: Any = None) -> str:
    return _string(s, "trim").strip(chars) if chars is not None else _string(s, "trim").strip(" \t\n\r\v\f")


def _join(items: Any, sep: Any = "") -> str:
    return _string(sep, "join").join(_string(x, "join") for x in _list(items, "join"))


def _from_json(text: Any) -> Any:
    try:
        return json.loads(_string(text, "fromJSON"), parse_int=float)
    except json.JSONDecodeError as exc:
        raise ExpressionError(f"invalid JSON: {exc}") from None


def _from_base64(text: Any) -> str:
    try:
        return base64.b64decode(_string(text, "fromBase64"), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError) as exc:
        raise ExpressionError(f"illegal base64 data: {exc}") from None


def _duration(text: Any) -> dt.timedelta:
    try:
        return dt.timedelta(seconds=parse_go_duration(_string(text, "duration")))
    except DurationError as exc:
        raise ExpressionError(str(exc)) from None


def _date(text: Any, *rest: Any) -> dt.datetime:
    s = _string(text, "date")
    tz: dt.tzinfo | None = None
    if len(rest) >= 2:
        tz = _timezone(rest[1])
    if rest:
        return parse_time(s, _string(rest[0], "date"), tz)
    for layout in (
        RFC3339,
        "2006-01-02T15:04:05.999999999Z07:00",
        "2006-01-02 15:04:05 -0700",
        "2006-01-02 15:04:05",
        "2006-01-02T15:04:05",
        "2006-01-02",
    ):
        try:
            return parse_time(s, layout, tz)
        except ExpressionError:
            continue
    raise ExpressionError(f'cannot parse "{s}" as date')


def _timezone(name: Any) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(_string(name, "timezone")) if name not in ("UTC", "") else dt.UTC
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ExpressionError(f"unknown time zone {name}") from None


def _get(obj: Any, key: Any) -> Any:
    from pinnace.expressions.expr_eval import fetch

    try:
        return fetch(obj, key)
    except ExpressionError:
        return None


def _sort(items: Any, order: Any = "asc") -> list[Any]:
    values = _list(items, "sort")
    if order not in ("asc", "desc"):
        raise ExpressionError(f'unknown order {sprint(order)}, use "asc" or "desc"')
    if all(v.is_number(x) for x in values) or all(isinstance(x, str) for x in values):
        return sorted(values, reverse=order == "desc")
    raise ExpressionError("sort: values must all be numbers or all be strings")


def _flatten(items: Any) -> list[Any]:
    out: list[Any] = []
    for item in _list(items, "flatten"):
        out.extend(_flatten(item) if isinstance(item, list | tuple) else [item])
    return out


def _uniq(items: Any) -> list[Any]:
    out: list[Any] = []
    for item in _list(items, "uniq"):
        if not any(v.equal(item, seen) for seen in out):
            out.append(item)
    return out


def _type(value: Any) -> str:
    names = {
        "int": "int",
        "float64": "float",
        "string": "string",
        "bool": "bool",
        "<nil>": "nil",
        "time.Time": "time",
        "time.Duration": "duration",
        "func": "func",
    }
    name = v.type_name(value)
    if name.startswith("map"):
        return "map"
    if name.startswith("[]"):
        return "array"
    return names.get(name, "unknown")


def _jsonpath(text: Any, path: Any) -> Any:
    try:
        document = json.loads(_string(text, "jsonpath"), parse_int=float)
    except json.JSONDecodeError as exc:
        raise ExpressionError(f"jsonpath: invalid JSON: {exc}") from None
    return jsonpath_query(_string(path, "jsonpath"), document)


def _bits(fn: Callable[[int, int], int]) -> Callable[[Any, Any], int]:
    def run(a: Any, b: Any) -> int:
        if not (v.is_int(a) and v.is_int(b)):
            raise v.mismatch("bitwise", a, b)
        return fn(a, b)

    return run


BUILTINS: dict[str, Callable[..., Any]] = {
    "len": _len,
    "abs": _abs,
    "ceil": _rounding(math.ceil, "ceil"),
    "floor": _rounding(math.floor, "floor"),
    "round": _rounding(_go_round, "round"),
    "int": v.to_int,
    "float": v.to_float,
    "string": sprint,
    "max": lambda *a: max(_numbers(a, "max")),
    "min": lambda *a: min(_numbers(a, "min")),
    "mean": lambda *a: float(statistics.fmean(_numbers(a, "mean"))) if _numbers(a, "mean") else 0.0,
    "median": lambda *a: float(statistics.median(_numbers(a, "median"))) if _numbers(a, "median") else 0.0,
    "trim": _trim,
    "trimPrefix": lambda s, p=" ": _string(s, "trimPrefix").removeprefix(_string(p, "trimPrefix")),
    "trimSuffix": lambda s, p=" ": _string(s, "trimSuffix").removesuffix(_string(p, "trimSuffix")),
    "upper": lambda s: _string(s, "upper").upper(),
    "lower": lambda s: _string(s, "lower").lower(),
    "split": _split,
    "splitAfter": lambda s, sep: [p + sep for p in _split(s, sep)[:-1]] + _split(s, sep)[-1:],
    "replace": lambda s, old, new: _string(s, "replace").replace(_string(old, "replace"), _string(new, "replace")),
    "repeat": lambda s, n: _string(s, "repeat") * int(n),
    "join": _join,
    "indexOf": lambda s, sub: _string(s, "indexOf").find(_string(sub, "indexOf")),
    "lastIndexOf": lambda s, sub: _string(s, "lastIndexOf").rfind(_string(sub, "lastIndexOf")),
    "hasPrefix": lambda s, p: _string(s, "hasPrefix").startswith(_string(p, "hasPrefix")),
    "hasSuffix": lambda s, p: _string(s, "hasSuffix").endswith(_string(p, "hasSuffix")),
    "toJSON": lambda x: to_json(x, indent="  "),
    "fromJSON": _from_json,
    "toBase64": lambda s: base64.b64encode(_string(s, "toBase64").encode()).decode(),
    "fromBase64": _from_base64,
    "now": lambda: dt.datetime.now().astimezone(),
    "duration": _duration,
    "date": _date,
    "timezone": _timezone,
    "first": lambda items: _list(items, "first")[0] if _list(items, "first") else None,
    "last": lambda items: _list(items, "last")[-1] if _list(items, "last") else None,
    "get": _get,
    "take": lambda items, n: _list(items, "take")[: max(int(n), 0)],
    "keys": lambda m: list(m.keys()) if isinstance(m, Mapping) else _list(m, "keys"),
    "values": lambda m: list(m.values()) if isinstance(m, Mapping) else _list(m, "values"),
    "toPairs": lambda m: [[k, x] for k, x in m.items()],
    "fromPairs": lambda pairs: {p[0]: p[1] for p in _list(pairs, "fromPairs")},
    "sort": _sort,
    "reverse": lambda items: _list(items, "reverse")[::-1],
    "concat": lambda *lists: [x for items in lists for x in _list(items, "concat")],
    "flatten": _flatten,
    "uniq": _uniq,
    "type": _type,
    "bitand": _bits(lambda a, b: a & b),
    "bitor": _bits(lambda a, b: a | b),
    "bitxor": _bits(lambda a, b: a ^ b),
    "bitnand": _bits(lambda a, b: a & ~b),
    "bitshl": _bits(lambda a, b: a << b),
    "bitshr": _bits(lambda a, b: a >> b),
    "bitnot": lambda a: ~v.to_int(a),
    # Argo Workflows' additions (util/expr/env/env.go).
    "asInt": v.to_int,
    "asFloat": v.to_float,
    "jsonpath": _jsonpath,
    "toJson": lambda x: to_json(x),
}

ARGO_ENV: dict[str, Any] = {"sprig": SPRIG}

METHODS: dict[tuple[type, str], Callable[..., Any]] = {
    (dt.timedelta, "Seconds"): lambda d: d.total_seconds(),
    (dt.timedelta, "Minutes"): lambda d: d.total_seconds() / 60,
    (dt.timedelta, "Hours"): lambda d: d.total_seconds() / 3600,
    (dt.timedelta, "Milliseconds"): lambda d: int(d / dt.timedelta(milliseconds=1)),
    (dt.timedelta, "Microseconds"): lambda d: int(d / dt.timedelta(microseconds=1)),
    (dt.timedelta, "Nanoseconds"): lambda d: int(d / dt.timedelta(microseconds=1)) * 1000,
    (dt.timedelta, "String"): sprint,
    (dt.datetime, "Unix"): lambda t: int(t.timestamp()) if t.tzinfo else int(t.astimezone().timestamp()),
    (dt.datetime, "UnixMilli"): lambda t: int(t.timestamp() * 1000),
    (dt.datetime, "Year"): lambda t: t.year,
    (dt.datetime, "Month"): lambda t: t.month,
    (dt.datetime, "Day"): lambda t: t.day,
    (dt.datetime, "Hour"): lambda t: t.hour,
    (dt.datetime, "Minute"): lambda t: t.minute,
    (dt.datetime, "Second"): lambda t: t.second,
    (dt.datetime, "Weekday"): lambda t: (t.weekday() + 1) % 7,
    (dt.datetime, "YearDay"): lambda t: t.timetuple().tm_yday,
    (dt.datetime, "Format"): lambda t, layout: format_time(t, _string(layout, "Format")),
    (dt.datetime, "Sub"): lambda t, u: v.subtract(t, u),
    (dt.datetime, "Add"): lambda t, d: v.add(t, d),
    (dt.datetime, "After"): lambda t, u: v.compare(">", t, u),
    (dt.datetime, "Before"): lambda t, u: v.compare("<", t, u),
    (dt.datetime, "Equal"): lambda t, u: v.equal(t, u),
    (dt.datetime, "UTC"): lambda t: t.astimezone(dt.UTC),
    (dt.datetime, "Local"): lambda t: t.astimezone(),
    (dt.datetime, "In"): lambda t, tz: t.astimezone(tz),
    (dt.datetime, "String"): sprint,
}
