"""Go's renderings of JSON-shaped values: ``fmt`` ``%v`` and ``encoding/json`` ``Marshal``.

Argo is written in Go, so text produced from values (template output, expression results, error
messages) must look the way Go prints them: ``3`` not ``3.0``, ``1e+06`` under ``%v``,
``map[a:1 b:2]`` for maps, sorted keys and HTML-escaped strings in JSON.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from pinnace.expressions.errors import ExpressionError


def _digits(x: float) -> tuple[str, int]:
    """Shortest round-trip decimal digits of ``abs(x)`` and the point position: 0.DIGITS x 10**dp."""
    if x == 0:
        return "0", 1
    _sign, digit_tuple, exponent = Decimal(repr(abs(x))).normalize().as_tuple()
    digits = "".join(str(d) for d in digit_tuple)
    assert isinstance(exponent, int)
    return digits, len(digits) + exponent


def _exp_form(digits: str, dp: int, min_exp_digits: int = 2) -> str:
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    exp = dp - 1
    sign = "-" if exp < 0 else "+"
    return f"{mantissa}e{sign}{abs(exp):0{min_exp_digits}d}"


def _fixed_form(digits: str, dp: int) -> str:
    if dp <= 0:
        return "0." + "0" * (-dp) + digits
    if dp >= len(digits):
        return digits + "0" * (dp - len(digits))
    return digits[:dp] + "." + digits[dp:]


def _special(x: float) -> str | None:
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    return None


def format_float_g(x: float) -> str:
    """Go ``strconv.FormatFloat(x, 'g', -1, 64)``, which is also what ``%v`` prints."""
    special = _special(x)
    if special is not None:
        return special
    digits, dp = _digits(x)
    sign = "-" if x < 0 or (x == 0 and math.copysign(1.0, x) < 0) else ""
    exp = dp - 1
    # Shortest formatting decides between %e and %f with precision 6, as strconv does.
    if x != 0 and (exp < -4 or exp >= 6):
        return sign + _exp_form(digits, dp)
    return sign + _fixed_form(digits, dp)


def format_float_f(x: float) -> str:
    """Go ``strconv.FormatFloat(x, 'f', -1, 64)``: never an exponent."""
    special = _special(x)
    if special is not None:
        return special
    digits, dp = _digits(x)
    return ("-" if x < 0 else "") + _fixed_form(digits, dp)


def format_float_json(x: float) -> str:
    """A float64 as Go's ``encoding/json`` writes it."""
    if math.isnan(x) or math.isinf(x):
        raise ExpressionError(f"json: unsupported value: {_special(x)}")
    if x == 0:
        return "0"
    digits, dp = _digits(x)
    sign = "-" if x < 0 else ""
    if abs(x) < 1e-6 or abs(x) >= 1e21:
        text = _exp_form(digits, dp, min_exp_digits=1)
        return sign + text
    return sign + _fixed_form(digits, dp)


def sprint(value: Any) -> str:
    """Go ``fmt.Sprint(value)`` / ``%v`` for JSON-shaped values."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float_g(value)
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return "[" + " ".join(str(b) for b in value) + "]"
    if isinstance(value, dt.timedelta):
        return format_duration(value)
    if isinstance(value, dt.datetime):
        return format_time(value)
    if isinstance(value, Mapping):
        items = sorted(value.items(), key=lambda kv: _sort_key(kv[0]))
        return "map[" + " ".join(f"{sprint(k)}:{sprint(v)}" for k, v in items) + "]"
    if isinstance(value, Sequence):
        return "[" + " ".join(sprint(v) for v in value) + "]"
    return str(value)


def _sort_key(key: Any) -> tuple[int, Any]:
    if isinstance(key, bool):
        return (0, key)
    if isinstance(key, int | float):
        return (1, key)
    return (2, str(key))


_JSON_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def json_string(text: str) -> str:
    """A JSON string literal escaped as Go's ``encoding/json`` does (HTML-safe)."""
    out = ['"']
    for ch in text:
        esc = _JSON_ESCAPES.get(ch)
        if esc is not None:
            out.append(esc)
        elif ch < " ":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def to_json(value: Any, *, indent: str = "") -> str:
    """Go ``json.Marshal`` (or ``MarshalIndent`` with ``indent``) of a JSON-shaped value."""
    return _json(value, indent, 0)


def _json(value: Any, indent: str, depth: int) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float_json(value)
    if isinstance(value, str):
        return json_string(value)
    if isinstance(value, dt.timedelta):
        return str(int(value / dt.timedelta(microseconds=1)) * 1000)
    if isinstance(value, dt.datetime):
        return json_string(value.isoformat().replace("+00:00", "Z"))
    if isinstance(value, Mapping):
        items = sorted(((str(k), v) for k, v in value.items()), key=lambda kv: kv[0])
        parts = [f"{json_string(k)}:{' ' if indent else ''}{_json(v, indent, depth + 1)}" for k, v in items]
        return _wrap("{", "}", parts, indent, depth)
    if isinstance(value, Sequence | bytes):
        parts = [_json(v, indent, depth + 1) for v in value]
        return _wrap("[", "]", parts, indent, depth)
    raise ExpressionError(f"json: unsupported type: {type(value).__name__}")


def _wrap(open_: str, close: str, parts: list[str], indent: str, depth: int) -> str:
    if not parts:
        return open_ + close
    if not indent:
        return open_ + ",".join(parts) + close
    inner = "\n" + indent * (depth + 1)
    return open_ + inner + ("," + inner).join(parts) + "\n" + indent * depth + close


def format_duration(value: dt.timedelta) -> str:
    """Go ``time.Duration.String()``: ``1h2m3.5s``, ``1.5s``, ``2ms``, ``0s``."""
    total_ns = round(value / dt.timedelta(microseconds=1)) * 1000
    if total_ns == 0:
        return "0s"
    sign = "-" if total_ns < 0 else ""
    ns = abs(total_ns)
    if ns < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if ns >= size:
                return sign + _trim_fraction(ns, size) + unit
    hours, rem = divmod(ns, 3_600_000_000_000)
    minutes, rem = divmod(rem, 60_000_000_000)
    out = sign
    if hours:
        out += f"{hours}h"
    if hours or minutes:
        out += f"{minutes}m"
    return out + _trim_fraction(rem, 1_000_000_000) + "s"


def _trim_fraction(amount: int, size: int) -> str:
    whole, frac = divmod(amount, size)
    if not frac:
        return str(whole)
    width = len(str(size)) - 1
    return f"{whole}." + f"{frac:0{width}d}".rstrip("0")


def format_time(value: dt.datetime) -> str:
    """Go ``time.Time.String()`` layout ``2006-01-02 15:04:05.999999999 -0700 MST`` (zone name simplified)."""
    text = value.strftime("%Y-%m-%d %H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    offset = value.utcoffset()
    if offset is None:
        return text
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    zone = "UTC" if minutes == 0 else value.tzname() or ""
    return f"{text} {sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d} {zone}".rstrip()
