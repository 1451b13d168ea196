"""Global variables of a workflow (``workflow.*``), as ``setGlobalParameters`` builds them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from workflows.engine.model import RUNNING, format_time, parse_time
from workflows.engine.scope import ArgsError, process_args

if TYPE_CHECKING:
    from workflows.engine.operator import Operation


def set_globals(op: Operation) -> None:
    meta = op.wf.get("metadata") or {}
    g = op.globals
    g["workflow.name"] = op.name
    g["workflow.namespace"] = op.namespace
    g["workflow.uid"] = meta.get("uid", "")
    g["workflow.mainEntrypoint"] = op.spec.get("entrypoint", "")
    g["workflow.serviceAccountName"] = op.spec.get("serviceAccountName", "")
    created = meta.get("creationTimestamp") or op.status.get("startedAt") or format_time(op.now)
    g["workflow.creationTimestamp"] = created
    g["workflow.creationTimestamp.RFC3339"] = created
    params = []
    for p in (op.spec.get("arguments") or {}).get("parameters") or []:
        value = p.get("value")
        if value is None and "valueFrom" in p:
            try:
                value = process_args({"inputs": {"parameters": [p]}}, None, {}, op.configmaps)["inputs"]["parameters"][
                    0
                ]["value"]
            except ArgsError:
                value = None
        if value is not None:
            g[f"workflow.parameters.{p['name']}"] = (
                str(value) if not isinstance(value, bool) else ("true" if value else "false")
            )
            params.append({"name": p["name"], "value": g[f"workflow.parameters.{p['name']}"]})
    g["workflow.parameters"] = json.dumps(params, separators=(",", ":"))
    g["workflow.parameters.json"] = g["workflow.parameters"]
    for kind in ("labels", "annotations"):
        items = meta.get(kind) or {}
        for k, v in items.items():
            g[f"workflow.{kind}.{k}"] = str(v)
        g[f"workflow.{kind}.json"] = json.dumps(items, separators=(",", ":"))
    g["workflow.status"] = op.status.get("phase", RUNNING)
    started = op.status.get("startedAt")
    if started:
        g["workflow.duration"] = str(float((op.now - parse_time(started)).total_seconds()))
    for p in (op.status.get("outputs") or {}).get("parameters") or []:
        g[f"workflow.outputs.parameters.{p['name']}"] = p.get("value", "")
