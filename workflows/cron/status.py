"""CronWorkflow status as Argo writes it (``CronWorkflowStatus``), and the facts read off children."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from pinnace.resources.client import Obj

LABEL_CRON_WORKFLOW = "workflows.argoproj.io/cron-workflow"
LABEL_COMPLETED = "cronworkflows.argoproj.io/completed"
ANNOTATION_SCHEDULED_TIME = "workflows.argoproj.io/scheduled-time"
ANNOTATION_LAST_USED_SCHEDULE = "cronworkflows.argoproj.io/last-used-schedule"

ACTIVE = "Active"
STOPPED = "Stopped"
SPEC_ERROR = "SpecError"
SUBMISSION_ERROR = "SubmissionError"

_DONE = frozenset({"Succeeded", "Failed", "Error"})


def format_time(t: dt.datetime) -> str:
    """metav1.Time on the wire: UTC, whole seconds."""
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: Any) -> dt.datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


@dataclass
class CronStatus:
    active: list[Obj] = field(default_factory=list)
    last_scheduled: dt.datetime | None = None
    conditions: list[Obj] = field(default_factory=list)
    succeeded: int = 0
    failed: int = 0
    phase: str = ""

    @classmethod
    def from_wire(cls, status: Any) -> CronStatus:
        s = status if isinstance(status, dict) else {}
        return cls(
            active=[copy.deepcopy(r) for r in s.get("active") or [] if isinstance(r, dict)],
            last_scheduled=parse_time(s.get("lastScheduledTime")),
            conditions=[copy.deepcopy(c) for c in s.get("conditions") or [] if isinstance(c, dict)],
            succeeded=int(s.get("succeeded") or 0),
            failed=int(s.get("failed") or 0),
            phase=str(s.get("phase") or ""),
        )

    def wire(self) -> Obj:
        return {
            "active": copy.deepcopy(self.active),
            "lastScheduledTime": format_time(self.last_scheduled) if self.last_scheduled else None,
            "conditions": copy.deepcopy(self.conditions),
            "succeeded": self.succeeded,
            "failed": self.failed,
            "phase": self.phase,
        }

    def copy(self) -> CronStatus:
        return CronStatus.from_wire(self.wire())

    def active_uids(self) -> set[str]:
        return {str(r.get("uid")) for r in self.active}

    def upsert_condition(self, ctype: str, message: str) -> None:
        self.remove_condition(ctype)
        self.conditions.append({"type": ctype, "status": "True", "message": message})

    def remove_condition(self, ctype: str) -> None:
        self.conditions = [c for c in self.conditions if c.get("type") != ctype]


def object_reference(wf: Obj) -> Obj:
    """The ``corev1.ObjectReference`` Argo keeps in ``status.active``."""
    meta = wf.get("metadata") or {}
    ref = {
        "kind": wf.get("kind") or "Workflow",
        "apiVersion": wf.get("apiVersion") or "argoproj.io/v1alpha1",
        "name": meta.get("name"),
        "namespace": meta.get("namespace"),
        "uid": meta.get("uid"),
        "resourceVersion": meta.get("resourceVersion"),
    }
    return {k: v for k, v in ref.items() if v}


def workflow_phase(wf: Obj) -> str:
    return str((wf.get("status") or {}).get("phase") or "")


def is_fulfilled(wf: Obj) -> bool:
    """Argo ``WorkflowStatus.Fulfilled``: the phase is final."""
    return workflow_phase(wf) in _DONE


def uid_of(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("uid") or "")


def name_of(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


def controller_uid(wf: Obj) -> str | None:
    """The UID of the CronWorkflow that controls ``wf`` (``metav1.GetControllerOf``), if any."""
    for ref in (wf.get("metadata") or {}).get("ownerReferences") or []:
        if isinstance(ref, dict) and ref.get("controller") and ref.get("kind") == "CronWorkflow":
            return str(ref.get("uid") or "")
    return None
