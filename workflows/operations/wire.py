"""The Workflow-object vocabulary the operations share: labels, phases, the error, small accessors."""

from __future__ import annotations

import datetime as dt
from typing import Any

Obj = dict[str, Any]

LABEL_COMPLETED = "workflows.argoproj.io/completed"
LABEL_PHASE = "workflows.argoproj.io/phase"
LABEL_ARCHIVING = "workflows.argoproj.io/workflow-archiving-status"
LABEL_RESUBMITTED_FROM = "workflows.argoproj.io/resubmitted-from-workflow"
CREATOR_LABELS = frozenset({
    "workflows.argoproj.io/creator", "workflows.argoproj.io/creator-email",
    "workflows.argoproj.io/creator-preferred-username",
})

DONE_PHASES = frozenset({"Succeeded", "Failed", "Error"})


class OperationError(ValueError):
    """The operation does not apply to this workflow; the message is Argo's."""


def format_time(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def workflow_name(wf: Obj) -> str:
    return str((wf.get("metadata") or {}).get("name") or "")


def is_completed(wf: Obj) -> bool:
    """Argo's ``IsWorkflowCompleted`` (the ``completed`` label), or a finished phase when unlabelled."""
    labels = (wf.get("metadata") or {}).get("labels") or {}
    if labels.get(LABEL_COMPLETED) == "true":
        return True
    return (wf.get("status") or {}).get("phase") in DONE_PHASES
