"""Vocabulary of the engine: phases, node types, IDs, timestamps, and the observation/action types."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

Obj = dict[str, Any]

PENDING, RUNNING, SUCCEEDED, FAILED, ERROR = "Pending", "Running", "Succeeded", "Failed", "Error"
SKIPPED, OMITTED = "Skipped", "Omitted"
COMPLETED = frozenset({SUCCEEDED, FAILED, ERROR})
FULFILLED = COMPLETED | {SKIPPED, OMITTED}
FAILED_OR_ERROR = frozenset({FAILED, ERROR})

POD, STEPS, STEP_GROUP, DAG, TASK_GROUP = "Pod", "Steps", "StepGroup", "DAG", "TaskGroup"
RETRY, SKIPPED_TYPE, SUSPEND = "Retry", "Skipped", "Suspend"
CONTAINER, HTTP = "Container", "HTTP"

RESULT_LIMIT = 256 * 1024

PHASE_LABEL = "workflows.argoproj.io/phase"
COMPLETED_LABEL = "workflows.argoproj.io/completed"
MAX_STACK_DEPTH = 100

DEADLINE_MESSAGE = "Pod was active on the node longer than the specified deadline"


def fnv32a(text: str) -> int:
    h = 0x811C9DC5
    for byte in text.encode():
        h ^= byte
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def node_id(wf_name: str, node_name: str) -> str:
    """Argo's ``Workflow.NodeID``: the root node is the workflow name itself."""
    if node_name == wf_name:
        return wf_name
    return f"{wf_name}-{fnv32a(node_name)}"


def pod_name(wf_name: str, node_name: str, template_name: str) -> str:
    """Pod names v2 (``workflow/util/pod_name.go``)."""
    if wf_name == node_name:
        return wf_name
    prefix = f"{wf_name}-{template_name}" if template_name else wf_name
    prefix = prefix[: 253 - 10 - 1]
    return f"{prefix}-{fnv32a(node_name)}"


def format_time(t: dt.datetime) -> str:
    """metav1.Time: RFC3339, second precision, UTC."""
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)


@dataclass
class ContainerState:
    """One container of a containerSet pod: ``Waiting``, ``Running`` or ``Terminated``."""

    state: str = "Waiting"
    exit_code: int | None = None
    reason: str = ""
    message: str = ""
    finished_at: dt.datetime | None = None


@dataclass
class PodObservation:
    """What the kubelet knows about one pod, fed to the engine on each operate."""

    node_id: str
    phase: str  # Pending | Running | Succeeded | Failed
    exit_code: int | None = None
    message: str = ""
    reason: str = "Error"
    result: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    parameter_error: str = ""
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    host: str = ""
    # containerSet pods only, in spec order: container name → state.
    containers: dict[str, ContainerState] = field(default_factory=dict)


@dataclass
class PodRequest:
    """Start one pod: the processed template plus what must be captured from it."""

    node_id: str
    pod_name: str
    node_name: str
    template: Obj
    include_result: bool
    deadline: dt.datetime | None = None
    workflow: str = ""
    namespace: str = ""


@dataclass
class KillRequest:
    node_id: str
    message: str = ""


@dataclass
class Outcome:
    """Result of one ``operate``: the new status plus side effects for the I/O layer."""

    status: Obj
    create: list[PodRequest] = field(default_factory=list)
    kill: list[KillRequest] = field(default_factory=list)
    requeue_after: float | None = None
    completed: bool = False
    # Memoized outputs to store (``workflows.engine.memo.CacheSave``).
    cache_saves: list[Any] = field(default_factory=list)
    # Pods whose leftovers to delete (``workflows.engine.podgc.PodDeletion``), per ``spec.podGC``.
    delete_pods: list[Any] = field(default_factory=list)
    # Labels the Workflow object must carry (``workflows.argoproj.io/phase`` and ``/completed``).
    labels: dict[str, str] = field(default_factory=dict)
