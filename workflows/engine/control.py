"""User actions on a running workflow (``workflow/util``): resume, stop, terminate."""

from __future__ import annotations

import copy
import datetime as dt

from workflows.engine import templates as tpl
from workflows.engine.model import RUNNING, SUCCEEDED, SUSPEND, Obj, format_time


def resume(wf: Obj, now: dt.datetime, node_name: str | None = None) -> Obj:
    """``argo resume``: clear ``spec.suspend`` and succeed active Suspend nodes (supplied defaults apply)."""
    out = copy.deepcopy(wf)
    out.setdefault("spec", {}).pop("suspend", None)
    templates = {t["name"]: t for t in out["spec"].get("templates") or []}
    for node in (out.get("status") or {}).get("nodes", {}).values():
        if node["type"] != SUSPEND or node["phase"] != RUNNING:
            continue
        if node_name and node_name not in (node["name"], node["displayName"]):
            continue
        tmpl = templates.get(node.get("templateName", ""), {})
        failed = _supplied_missing(node, tmpl)
        if failed:
            node["phase"], node["message"] = "Failed", failed
        else:
            _apply_defaults(node, tmpl)
            node["phase"] = SUCCEEDED
        node["finishedAt"] = format_time(now)
    return out


def _default(node: Obj, param: Obj) -> object:
    vf = param.get("valueFrom") or {}
    if "default" in vf:
        return vf["default"]
    for p in (node.get("inputs") or {}).get("parameters") or []:
        if p.get("name") == param["name"] and "value" in p:
            return p["value"]
    return param.get("default")


def _supplied_missing(node: Obj, tmpl: Obj) -> str:
    have = {p["name"] for p in (node.get("outputs") or {}).get("parameters") or [] if "value" in p}
    for p in (tmpl.get("outputs") or {}).get("parameters") or []:
        vf = p.get("valueFrom") or {}
        if "supplied" in vf and p["name"] not in have and _default(node, p) is None:
            return f"raw output parameter '{p['name']}' has not been set and does not have a default value"
    return ""


def _apply_defaults(node: Obj, tmpl: Obj) -> None:
    current = {p["name"]: p for p in (node.get("outputs") or {}).get("parameters") or []}
    for p in (tmpl.get("outputs") or {}).get("parameters") or []:
        vf = p.get("valueFrom") or {}
        if "supplied" in vf and p["name"] not in current:
            current[p["name"]] = {**p, "value": str(_default(node, p))}
    if current:
        node.setdefault("outputs", {})["parameters"] = list(current.values())


def set_output_parameter(wf: Obj, node_name: str, name: str, value: str) -> Obj:
    """``argo node set --output-parameter``: supply a suspend node's output."""
    out = copy.deepcopy(wf)
    for node in (out.get("status") or {}).get("nodes", {}).values():
        if node_name in (node["name"], node["displayName"]) and node["type"] == SUSPEND:
            params = node.setdefault("outputs", {}).setdefault("parameters", [])
            params[:] = [p for p in params if p["name"] != name] + [{"name": name, "value": value}]
    return out


def set_shutdown(wf: Obj, strategy: str) -> Obj:
    """``argo stop`` (``Stop``) / ``argo terminate`` (``Terminate``)."""
    if strategy not in ("Stop", "Terminate"):
        raise ValueError(f"spec.shutdown: unknown strategy {strategy!r}; use Stop or Terminate")
    out = copy.deepcopy(wf)
    out.setdefault("spec", {})["shutdown"] = strategy
    return out


__all__ = ["resume", "set_shutdown", "tpl"]
