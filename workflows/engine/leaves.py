"""Leaf templates: pods (container, script, containerSet, resource, http) and suspend nodes."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from workflows.engine import templates as tpl
from workflows.engine.containerset import init_container_nodes
from workflows.engine.model import (
    FAILED,
    FULFILLED,
    HTTP,
    PENDING,
    POD,
    RUNNING,
    SUSPEND,
    Obj,
    PodRequest,
    parse_time,
    pod_name,
)

if TYPE_CHECKING:
    from workflows.engine.operator import Operation


def execute_pod(
    op: Operation, node_name: str, tmpl: Obj, boundary_id: str, on_exit: bool, hooked: bool, retried: bool
) -> Obj:
    node = op.nodes.get(node_name)
    if node is not None:
        return node
    # HTTP templates get no pod in Argo either (an agent runs them); the node type says so.
    ntype = HTTP if tpl.template_type(tmpl) == "http" else POD
    if (op.shutdown and not (op.shutdown == "Stop" and on_exit)) or (op.deadline_passed and not on_exit):
        msg = f"Stopped with strategy '{op.shutdown}'" if op.shutdown else "Step exceeded its deadline"
        return op.nodes.init(
            node_name, ntype, tmpl.get("name", ""), boundary_id, FAILED, msg, hooked=hooked, retried=retried
        )
    node = op.nodes.init(node_name, ntype, tmpl.get("name", ""), boundary_id, PENDING, hooked=hooked, retried=retried)
    short = node_name.rsplit(".", 1)[-1].split("(", 1)[0]
    kind = tpl.template_type(tmpl)
    include = kind == "script" or short in op.result_refs or "*" in op.result_refs
    op.outcome.create.append(
        PodRequest(
            node_id=node["id"],
            pod_name=pod_name(op.name, node_name, tmpl.get("name", "")),
            node_name=node_name,
            template=tmpl,
            include_result=include,
            deadline=pod_deadline(op, tmpl, on_exit),
            workflow=op.name,
            namespace=op.namespace,
        )
    )
    if kind == "containerSet":
        init_container_nodes(op, node, tmpl, hooked)
    return node


def pod_deadline(op: Operation, tmpl: Obj, on_exit: bool) -> dt.datetime | None:
    limits = []
    for key in ("activeDeadlineSeconds", "timeout"):
        if tmpl.get(key) not in (None, ""):
            limits.append(tpl.seconds(tmpl[key]))
    deadline = op.now + dt.timedelta(seconds=min(limits)) if limits else None
    ads = op.spec.get("activeDeadlineSeconds")
    if ads is not None and not on_exit and op.status.get("startedAt"):
        wf_deadline = parse_time(op.status["startedAt"]) + dt.timedelta(seconds=int(ads))
        deadline = wf_deadline if deadline is None else min(deadline, wf_deadline)
    return deadline


def execute_suspend(op: Operation, node_name: str, tmpl: Obj, boundary_id: str, hooked: bool) -> Obj:
    node = op.nodes.get(node_name)
    if node is None:
        node = op.nodes.init(node_name, SUSPEND, tmpl.get("name", ""), boundary_id, RUNNING, hooked=hooked)
    if node["phase"] in FULFILLED:
        return node
    duration = (tmpl.get("suspend") or {}).get("duration")
    if duration not in (None, ""):
        until = parse_time(node["startedAt"]) + dt.timedelta(seconds=tpl.seconds(duration))
        if op.now >= until:
            return tpl.finish_suspend(op, node, tmpl)
        op._requeue((until - op.now).total_seconds())
    return node
