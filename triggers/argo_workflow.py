"""The ``argoWorkflow`` trigger: submit and manage Workflows through the resource API.

Argo shells out to the ``argo`` CLI; pinnace performs the same operations directly on the API:
``submit`` creates the Workflow, ``submit-from`` creates one from a WorkflowTemplate or
CronWorkflow, ``resubmit`` copies a workflow, ``suspend``/``resume``/``terminate``/``stop`` patch
``spec.suspend``/``spec.shutdown``, ``retry`` resets the failed nodes of a finished workflow.
``args`` (extra CLI flags) have no API equivalent and are ignored with a warning.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pinnace.resources.client import Obj, ResourceClient
from pinnace.resources.errors import ApiError
from sensors import params
from sensors.event import Event
from triggers.base import Firing, Services, TriggerError, TriggerSpec, parameterize, register
from triggers.objects import api_failure, apply_k8s_policy, create_once, namespace_of, stamp
from triggers.sources import fetch_source

log = logging.getLogger(__name__)
API_VERSION = "argoproj.io/v1alpha1"
Operation = Callable[[ResourceClient, Obj, str, Firing], Awaitable[Obj]]


def _name(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


async def _get(client: ResourceClient, kind: str, name: str, ns: str) -> Obj:
    try:
        return await client.get(kind, name, ns)
    except ApiError as exc:
        raise api_failure(exc, f"reading {kind} {ns}/{name}") from None


async def _patch(client: ResourceClient, name: str, ns: str, patch: Obj) -> Obj:
    try:
        return await client.patch("Workflow", name, patch, ns)
    except ApiError as exc:
        raise api_failure(exc, f"patching Workflow {ns}/{name}") from None


async def _submit(client: ResourceClient, obj: Obj, ns: str, firing: Firing) -> Obj:
    meta = obj.get("metadata") or {}
    if not meta.get("name") and not meta.get("generateName"):
        raise TriggerError("failed to trigger the workflow, neither name nor generateName is given", retryable=False)
    obj.setdefault("apiVersion", API_VERSION)
    obj.setdefault("kind", "Workflow")
    return await create_once(client, stamp(obj, firing), ns, firing)


def _from_template(source: Obj) -> Obj:
    return {"workflowTemplateRef": {"name": _name(source)}}


async def _submit_from(client: ResourceClient, obj: Obj, ns: str, firing: Firing) -> Obj:
    kind = str(obj.get("kind", "")).lower()
    name = _name(obj)
    meta: Obj = {"generateName": f"{name}-"}
    if kind == "workflowtemplate":
        spec = _from_template(obj)
    elif kind == "cronworkflow":
        cron = await _get(client, "CronWorkflow", name, ns)
        spec = copy.deepcopy((cron.get("spec") or {}).get("workflowSpec") or {})
        wf_meta = (cron.get("spec") or {}).get("workflowMetadata") or {}
        meta["labels"] = {**(wf_meta.get("labels") or {}), "workflows.argoproj.io/cron-workflow": name}
        if wf_meta.get("annotations"):
            meta["annotations"] = dict(wf_meta["annotations"])
    else:
        raise TriggerError(f"invalid kind {obj.get('kind')!r} for submit-from; use WorkflowTemplate or CronWorkflow",
                           retryable=False)
    wf = {"apiVersion": API_VERSION, "kind": "Workflow", "metadata": meta, "spec": spec}
    return await create_once(client, stamp(wf, firing), ns, firing)


async def _resubmit(client: ResourceClient, obj: Obj, ns: str, firing: Firing) -> Obj:
    old = await _get(client, "Workflow", _name(obj), ns)
    old_meta = old.get("metadata") or {}
    labels = {k: v for k, v in (old_meta.get("labels") or {}).items() if not k.startswith("workflows.argoproj.io/")}
    labels["workflows.argoproj.io/resubmitted-from-workflow"] = _name(obj)
    wf = {
        "apiVersion": API_VERSION,
        "kind": "Workflow",
        "metadata": {"generateName": f"{_name(obj)}-", "labels": labels,
                     "annotations": dict(old_meta.get("annotations") or {})},
        "spec": copy.deepcopy(old.get("spec") or {}),
    }
    return await create_once(client, stamp(wf, firing), ns, firing)


async def _retry(client: ResourceClient, obj: Obj, ns: str, firing: Firing) -> Obj:
    wf = await _get(client, "Workflow", _name(obj), ns)
    status = wf.get("status") or {}
    if status.get("phase") not in ("Failed", "Error"):
        raise TriggerError(f"workflow {_name(obj)} must be Failed/Error to retry (is {status.get('phase')})",
                           retryable=False)
    nodes = {k: v for k, v in (status.get("nodes") or {}).items() if v.get("phase") not in ("Failed", "Error")}
    wf["status"] = {**status, "phase": "Running", "nodes": nodes, "finishedAt": None, "message": ""}
    try:
        return await client.update_status(wf)
    except ApiError as exc:
        raise api_failure(exc, f"retrying Workflow {ns}/{_name(obj)}") from None


async def _resume(client: ResourceClient, obj: Obj, ns: str, firing: Firing) -> Obj:
    return await _patch(client, _name(obj), ns, {"spec": {"suspend": None}})


def _spec_patch(patch: Obj) -> Operation:
    async def run(client: ResourceClient, obj: Obj, ns: str, firing: Firing) -> Obj:
        return await _patch(client, _name(obj), ns, patch)

    return run


OPERATIONS: dict[str, Operation] = {
    "submit": _submit,
    "submit-from": _submit_from,
    "resubmit": _resubmit,
    "retry": _retry,
    "resume": _resume,
    "suspend": _spec_patch({"spec": {"suspend": True}}),
    "terminate": _spec_patch({"spec": {"shutdown": "Terminate"}}),
    "stop": _spec_patch({"spec": {"shutdown": "Stop"}}),
}


@dataclass
class ArgoWorkflowTrigger:
    spec: TriggerSpec
    services: Services
    type: str = "argoWorkflow"

    def __post_init__(self) -> None:
        where = self.spec.where
        self.parameters = params.compile_parameters(self.spec.body.get("parameters"), f"{where}.parameters")
        self.operation = str(self.spec.body.get("operation") or "submit")
        if self.operation not in OPERATIONS:
            raise TriggerError(f"{where}.operation: unknown operation type {self.operation!r}; use one of "
                               f"{', '.join(OPERATIONS)}", retryable=False)
        if self.spec.body.get("args"):
            log.warning("%s.args: argo CLI arguments have no API equivalent and are ignored", where)

    async def fetch(self) -> Any:
        return await fetch_source(self.spec.body.get("source"), self.services, self.spec.where)

    def apply_parameters(self, resource: Any, events: dict[str, Event]) -> Any:
        return parameterize(resource, self.parameters, events, f"{self.spec.where}.parameters")

    async def execute(self, resource: Any, firing: Firing) -> Any:
        if self.operation != "submit" and not _name(resource):
            raise TriggerError(f"failed to execute the workflow {self.operation} operation, no name is given",
                               retryable=False)
        client = self.services.require_client(self.spec.where)
        ns = namespace_of(resource, self.services.namespace)
        resource.setdefault("metadata", {})["namespace"] = ns
        return await OPERATIONS[self.operation](client, resource, ns, firing)

    async def apply_policy(self, result: Any) -> None:
        await apply_k8s_policy(self.spec, self.services, result, kind="Workflow")


@register("argoWorkflow")
def build(spec: TriggerSpec, services: Services) -> ArgoWorkflowTrigger:
    return ArgoWorkflowTrigger(spec, services)
