"""``parallelism`` and ``failFast`` limits checked before a node starts (``operator.go checkParallelism``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workflows.engine import templates as tpl
from workflows.engine.errors import Deferred
from workflows.engine.model import FAILED, FAILED_OR_ERROR, FULFILLED, PENDING, POD, RETRY, RUNNING, Obj

if TYPE_CHECKING:
    from workflows.engine.operator import Operation


def check_parallelism(op: Operation, tmpl: Obj, node: Obj | None, boundary_id: str) -> None:
    """Raise Deferred when the workflow's or the enclosing template's limit is reached, or failFast applies."""
    limit = op.spec.get("parallelism")
    if limit is not None and (node is None) and tpl.is_pod(tmpl) and _active_pods(op, "") >= int(limit):
        raise Deferred()
    if node is not None and tpl.template_type(tmpl) in ("steps", "dag"):
        _fail_fast(op, tmpl, node)
    if boundary_id and (node is None or node["phase"] not in (PENDING, RUNNING)):
        bnode = op.nodes.by_id(boundary_id)
        btmpl = op._node_template(bnode)
        if btmpl is None:
            return
        _fail_fast(op, btmpl, bnode)
        plimit = btmpl.get("parallelism")
        if plimit is not None and int(plimit) > 0 and _active_children(op, boundary_id) >= int(plimit):
            raise Deferred()


def _fail_fast(op: Operation, tmpl: Obj, node: Obj) -> None:
    if not tmpl.get("failFast") or not _unsuccessful_children(op, node["id"]):
        return
    if _active_pods(op, node["id"]) == 0:
        msg = "template has failed or errored children and failFast enabled"
        if tpl.template_type(tmpl) == "steps":
            for child in op.nodes.nodes.values():
                if (
                    child.get("boundaryID") == node["id"]
                    and child["type"] == "StepGroup"
                    and child["phase"] not in FULFILLED
                ):
                    op.nodes.mark(child["name"], FAILED, msg)
        op.nodes.mark(node["name"], FAILED, msg)
    raise Deferred()


def _active_pods(op: Operation, boundary_id: str) -> int:
    return sum(
        1
        for n in op.nodes.nodes.values()
        if n["type"] == POD
        and n["phase"] in (PENDING, RUNNING)
        and (not boundary_id or n.get("boundaryID") == boundary_id)
    )


def _active_children(op: Operation, boundary_id: str) -> int:
    return sum(
        1
        for n in op.nodes.nodes.values()
        if n.get("boundaryID") == boundary_id
        and n["type"] in (POD, "Steps", "DAG")
        and n["phase"] in (PENDING, RUNNING)
    )


def _unsuccessful_children(op: Operation, boundary_id: str) -> int:
    return sum(
        1
        for n in op.nodes.nodes.values()
        if n.get("boundaryID") == boundary_id
        and n["phase"] in FAILED_OR_ERROR
        and n["type"] not in (RETRY, "StepGroup", "TaskGroup")
    )
