"""withItems / withParam / withSequence expansion (``operator.go expandSequence``, ``steps.go expandStep``)."""

from __future__ import annotations

import copy
import json
from typing import Any

from workflows.engine.conditions import expr_eval
from workflows.engine.model import Obj
from workflows.templating import TemplateError, render_object

LOOP_KEYS = ("withItems", "withParam", "withSequence")


class LoopError(ValueError):
    pass


def should_expand(step: Obj) -> bool:
    return any(k in step for k in LOOP_KEYS)


def _go_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), sort_keys=isinstance(value, dict))
    return str(value)


def _label(value: Any) -> str:
    text = ",".join(f"{k}:{_go_text(value[k])}" for k in sorted(value)) if isinstance(value, dict) else _go_text(value)
    return text.replace("(", "").replace(")", "")


def _sequence(seq: Obj) -> list[str]:
    try:
        start = int(str(seq.get("start", 0) or 0))
        if "count" in seq and seq["count"] not in (None, ""):
            count = int(str(seq["count"]))
            if count == 0:
                return []
            end = start + count - 1
        else:
            end = int(str(seq.get("end", 0) or 0))
    except ValueError as err:
        raise LoopError(f"failed to parse withSequence: {err}") from err
    fmt = str(seq.get("format") or "%d")
    step = 1 if end >= start else -1
    return [fmt % i for i in range(start, end + step, step)]


def items_of(step: Obj) -> list[Any]:
    if "withItems" in step:
        return list(step["withItems"] or [])
    if "withParam" in step:
        raw = step["withParam"]
        if isinstance(raw, list):
            return raw
        try:
            value = json.loads(str(raw))
        except ValueError as err:
            msg = f"withParam value could not be parsed as a JSON list: {str(raw).strip()}: {err}"
            raise LoopError(msg) from err
        if not isinstance(value, list):
            raise LoopError(f"withParam value could not be parsed as a JSON list: {str(raw).strip()}")
        return value
    return list(_sequence(step["withSequence"] or {}))


def expand(step: Obj) -> list[Obj]:
    """One step/task per item, named ``name(i:item)`` with ``{{item}}`` substituted."""
    items = items_of(step)
    base = {k: v for k, v in step.items() if k not in LOOP_KEYS}
    out: list[Obj] = []
    for i, item in enumerate(items):
        values = {"item": _go_text(item)}
        if isinstance(item, dict):
            for k, v in item.items():
                values[f"item.{k}"] = _go_text(v)
        try:
            new = render_object(copy.deepcopy(base), values, expr=expr_eval)
        except TemplateError as err:
            raise LoopError(str(err)) from err
        new["name"] = f"{step['name']}({i}:{_label(item)})"
        out.append(new)
    return out
