"""The workflow's exit handler (``spec.onExit`` / ``spec.hooks.exit``) and ``workflow.failures``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from workflows.engine.model import FAILED_OR_ERROR, Obj, pod_name
from workflows.engine.nodes import fulfilled

if TYPE_CHECKING:
    from workflows.engine.operator import Operation


def run_exit_handler(op: Operation, wf_phase: str) -> Obj | bool | None:
    hook = op.spec.get("onExit") or ((op.spec.get("hooks") or {}).get("exit") or {}).get("template")
    if not hook:
        return None
    args = ((op.spec.get("hooks") or {}).get("exit") or {}).get("arguments") or op.spec.get("arguments") or {}
    name = f"{op.name}.onExit"
    existing = op.nodes.get(name)
    if existing is None and op.shutdown == "Terminate":
        return None
    op.globals["workflow.status"] = wf_phase
    op.globals["workflow.failures"] = failures(op)
    from workflows.engine.operator import Deferred

    try:
        node = op.execute(name, {"template": hook}, args, "", on_exit=True, hooked=True)
    except Deferred:
        return False
    if node is None or not fulfilled(node):
        return False
    return node


def failures(op: Operation) -> str:
    failures = []
    for n in op.nodes.nodes.values():
        if n["phase"] in FAILED_OR_ERROR:
            failures.append(
                {
                    "displayName": n["displayName"],
                    "message": n.get("message", ""),
                    "templateName": n.get("templateName", ""),
                    "phase": n["phase"],
                    "podName": pod_name(op.name, n["name"], n.get("templateName", "")),
                    "finishedAt": n.get("finishedAt", ""),
                }
            )
    return json.dumps(failures or None, separators=(",", ":"))
