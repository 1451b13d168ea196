"""Pod reconciliation and workflow-level deadlines/shutdown (``podReconciliation``, ``exec_control.go``)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from workflows.engine import containerset as cset
from workflows.engine.model import (
    ERROR,
    FAILED,
    FULFILLED,
    HTTP,
    PENDING,
    POD,
    RUNNING,
    SUCCEEDED,
    SUSPEND,
    KillRequest,
    Obj,
    PodObservation,
    format_time,
    parse_time,
)
from workflows.engine.nodes import Nodes

if TYPE_CHECKING:
    from workflows.engine.operator import Operation


def reconcile_pods(op: Operation) -> None:
    """``podReconciliation``: pod state → node state; a vanished pod is ``pod deleted``."""
    for node in list(op.nodes.nodes.values()):
        if node["type"] == HTTP and node["phase"] not in FULFILLED and not node.get("synchronizationStatus"):
            obs = op.pods.get(node["id"])
            if obs is None:
                _node_done(op, node, ERROR, "HTTP request lost: the controller running it stopped")
            else:
                _assess(op, node, obs)
            continue
        if node["type"] != POD or (node.get("synchronizationStatus") or {}).get("waiting"):
            continue
        if node["phase"] in FULFILLED:
            _settle_containers(op, node)
            continue
        obs = op.pods.get(node["id"])
        if obs is None:
            _node_done(op, node, ERROR, "pod deleted")
            cset.mark_containers_deleted(op, node)
            continue
        if obs.containers:
            cset.assess_containers(op, node, obs)
        _assess(op, node, obs)


def _settle_containers(op: Operation, node: Obj) -> None:
    """A pod node ended by the controller (deadline, stop) still owes its containers an end."""
    children = node.get("children") or []
    if not children or all(op.nodes.by_id(c)["phase"] in FULFILLED for c in children if c in op.nodes.nodes):
        return
    obs = op.pods.get(node["id"])
    if obs is None:
        cset.mark_containers_deleted(op, node)
    elif obs.containers:
        cset.assess_containers(op, node, obs)


def _assess(op: Operation, node: Obj, obs: PodObservation) -> None:
    """``assessNodeStatus`` for a single-container pod."""
    if obs.host and node.get("hostNodeName") != obs.host:
        node["hostNodeName"] = obs.host
    if obs.phase in (PENDING, RUNNING):
        if node["phase"] != obs.phase:
            op.nodes.mark(node["name"], obs.phase)
        return
    outputs: Obj = dict(node.get("outputs") or {})
    if obs.exit_code is not None:
        outputs["exitCode"] = str(obs.exit_code)
    if obs.result is not None:
        outputs["result"] = obs.result
    tmpl = op._node_template(node)
    declared = ((tmpl or {}).get("outputs") or {}).get("parameters") or []
    params = []
    for p in declared:
        if p["name"] in obs.parameters:
            entry = {k: v for k, v in p.items() if k != "value"}
            entry["value"] = obs.parameters[p["name"]]
            params.append(entry)
    if params:
        outputs["parameters"] = params
    if outputs:
        node["outputs"] = outputs
    if obs.phase == SUCCEEDED and obs.parameter_error:
        _node_done(op, node, ERROR, obs.parameter_error)
    elif obs.phase == SUCCEEDED:
        _node_done(op, node, SUCCEEDED, "")
    elif obs.message:
        _node_done(op, node, FAILED, obs.message)
    elif obs.containers:
        _node_done(op, node, FAILED, cset.failed_reason(obs))
    else:
        _node_done(op, node, FAILED, f"main: {obs.reason} (exit code {obs.exit_code})")
    if obs.finished_at:
        node["finishedAt"] = format_time(obs.finished_at)


def _node_done(op: Operation, node: Obj, phase: str, message: str) -> None:
    op.nodes.mark(node["name"], phase, message)


def check_deadline(op: Operation) -> None:
    """``spec.activeDeadlineSeconds`` and ``spec.shutdown``: fail and kill what still runs."""
    ads = op.spec.get("activeDeadlineSeconds")
    started = op.status.get("startedAt")
    message = ""
    if op.shutdown:
        message = f"Stopped with strategy '{op.shutdown}'"
    elif ads is not None and started:
        deadline = parse_time(started) + dt.timedelta(seconds=int(ads))
        if op.now >= deadline:
            op.deadline_passed = True
            message = "Step exceeded its deadline"
        else:
            op._requeue((deadline - op.now).total_seconds())
    if not message:
        return
    for node in list(op.nodes.nodes.values()):
        if node["phase"] in FULFILLED or node["type"] not in (POD, SUSPEND, HTTP):
            continue
        if op.shutdown == "Stop" and is_exit_node(node, op.nodes):
            continue
        if op.deadline_passed and is_exit_node(node, op.nodes):
            continue
        if node["type"] in (POD, HTTP):
            op.outcome.kill.append(KillRequest(node["id"], message))
        _node_done(op, node, FAILED, message)
        cset.stop_containers(op, node, message)
        node.pop("synchronizationStatus", None)


def is_exit_node(node: Obj, nodes: Nodes) -> bool:
    if node.get("nodeFlag", {}).get("hooked"):
        return True
    bid = node.get("boundaryID")
    seen = 0
    while bid and bid in nodes.nodes and seen < 200:
        b = nodes.nodes[bid]
        if b.get("nodeFlag", {}).get("hooked") or b["name"].endswith(".onExit"):
            return True
        bid = b.get("boundaryID")
        seen += 1
    return bool(str(node["name"]).endswith(".onExit"))
