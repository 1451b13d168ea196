"""``spec.podGC``: which pods to delete, and when (``workflow/controller/pod_cleanup.go``).

The engine names the pods; the kubelet deletes what a pod leaves on disk. Strategies:
``OnPodCompletion`` / ``OnPodSuccess`` (as each pod ends) and ``OnWorkflowCompletion`` /
``OnWorkflowSuccess`` (when the workflow ends); ``labelSelector.matchLabels`` limits them to pods
whose template ``metadata.labels`` match; ``deleteDelayDuration`` postpones the deletion.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pinnace.resources.durations import DurationError, parse_go_duration
from workflows.engine.model import FULFILLED, POD, SUCCEEDED, Obj

if TYPE_CHECKING:
    from workflows.engine.operator import Operation


@dataclass(frozen=True)
class PodDeletion:
    node_id: str
    delay: float = 0.0


def _matches(op: Operation, node: Obj, selector: Obj) -> bool:
    wanted = selector.get("matchLabels") or {}
    if not wanted:
        return True
    tmpl = op._node_template(node) or {}
    labels = {
        **((op.spec.get("podMetadata") or {}).get("labels") or {}),
        **((tmpl.get("metadata") or {}).get("labels") or {}),
    }
    return all(str(labels.get(k)) == str(v) for k, v in wanted.items())


def deletions(op: Operation, before: Mapping[str, Obj], workflow_phase: str = "") -> list[PodDeletion]:
    """Pods to delete after this pass; ``workflow_phase`` is set when the workflow just ended."""
    gc = op.spec.get("podGC") or {}
    strategy = str(gc.get("strategy") or "")
    if not strategy:
        return []
    try:
        delay = parse_go_duration(str(gc["deleteDelayDuration"])) if gc.get("deleteDelayDuration") else 0.0
    except DurationError:
        delay = 0.0
    out = []
    for nid, node in op.nodes.nodes.items():
        if (
            node["type"] != POD
            or node["phase"] not in FULFILLED
            or not _due(strategy, node, before.get(nid), workflow_phase)
        ):
            continue
        if _matches(op, node, gc.get("labelSelector") or {}):
            out.append(PodDeletion(nid, delay))
    return out


def _due(strategy: str, node: Obj, old: Obj | None, workflow_phase: str) -> bool:
    just_ended = old is None or old.get("phase") not in FULFILLED
    if strategy == "OnPodCompletion":
        return just_ended
    if strategy == "OnPodSuccess":
        return just_ended and node["phase"] == SUCCEEDED
    if strategy == "OnWorkflowCompletion":
        return bool(workflow_phase)
    if strategy == "OnWorkflowSuccess":
        return workflow_phase == SUCCEEDED
    return False
