"""``argo suspend`` / ``argo stop`` / ``argo terminate``: halting a workflow that has not finished."""

from __future__ import annotations

import copy

from workflows.engine.control import set_shutdown
from workflows.operations.wire import DONE_PHASES, Obj, OperationError, is_completed


def suspend_workflow(wf: Obj) -> Obj:
    """``argo suspend``: ``spec.suspend: true``; a completed workflow cannot be suspended."""
    if is_completed(wf):
        raise OperationError("cannot suspend completed workflows")
    out = copy.deepcopy(wf)
    out.setdefault("spec", {})["suspend"] = True
    return out


def shutdown_workflow(wf: Obj, strategy: str) -> Obj:
    """``argo stop`` / ``argo terminate``: ``spec.shutdown``; refused once the workflow has finished."""
    if (wf.get("status") or {}).get("phase") in DONE_PHASES:
        meta = wf.get("metadata") or {}
        raise OperationError(f'cannot shutdown a completed workflow: workflow: "{meta.get("name", "")}", '
                             f'namespace: "{meta.get("namespace", "")}"')
    return set_shutdown(wf, strategy)
