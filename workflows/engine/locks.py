"""Where the engine takes and gives back mutexes/semaphores (``operator.go`` around ``TryAcquire``).

Workflow level: the workflow stays Pending with the waiting message until it holds every lock.
Template level: the node is created Pending with ``synchronizationStatus.waiting`` and that
message; once its locks are granted it runs from scratch. Locks of fulfilled nodes are released
at the end of every pass, all of a workflow's at its end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workflows.engine import memo
from workflows.engine.model import FAILED, PENDING, Obj
from workflows.engine.nodes import fulfilled
from workflows.engine.sync import LockRef, lock_refs, status_block
from workflows.templating import TemplateError, render_object

if TYPE_CHECKING:
    from workflows.engine.operator import Operation

# While waiting, look again this often even without a release notice (a semaphore may grow).
RECHECK_SECONDS = 5.0


def _refs(op: Operation, sync: Obj) -> list[LockRef]:
    try:
        rendered: Obj = render_object(sync, op.globals)
    except TemplateError:
        rendered = sync
    return lock_refs(rendered, op.namespace, op.configmaps)


def workflow_locks(op: Operation) -> bool:
    """True when the workflow may run; otherwise it is left Pending with Argo's message."""
    sync = op.spec.get("synchronization")
    if not sync:
        return True
    if op.shutdown:
        op.sync.release_workflow(op.wf_key)
        op._finish_workflow(FAILED, f"Stopped with strategy '{op.shutdown}'")
        return False
    ok, message, _ = op.sync.try_acquire(op.wf_key, _refs(op, sync), op.priority, op.created)
    if ok:
        return True
    op.status["phase"] = PENDING
    op.status["message"] = message
    op._requeue(RECHECK_SECONDS)
    op._finalize_pass()
    return False


def template_locks(
    op: Operation, node_name: str, tmpl: Obj, node: Obj | None, boundary_id: str, hooked: bool
) -> Obj | None:
    """None when the node holds its locks (go on), else the node waiting for them."""
    nid = op.nodes.id_of(node_name)
    ok, message, lock = op.sync.try_acquire(
        f"{op.wf_key}/{nid}", _refs(op, tmpl["synchronization"]), op.priority, op.created
    )
    if ok:
        if node is not None and (node.get("synchronizationStatus") or {}).get("waiting"):
            # The node only stood for the wait; it now starts for real.
            del op.nodes.nodes[nid]
        return None
    if node is None:
        ntype = memo.node_type(tmpl, op._retry_strategy(tmpl) is not None)
        node = op.nodes.init(node_name, ntype, tmpl.get("name", ""), boundary_id, PENDING, message, hooked=hooked)
    else:
        op.nodes.mark(node_name, PENDING, message)
    node["synchronizationStatus"] = {"waiting": lock}
    op._requeue(RECHECK_SECONDS)
    return node


def waiting_for_lock(node: Obj) -> bool:
    return bool((node.get("synchronizationStatus") or {}).get("waiting"))


def release_fulfilled(op: Operation) -> None:
    """Give back the locks of nodes that are done (or gone)."""
    for holder, _lock in op.sync.held_by(op.wf_key) + op.sync.waiting_of(op.wf_key):
        if holder == op.wf_key:
            continue
        node = op.nodes.nodes.get(holder.rsplit("/", 1)[1])
        if node is None or fulfilled(node):
            op.sync.release(holder)


def settle(op: Operation) -> None:
    """Release the locks of fulfilled nodes and record ``status.synchronization``."""
    release_fulfilled(op)
    block = status_block(op.sync, op.wf_key)
    if block:
        op.status["synchronization"] = block
    else:
        op.status.pop("synchronization", None)
