"""Template helpers: type detection, templateDefaults, durations, suspend outputs, progress."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from pinnace.resources.durations import parse_duration
from workflows.engine.model import FAILED, POD, SUCCEEDED, SUSPEND, Obj

if TYPE_CHECKING:
    from workflows.engine.operator import Operation

# Precedence of ``Template.GetType()``.
_TYPES = ("container", "containerSet", "steps", "dag", "script", "resource", "data", "suspend", "http", "plugin")
_POD_TYPES = frozenset({"container", "containerSet", "script", "resource", "data"})


def template_type(tmpl: Obj) -> str:
    for kind in _TYPES:
        if tmpl.get(kind) is not None:
            return kind
    return ""


def is_pod(tmpl: Obj) -> bool:
    return template_type(tmpl) in _POD_TYPES


# Hidden key on a processed template: the scope its own ``template:`` names resolve in.
SCOPE = "x-pinnace-template-scope"


def merge(base: Any, override: Any) -> Any:
    """Deep merge where ``override`` wins (maps merge, everything else is replaced)."""
    return _merge(base, override)


def _merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for k, v in override.items():
            out[k] = _merge(base.get(k), v) if k in base else v
        return out
    return copy.deepcopy(override)


def with_defaults(tmpl: Obj, defaults: Obj | None) -> Obj:
    """``templateDefaults`` merged under the template; type fields only onto matching types."""
    if not defaults:
        return tmpl
    kind = template_type(tmpl)
    base = {k: v for k, v in defaults.items() if k not in _TYPES or k == kind}
    merged: Obj = _merge(base, tmpl)
    return merged


def seconds(value: Any) -> float:
    return parse_duration(value if isinstance(value, int | float) else str(value))


def finish_suspend(op: Operation, node: Obj, tmpl: Obj) -> Obj:
    """Resume/timeout of a suspend node: supplied outputs fall back to their defaults."""
    params = []
    for p in (tmpl.get("outputs") or {}).get("parameters") or []:
        vf = p.get("valueFrom") or {}
        if "supplied" not in vf:
            continue
        current = {q["name"]: q for q in (node.get("outputs") or {}).get("parameters") or []}
        if p["name"] in current and "value" in current[p["name"]]:
            params.append(current[p["name"]])
            continue
        from workflows.engine.control import _default

        default = _default(node, p)
        if default is None:
            msg = f"raw output parameter '{p['name']}' has not been set and does not have a default value"
            return op.nodes.mark(node["name"], FAILED, msg)
        params.append({**p, "value": str(default)})
    if params:
        node.setdefault("outputs", {})["parameters"] = params
    return op.nodes.mark(node["name"], SUCCEEDED)


def update_progress(status: Obj) -> None:
    """``workflow/progress``: leaves are 0/1 or 1/1; a steps/dag/retry node sums the leaves it contains."""
    nodes: dict[str, Obj] = status.get("nodes") or {}
    sums: dict[str, list[int]] = {}
    total = [0, 0]
    for _nid, node in nodes.items():
        if node["type"] not in _LEAVES:
            continue
        done = 1 if node["phase"] in (SUCCEEDED, "Skipped", "Omitted") else 0
        node["progress"] = f"{done}/1"
        total[0] += done
        total[1] += 1
        owners = []
        if node.get("nodeFlag", {}).get("retried") and node["name"].endswith(")"):
            owners.append(node["id"].rsplit("-", 1)[0] + "-" + str(_retry_parent_id(node["name"])))
        bid = node.get("boundaryID")
        while bid and bid in nodes and len(owners) < 200:
            owners.append(bid)
            bid = nodes[bid].get("boundaryID")
        for owner in owners:
            acc = sums.setdefault(owner, [0, 0])
            acc[0] += done
            acc[1] += 1
    for owner, (d, t) in sums.items():
        if owner in nodes:
            nodes[owner]["progress"] = f"{d}/{t}"
    if total[1]:
        status["progress"] = f"{total[0]}/{total[1]}"


_LEAVES = frozenset({POD, SUSPEND, "Container", "HTTP", "Plugin"})


def _retry_parent_id(name: str) -> int:
    from workflows.engine.model import fnv32a

    return fnv32a(name[: name.rindex("(")])
