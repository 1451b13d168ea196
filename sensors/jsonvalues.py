"""gjson's conversions of a JSON value (``Float()``, ``Bool()``, ``Type``; ``String()`` is
``pinnace.expressions.paths.result_string``).

Argo reads event fields through gjson and compares what those conversions return; decoded
Python values are converted the same way so ``{"k": "1.0"}`` and ``{"k": 1.0}`` behave as in Argo.
"""

from __future__ import annotations

import json
from typing import Any

_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


def raw_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def gjson_type(value: Any) -> str:
    if value is None:
        return "Null"
    if value is True:
        return "True"
    if value is False:
        return "False"
    if isinstance(value, int | float):
        return "Number"
    if isinstance(value, str):
        return "String"
    return "JSON"


def gjson_float(value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return 0.0
    return 0.0


def parse_go_bool(text: str) -> bool:
    """``strconv.ParseBool``; ValueError names the input as Go does."""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f'strconv.ParseBool: parsing "{text}": invalid syntax')


def parse_go_float(text: str) -> float:
    """``strconv.ParseFloat(text, 64)``: no surrounding spaces, no Python-only spellings."""
    if text != text.strip() or "_" in text or not text:
        raise ValueError(f'strconv.ParseFloat: parsing "{text}": invalid syntax')
    try:
        return float(text)
    except ValueError:
        raise ValueError(f'strconv.ParseFloat: parsing "{text}": invalid syntax') from None


def gjson_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        return value in _TRUE
    return False
