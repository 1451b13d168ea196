"""argoWorkflow and k8s triggers against the in-memory resource API: operations, sources, identity."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pinnace.resources.memory import MemoryClient
from sensors.testing import event
from triggers.argo_workflow import ArgoWorkflowTrigger
from triggers.base import IDENTITY_LABEL, SENSOR_LABEL, TRIGGER_LABEL, Firing, Services, TriggerError, TriggerSpec
from triggers.k8s import K8sTrigger

WF = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"generateName": "hello-world-"},
      "spec": {"entrypoint": "main", "arguments": {"parameters": [{"name": "message", "value": "x"}]},
               "templates": [{"name": "main", "container": {"image": "alpine"}}]}}


def firing(at_least_once: bool = True, ids: tuple[str, ...] = ("e1",), data: Any = None) -> Firing:
    events = {f"dep{i}": event(data or {"body": {"message": "hi"}}, id=eid) for i, eid in enumerate(ids)}
    return Firing("my-sensor", "default", "wf-trigger", events, at_least_once)


def spec(key: str, body: dict[str, Any], policy: dict[str, Any] | None = None) -> TriggerSpec:
    return TriggerSpec("wf-trigger", key, body, policy, f"spec.triggers[0].template.{key}")


async def run(trigger: Any, f: Firing) -> Any:
    resource = trigger.apply_parameters(await trigger.fetch(), f.events)
    result = await trigger.execute(resource, f)
    await trigger.apply_policy(result)
    return result


@pytest.fixture
def client() -> MemoryClient:
    return MemoryClient()


async def test_submit_parameterized_with_labels_and_identity(client: MemoryClient) -> None:
    body = {"source": {"resource": WF}, "parameters": [
        {"src": {"dependencyName": "dep0", "dataKey": "body.message"}, "dest": "spec.arguments.parameters.0.value"}]}
    trig = ArgoWorkflowTrigger(spec("argoWorkflow", body), Services(client=client))
    created = await run(trig, firing())
    assert created["spec"]["arguments"]["parameters"][0]["value"] == "hi"
    labels = created["metadata"]["labels"]
    assert labels[SENSOR_LABEL] == "my-sensor" and labels[TRIGGER_LABEL] == "wf-trigger"
    assert created["metadata"]["name"].startswith("hello-world-")
    assert WF["metadata"] == {"generateName": "hello-world-"}, "the template must not be mutated"


async def test_redelivery_with_at_least_once_creates_one_workflow(client: MemoryClient) -> None:
    trig = ArgoWorkflowTrigger(spec("argoWorkflow", {"source": {"resource": WF}}), Services(client=client))
    first = await run(trig, firing())
    second = await run(trig, firing())  # the same events again
    assert first["metadata"]["name"] == second["metadata"]["name"]
    assert len(await client.list("Workflow")) == 1
    other = await run(trig, firing(ids=("e2",)))
    assert other["metadata"]["name"] != first["metadata"]["name"]
    assert len(await client.list("Workflow")) == 2
    assert first["metadata"]["labels"][IDENTITY_LABEL] != other["metadata"]["labels"][IDENTITY_LABEL]


async def test_at_most_once_keeps_generate_name(client: MemoryClient) -> None:
    trig = ArgoWorkflowTrigger(spec("argoWorkflow", {"source": {"resource": WF}}), Services(client=client))
    await run(trig, firing(at_least_once=False))
    await run(trig, firing(at_least_once=False))
    assert len(await client.list("Workflow")) == 2


async def test_fixed_name_owned_by_someone_else_is_an_error(client: MemoryClient) -> None:
    await client.create({**WF, "metadata": {"name": "taken"}})
    trig = ArgoWorkflowTrigger(spec("argoWorkflow", {"source": {"resource": {**WF, "metadata": {"name": "taken"}}}}),
                               Services(client=client))
    with pytest.raises(TriggerError, match="already exists"):
        await run(trig, firing())


async def test_submit_from_workflow_template_and_lifecycle_operations(client: MemoryClient) -> None:
    src = {"apiVersion": "argoproj.io/v1alpha1", "kind": "WorkflowTemplate", "metadata": {"name": "tmpl"}}
    trig = ArgoWorkflowTrigger(spec("argoWorkflow", {"operation": "submit-from", "source": {"resource": src}}),
                               Services(client=client))
    wf = await run(trig, firing())
    assert wf["spec"] == {"workflowTemplateRef": {"name": "tmpl"}}
    assert wf["metadata"]["name"].startswith("tmpl-")
    target = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"name": wf["metadata"]["name"]}}
    for op, check in (("suspend", lambda o: o["spec"]["suspend"] is True),
                      ("resume", lambda o: "suspend" not in o["spec"]),
                      ("terminate", lambda o: o["spec"]["shutdown"] == "Terminate"),
                      ("stop", lambda o: o["spec"]["shutdown"] == "Stop")):
        t = ArgoWorkflowTrigger(spec("argoWorkflow", {"operation": op, "source": {"resource": target}}),
                                Services(client=client))
        await run(t, firing())
        assert check(await client.get("Workflow", wf["metadata"]["name"])), op


async def test_resubmit_copies_the_workflow(client: MemoryClient) -> None:
    old = await client.create({**WF, "metadata": {"name": "old-wf"}})
    target = {"kind": "Workflow", "metadata": {"name": "old-wf"}}
    trig = ArgoWorkflowTrigger(spec("argoWorkflow", {"operation": "resubmit", "source": {"resource": target}}),
                               Services(client=client))
    new = await run(trig, firing())
    assert new["metadata"]["name"] != "old-wf" and new["spec"] == old["spec"]


async def test_operation_without_name_is_refused(client: MemoryClient) -> None:
    trig = ArgoWorkflowTrigger(spec("argoWorkflow", {"operation": "suspend", "source": {"resource": WF}}),
                               Services(client=client))
    with pytest.raises(TriggerError, match="no name is given"):
        await run(trig, firing())


async def test_sources_file_and_configmap(client: MemoryClient, tmp_path: Path) -> None:
    path = tmp_path / "wf.yaml"
    path.write_text(json.dumps(WF))
    trig = ArgoWorkflowTrigger(spec("argoWorkflow", {"source": {"file": {"path": str(path)}}}), Services(client=client))
    assert (await run(trig, firing()))["kind"] == "Workflow"
    await client.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "store"},
                         "data": {"wf": json.dumps(WF)}})
    trig = ArgoWorkflowTrigger(
        spec("argoWorkflow", {"source": {"configmap": {"name": "store", "key": "wf"}}}), Services(client=client))
    assert (await run(trig, firing(ids=("e9",))))["kind"] == "Workflow"
    missing = ArgoWorkflowTrigger(
        spec("argoWorkflow", {"source": {"configmap": {"name": "store", "key": "nope"}}}), Services(client=client))
    with pytest.raises(TriggerError, match="has no key 'nope'"):
        await run(missing, firing())


async def test_git_source_is_refused(client: MemoryClient) -> None:
    trig = ArgoWorkflowTrigger(spec("argoWorkflow", {"source": {"git": {"url": "x"}}}), Services(client=client))
    with pytest.raises(TriggerError, match="not supported"):
        await run(trig, firing())


CM = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"a": "1"}}


async def test_k8s_create_update_patch_delete(client: MemoryClient) -> None:
    def k8s(op: str, obj: dict[str, Any], **extra: Any) -> K8sTrigger:
        return K8sTrigger(spec("k8s", {"operation": op, "source": {"resource": obj}, **extra}), Services(client=client))

    await run(k8s("create", CM), firing())
    assert (await client.get("ConfigMap", "cfg"))["metadata"]["labels"][TRIGGER_LABEL] == "wf-trigger"
    await run(k8s("update", {**CM, "data": {"b": "2"}}), firing())
    assert (await client.get("ConfigMap", "cfg"))["data"] == {"a": "1", "b": "2"}
    await run(k8s("patch", {**CM, "data": {"c": "3"}}), firing())
    assert (await client.get("ConfigMap", "cfg"))["data"]["c"] == "3"
    await run(k8s("delete", CM), firing())
    assert await client.list("ConfigMap") == []
    await run(k8s("delete", CM), firing())  # deleting what is gone is not an error


async def test_k8s_live_object_update_parameterized(client: MemoryClient) -> None:
    await client.create(CM)
    body = {"operation": "update", "liveObject": True, "source": {"resource": {**CM, "data": {}}},
            "parameters": [{"src": {"dependencyName": "dep0", "dataKey": "body.message"}, "dest": "data.a"}]}
    await run(K8sTrigger(spec("k8s", body), Services(client=client)), firing())
    assert (await client.get("ConfigMap", "cfg"))["data"]["a"] == "hi"


async def test_k8s_policy_labels_times_out_as_configured(client: MemoryClient) -> None:
    pol = {"k8s": {"labels": {"done": "true"}, "backoff": {"steps": 2, "duration": "10ms"},
                   "errorOnBackoffTimeout": True}}
    trig = K8sTrigger(spec("k8s", {"source": {"resource": CM}}, pol), Services(client=client))
    with pytest.raises(TriggerError, match="setting trigger state as failed"):
        await run(trig, firing())
    lenient = K8sTrigger(spec("k8s", {"source": {"resource": {**CM, "metadata": {"name": "b"}}}},
                              {"k8s": {**pol["k8s"], "errorOnBackoffTimeout": False}}), Services(client=client))
    await run(lenient, firing())
    ok = K8sTrigger(spec("k8s", {"source": {"resource": {**CM, "metadata": {"name": "c", "labels": {"done": "true"}}}}},
                         pol), Services(client=client))
    await run(ok, firing())


class CollidingClient(MemoryClient):
    """Answers AlreadyExists to the first generateName create, as a server does on a suffix collision."""

    def __init__(self) -> None:
        super().__init__()
        self.collisions = 1

    async def create(self, obj: dict[str, Any], namespace: str | None = "default") -> dict[str, Any]:
        from pinnace.resources.errors import AlreadyExists

        if self.collisions and not obj["metadata"].get("name"):
            self.collisions -= 1
            raise AlreadyExists("collision", kind=obj["kind"])
        return await super().create(obj, namespace)


async def test_generate_name_collision_is_retried() -> None:
    client = CollidingClient()
    trig = ArgoWorkflowTrigger(spec("argoWorkflow", {"source": {"resource": WF}}), Services(client=client))
    await run(trig, firing(at_least_once=False))
    assert len(await client.list("Workflow")) == 1
