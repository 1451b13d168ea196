"""``argo retry`` (``FormulateRetryWorkflow``): re-run failed and selected nodes in the same Workflow."""

from __future__ import annotations

import copy
import datetime as dt
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from workflows.engine.model import pod_name
from workflows.operations.node_graph import NodeGraph, descendant_succeeded
from workflows.operations.parameters import override_parameters
from workflows.operations.selectors import parse_field_selector, selector_matches
from workflows.operations.wire import (
    LABEL_ARCHIVING,
    LABEL_COMPLETED,
    Obj,
    OperationError,
    format_time,
    workflow_name,
)

_EXECUTION = frozenset({"Container", "Pod", "HTTP", "Plugin"})


@dataclass
class Retried:
    workflow: Obj
    pods_to_delete: list[str] = field(default_factory=list)


def retry_workflow(wf: Obj, now: dt.datetime, *, restart_successful: bool = False, node_field_selector: str = "",
                   parameters: Sequence[str] = ()) -> Retried:
    """``argo retry``: re-run the failed/errored nodes (and any selected ones) in the same Workflow."""
    _check_retryable(wf, restart_successful, node_field_selector)
    out = _fresh_retry(wf, now, parameters)
    graph = NodeGraph(wf)
    restart = _nodes_to_restart(graph.nodes, restart_successful, node_field_selector)
    to_reset, to_delete = _reset_and_delete(graph, restart, bool(parameters))
    exit_name = f"{graph.wf_name}.onExit"
    out["status"]["nodes"] = _kept_nodes(graph.nodes, to_reset, to_delete, exit_name, now)
    return Retried(out, _pods_to_delete(wf, graph.nodes, to_delete, exit_name))


def _check_retryable(wf: Obj, restart_successful: bool, selector: str) -> None:
    phase = (wf.get("status") or {}).get("phase") or ""
    if phase in ("Failed", "Error"):
        return
    if phase == "Succeeded":
        if not restart_successful or not selector:
            raise OperationError(
                "To retry a succeeded workflow, set the options restartSuccessful and nodeFieldSelector")
        return
    raise OperationError(f"Cannot retry a workflow in phase {phase}")


def _fresh_retry(wf: Obj, now: dt.datetime, parameters: Sequence[str]) -> Obj:
    """``createNewRetryWorkflow``: the object with every trace of completion removed, no nodes yet."""
    out = copy.deepcopy(wf)
    labels = out.setdefault("metadata", {}).get("labels") or {}
    for key in (LABEL_COMPLETED, LABEL_ARCHIVING):
        labels.pop(key, None)
    status = out.setdefault("status", {})
    conditions = [c for c in status.get("conditions") or [] if c.get("type") != "Completed"]
    status["conditions"] = [*conditions, {"type": "Completed", "status": "False"}]
    for key in ("phase", "message", "finishedAt", "persistentVolumeClaims"):
        status.pop(key, None)
    status["nodes"] = {}
    status["startedAt"] = format_time(now)
    stored = status.get("storedWorkflowTemplateSpec")
    if isinstance(stored, dict):
        stored.pop("shutdown", None)
    spec = out.setdefault("spec", {})
    spec.pop("shutdown", None)
    if spec.get("activeDeadlineSeconds") == 0:
        spec.pop("activeDeadlineSeconds")  # it was terminated
    override_parameters(out, parameters)
    return out


def _retry_node_of(nodes: dict[str, Obj], child_id: str) -> Obj | None:
    for node in nodes.values():
        if node.get("type") == "Retry" and child_id in (node.get("children") or []):
            return node
    return None


def _nodes_to_restart(nodes: dict[str, Obj], restart_successful: bool, selector: str) -> set[str]:
    chosen: set[str] = set()
    if restart_successful and selector:
        terms = parse_field_selector(selector)
        chosen = {nid for nid, n in nodes.items() if selector_matches(terms, n)}
    failed = set()
    for nid, node in nodes.items():
        if node.get("phase") not in ("Failed", "Error") or node.get("type") not in _EXECUTION:
            continue
        subject = node
        if (node.get("nodeFlag") or {}).get("retried"):
            subject = _retry_node_of(nodes, nid) or node
        if not descendant_succeeded(nodes, subject, chosen):
            failed.add(nid)
    return chosen | failed


def _reset_and_delete(graph: NodeGraph, restart: set[str], new_parameters: bool) -> tuple[set[str], set[str]]:
    to_reset: set[str] = set()
    to_delete: set[str] = set()
    # Top-down, so that a node already deleted with an ancestor never gets a reset path of its own.
    for nid in graph.bfs_from_root():
        if nid in restart and nid not in to_delete:
            reset, delete = graph.reset_path(nid)
            to_reset |= reset
            to_delete |= delete
    if new_parameters:
        # Groups re-expand with the new values only if their children are gone.
        for nid in list(to_reset - to_delete):
            if graph.type_of(nid) in ("TaskGroup", "StepGroup"):
                to_delete |= graph.descendants(nid)
    return to_reset, to_delete


def _kept_nodes(
    nodes: dict[str, Obj], to_reset: set[str], to_delete: set[str], exit_name: str, now: dt.datetime
) -> dict[str, Obj]:
    """The retried run's nodes: reset ones running again, the rest as they were, minus deleted and exit ones."""
    new_nodes: dict[str, Obj] = {nid: _reset_node(nodes[nid], now) for nid in to_reset - to_delete}
    for nid, node in nodes.items():
        if nid not in new_nodes and nid not in to_delete and not str(node.get("name", "")).startswith(exit_name):
            new_nodes[nid] = copy.deepcopy(node)
    for node in new_nodes.values():
        for key in ("children", "outboundNodes"):
            kept = [c for c in node.get(key) or [] if c not in to_delete]
            if kept:
                node[key] = kept
            else:
                node.pop(key, None)
    return new_nodes


def _reset_node(node: Obj, now: dt.datetime) -> Obj:
    out = copy.deepcopy(node)
    if out.get("type") == "Suspend" and out.get("outputs"):
        out["outputs"]["parameters"] = [
            {"name": p.get("name"), "valueFrom": {"supplied": {}}} for p in out["outputs"].get("parameters") or []
        ]
    if out.get("phase") != "Skipped":  # a skipped node stays skipped, or the workflow never finishes
        out["phase"] = "Running"
    out.pop("message", None)
    out.pop("finishedAt", None)
    out["startedAt"] = format_time(now)
    return out


def _pods_to_delete(wf: Obj, nodes: dict[str, Obj], deleted: set[str], exit_name: str) -> list[str]:
    name = workflow_name(wf)
    pods: list[str] = []

    def add(node: Obj) -> None:
        template = str((node.get("templateRef") or {}).get("template") or node.get("templateName") or "")
        pod = pod_name(name, str(node.get("name") or ""), template)
        if pod not in pods:
            pods.append(pod)

    for nid in sorted(deleted):
        if nodes[nid].get("type") == "Pod":
            add(nodes[nid])
    for node in nodes.values():
        if node.get("name") == exit_name:
            queue = deque([node])
            while queue:
                cur = queue.popleft()
                add(cur)
                queue.extend(nodes[c] for c in cur.get("children") or [] if c in nodes)
    return pods
