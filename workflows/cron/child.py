"""The Workflow a CronWorkflow tick creates (Argo ``ConvertCronWorkflowToWorkflowWithProperties``)."""

from __future__ import annotations

import copy
import datetime as dt

from pinnace.resources.client import Obj
from workflows.cron.status import ANNOTATION_SCHEDULED_TIME, LABEL_CRON_WORKFLOW

_PROPAGATED_LABELS = (
    "workflows.argoproj.io/creator",
    "workflows.argoproj.io/creator-email",
    "workflows.argoproj.io/creator-preferred-username",
)
_INSTANCE_ID = "workflows.argoproj.io/controller-instanceid"


def child_name(cron_name: str, scheduled: dt.datetime) -> str:
    """``<cron>-<unix seconds>``: the same tick always gives the same name, so it runs once."""
    return f"{cron_name}-{int(scheduled.timestamp())}"


def go_rfc3339(t: dt.datetime) -> str:
    """Go's ``time.RFC3339`` layout: ``Z`` for UTC, otherwise the numeric offset."""
    text = t.replace(microsecond=0).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def build_child(cron: Obj, scheduled: dt.datetime, tz: dt.tzinfo) -> Obj:
    """``scheduled`` is written in the schedule's zone, as robfig hands it to Argo."""
    meta = cron.get("metadata") or {}
    spec = cron.get("spec") or {}
    cron_labels = meta.get("labels") or {}
    labels = {k: cron_labels[k] for k in _PROPAGATED_LABELS if k in cron_labels}
    if _INSTANCE_ID in cron_labels:
        labels[_INSTANCE_ID] = cron_labels[_INSTANCE_ID]
    labels[LABEL_CRON_WORKFLOW] = meta.get("name", "")
    annotations = {ANNOTATION_SCHEDULED_TIME: go_rfc3339(scheduled.astimezone(tz))}
    child_meta: Obj = {"name": child_name(meta.get("name", ""), scheduled), "labels": labels,
                       "annotations": annotations}
    wf_meta = spec.get("workflowMetadata") or {}
    labels.update(wf_meta.get("labels") or {})
    annotations.update(wf_meta.get("annotations") or {})
    if wf_meta.get("finalizers"):
        child_meta["finalizers"] = list(wf_meta["finalizers"])
    if meta.get("namespace"):
        child_meta["namespace"] = meta["namespace"]
    child_meta["ownerReferences"] = [{
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "CronWorkflow",
        "name": meta.get("name", ""),
        "uid": meta.get("uid", ""),
        "controller": True,
        "blockOwnerDeletion": True,
    }]
    return {
        "apiVersion": cron.get("apiVersion") or "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": child_meta,
        "spec": copy.deepcopy(spec.get("workflowSpec") or {}),
    }
