"""Go float64 and int64 arithmetic: no exceptions on division by zero or overflow, wrap-around ints."""

from __future__ import annotations

import math

_INT64_MIN = -(2**63)


def float_div(a: float, b: float) -> float:
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def float_mod(a: float, b: float) -> float:
    """Go ``math.Mod``: result has the sign of ``a``; NaN for a zero divisor."""
    if b == 0 or math.isinf(a) or math.isnan(a) or math.isnan(b):
        return math.nan
    return math.fmod(a, b)


def float_pow(a: float, b: float) -> float:
    try:
        result = math.pow(a, b)
    except OverflowError:
        return math.inf if a > 0 or (float(b).is_integer() and int(b) % 2 == 0) else -math.inf
    except ValueError:
        if a == 0 and b < 0:
            return math.inf
        return math.nan
    return result


def wrap_int64(value: int) -> int:
    value &= 0xFFFFFFFFFFFFFFFF
    return value - 2**64 if value >= 2**63 else value


def float_to_int64(value: float) -> int:
    """Go ``int64(f)`` truncates; out-of-range values give the minimum int64 as on amd64."""
    if math.isnan(value) or math.isinf(value) or not (-(2.0**63) <= value < 2.0**63):
        return _INT64_MIN
    return int(value)
