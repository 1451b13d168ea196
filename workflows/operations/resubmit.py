"""``argo resubmit`` (``FormulateResubmitWorkflow``): a new Workflow from an old one, optionally memoized."""

from __future__ import annotations

import copy
import datetime as dt
import random
import string
from collections.abc import Callable, Sequence

from workflows.engine.model import node_id
from workflows.operations.node_graph import descendant_succeeded
from workflows.operations.parameters import override_parameters
from workflows.operations.wire import (
    CREATOR_LABELS,
    LABEL_ARCHIVING,
    LABEL_COMPLETED,
    LABEL_PHASE,
    LABEL_RESUBMITTED_FROM,
    Obj,
    OperationError,
    format_time,
    workflow_name,
)

# Labels describing the old run, never carried to a resubmitted one.
_NOT_RESUBMITTED = CREATOR_LABELS | {LABEL_PHASE, LABEL_COMPLETED, LABEL_ARCHIVING}


def _rand_suffix() -> str:
    return "".join(random.choices(string.ascii_lowercase + string.digits, k=5))


def resubmit_workflow(wf: Obj, now: dt.datetime, *, memoized: bool = False, parameters: Sequence[str] = (),
                      suffix: Callable[[], str] = _rand_suffix) -> Obj:
    """``argo resubmit``: a new Workflow from the old one's spec (``FormulateResubmitWorkflow``)."""
    meta = wf.get("metadata") or {}
    new_meta: Obj = {"generateName": meta.get("generateName") or f"{workflow_name(wf)}-"}
    if memoized:
        if (wf.get("status") or {}).get("phase") not in ("Failed", "Error"):
            raise OperationError("workflow must be Failed/Error to resubmit in memoized mode")
        # Node IDs hash the workflow name, so it must be known before the object is created.
        new_meta["name"] = new_meta["generateName"] + suffix()
    _copy_metadata(meta, workflow_name(wf), new_meta)
    spec = copy.deepcopy(wf.get("spec") or {})
    if spec.get("activeDeadlineSeconds") == 0:
        spec.pop("activeDeadlineSeconds")
    spec.pop("shutdown", None)
    out: Obj = {"apiVersion": wf.get("apiVersion", "argoproj.io/v1alpha1"), "kind": "Workflow",
                "metadata": new_meta, "spec": spec}
    override_parameters(out, parameters)
    if memoized:
        out["status"] = _memoized_status(wf, new_meta["name"], now)
    return out


def _copy_metadata(meta: Obj, old_name: str, new_meta: Obj) -> None:
    if meta.get("namespace"):
        new_meta["namespace"] = meta["namespace"]
    labels = {k: v for k, v in (meta.get("labels") or {}).items() if k not in _NOT_RESUBMITTED}
    labels[LABEL_RESUBMITTED_FROM] = old_name
    new_meta["labels"] = labels
    if meta.get("annotations"):
        new_meta["annotations"] = dict(meta["annotations"])
    if meta.get("ownerReferences"):
        new_meta["ownerReferences"] = copy.deepcopy(meta["ownerReferences"])


def _renamer(old: str, new: str) -> Callable[[str], str]:
    def rename(name: str) -> str:
        return new + name[len(old):] if name.startswith(old) else name

    return rename


def _memoized_status(wf: Obj, new_name: str, now: dt.datetime) -> Obj:
    old_name = workflow_name(wf)
    status = wf.get("status") or {}
    old_nodes: dict[str, Obj] = status.get("nodes") or {}
    rename = _renamer(old_name, new_name)

    def convert(old_id: str) -> str:
        return node_id(new_name, rename(str((old_nodes.get(old_id) or {}).get("name") or "")))

    nodes: dict[str, Obj] = {}
    for node in old_nodes.values():
        if str(node.get("name") or "").startswith(f"{old_name}.onExit"):
            continue
        if node.get("type") == "Skipped" and not descendant_succeeded(old_nodes, node, set()):
            continue
        new = _memoized_node(node, new_name, rename, convert, now)
        nodes[new["id"]] = new
    out: Obj = {"nodes": nodes, "conditions": [{"type": "Completed", "status": "False"}]}
    if status.get("storedTemplates"):
        out["storedTemplates"] = copy.deepcopy(status["storedTemplates"])
    return out


def _memoized_node(node: Obj, new_name: str, rename: Callable[[str], str], convert: Callable[[str], str],
                   now: dt.datetime) -> Obj:
    """One node of the old run in the new one: a succeeded pod becomes a Skipped stand-in, the rest Pending."""
    new = copy.deepcopy(node)
    failed = node.get("phase") in ("Failed", "Error")
    pod = node.get("type") == "Pod"
    new["name"] = rename(str(node.get("name") or ""))
    new["id"] = node_id(new_name, new["name"])
    if node.get("boundaryID"):
        new["boundaryID"] = convert(str(node["boundaryID"]))
    if failed and pod:
        new.pop("startedAt", None)
        new.pop("finishedAt", None)
    else:
        new["startedAt"] = new["finishedAt"] = format_time(now)
    for key in ("children", "outboundNodes"):
        converted = [convert(c) for c in node.get(key) or []]
        if converted:
            new[key] = converted
        else:
            new.pop(key, None)
    if pod and not failed:
        new["phase"], new["type"] = "Skipped", "Skipped"
        new["message"] = f"original pod: {node.get('id', '')}"
    else:
        new["phase"] = "Pending"
        new.pop("message", None)
    return new
