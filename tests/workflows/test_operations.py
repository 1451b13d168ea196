"""Argo's retry / resubmit / suspend / shutdown rewrites (``workflow/util/util.go``) on wire dicts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from workflows.engine.model import node_id, pod_name
from workflows.operations import (
    LABEL_RESUBMITTED_FROM,
    OperationError,
    override_parameters,
    parse_field_selector,
    resubmit_workflow,
    retry_workflow,
    selector_matches,
    shutdown_workflow,
    suspend_workflow,
)

Obj = dict[str, Any]
NOW = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
NOW_TEXT = "2025-01-02T03:04:05Z"
T0 = "2025-01-01T00:00:00Z"


class Builder:
    """Status nodes named and wired the way the engine (and Argo) names and wires them."""

    def __init__(self, wf: str) -> None:
        self.wf = wf
        self.nodes: dict[str, Obj] = {}

    def add(self, name: str, ntype: str, phase: str, parent: str | None = None, boundary: str | None = None,
            template: str = "", **extra: Any) -> str:
        full = self.wf if name == "" else f"{self.wf}{name}"
        nid = node_id(self.wf, full)
        node: Obj = {"id": nid, "name": full, "displayName": extra.pop("display", full.rsplit(".", 1)[-1]),
                     "type": ntype, "phase": phase, "startedAt": T0, **extra}
        if phase in ("Succeeded", "Failed", "Error", "Skipped"):
            node["finishedAt"] = T0
        if template:
            node["templateName"] = template
        if boundary is not None:
            node["boundaryID"] = self.id(boundary)
        self.nodes[nid] = node
        if parent is not None:
            self.nodes[self.id(parent)].setdefault("children", []).append(nid)
        return nid

    def id(self, name: str) -> str:
        return node_id(self.wf, self.wf if name == "" else f"{self.wf}{name}")

    def workflow(self, phase: str, **spec: Any) -> Obj:
        return {
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
            "metadata": {"name": self.wf, "namespace": "default", "generateName": "steps-",
                         "labels": {"workflows.argoproj.io/completed": "true", "workflows.argoproj.io/phase": phase,
                                    "team": "a"}},
            "spec": {"entrypoint": "main", "templates": [], **spec},
            "status": {"phase": phase, "startedAt": T0, "finishedAt": T0, "message": "child failed",
                       "nodes": self.nodes, "conditions": [{"type": "Completed", "status": "True"}]},
        }


def steps_workflow(b_phase: str = "Failed") -> tuple[Builder, Obj]:
    """main: [a] then [b]; ``a`` succeeded, ``b`` failed."""
    b = Builder("steps-x1")
    b.add("", "Steps", "Failed", template="main")
    b.add("[0]", "StepGroup", "Succeeded", parent="", boundary="", display="[0]")
    b.add("[0].a", "Pod", "Succeeded", parent="[0]", boundary="", template="echo")
    b.add("[1]", "StepGroup", "Failed", parent="[0].a", boundary="", display="[1]")
    b.add("[1].b", "Pod", b_phase, parent="[1]", boundary="", template="fail", message="exit code 1")
    b.nodes[b.id("")]["outboundNodes"] = [b.id("[1].b")]
    return b, b.workflow("Failed")


def test_retry_resets_the_failed_path_and_keeps_succeeded_nodes() -> None:
    b, wf = steps_workflow()
    out = retry_workflow(wf, NOW)
    nodes = out.workflow["status"]["nodes"]
    assert b.id("[1].b") not in nodes  # the failed pod runs again
    assert nodes[b.id("[0].a")] == wf["status"]["nodes"][b.id("[0].a")]  # succeeded: untouched
    assert nodes[b.id("[0]")]["phase"] == "Succeeded"
    for reset in ("", "[1]"):
        node = nodes[b.id(reset)]
        assert node["phase"] == "Running"
        assert node["startedAt"] == NOW_TEXT
        assert "finishedAt" not in node and "message" not in node
    assert "children" not in nodes[b.id("[1]")]  # the deleted child is unwired
    assert "outboundNodes" not in nodes[b.id("")]
    assert out.pods_to_delete == [pod_name("steps-x1", "steps-x1[1].b", "fail")]
    status = out.workflow["status"]
    assert "phase" not in status and "message" not in status and "finishedAt" not in status
    assert status["startedAt"] == NOW_TEXT
    assert status["conditions"] == [{"type": "Completed", "status": "False"}]
    labels = out.workflow["metadata"]["labels"]
    assert "workflows.argoproj.io/completed" not in labels and labels["team"] == "a"
    assert wf["status"]["phase"] == "Failed"  # the input is not modified


def test_retry_of_a_retry_node_resets_it_and_drops_its_attempts() -> None:
    b = Builder("r-1")
    b.add("", "Steps", "Failed", template="main")
    b.add("[0]", "StepGroup", "Failed", parent="", boundary="", display="[0]")
    b.add("[0].flaky", "Retry", "Failed", parent="[0]", boundary="", template="flaky", message="No more retries left")
    for i in range(2):
        b.add(f"[0].flaky({i})", "Pod", "Failed", parent="[0].flaky", boundary="", template="flaky",
              nodeFlag={"retried": True})
    out = retry_workflow(b.workflow("Failed"), NOW)
    nodes = out.workflow["status"]["nodes"]
    assert set(nodes) == {b.id(""), b.id("[0]"), b.id("[0].flaky")}
    retry = nodes[b.id("[0].flaky")]
    assert retry["phase"] == "Running" and "children" not in retry and "message" not in retry
    assert nodes[b.id("[0]")]["phase"] == "Running"
    assert len(out.pods_to_delete) == 2


def test_retry_of_a_dag_keeps_the_succeeded_dependency() -> None:
    b = Builder("dag-1")
    b.add("", "DAG", "Failed", template="main")
    b.add(".A", "Pod", "Succeeded", parent="", boundary="", template="echo")
    b.add(".B", "Pod", "Error", parent=".A", boundary="", template="echo")
    nodes = retry_workflow(b.workflow("Error"), NOW).workflow["status"]["nodes"]
    assert set(nodes) == {b.id(""), b.id(".A")}
    assert nodes[b.id("")]["phase"] == "Running"
    assert nodes[b.id(".A")]["phase"] == "Succeeded" and "children" not in nodes[b.id(".A")]


def test_retry_drops_the_exit_handler_nodes() -> None:
    b, wf = steps_workflow()
    b.add(".onExit", "Pod", "Succeeded", template="notify")
    out = retry_workflow(wf, NOW)
    assert b.id(".onExit") not in out.workflow["status"]["nodes"]
    assert pod_name("steps-x1", "steps-x1.onExit", "notify") in out.pods_to_delete


def test_retry_clears_shutdown_and_a_terminating_deadline_and_applies_parameters() -> None:
    _, wf = steps_workflow()
    wf["spec"].update(shutdown="Terminate", activeDeadlineSeconds=0,
                      arguments={"parameters": [{"name": "x", "value": "1"}, {"name": "y", "value": "2"}]})
    out = retry_workflow(wf, NOW, parameters=["y=3"]).workflow
    assert "shutdown" not in out["spec"] and "activeDeadlineSeconds" not in out["spec"]
    assert out["spec"]["arguments"]["parameters"] == [{"name": "y", "value": "3"}, {"name": "x", "value": "1"}]


@pytest.mark.parametrize("phase", ["Running", "Pending", ""])
def test_retry_refuses_an_unfinished_workflow(phase: str) -> None:
    _, wf = steps_workflow()
    wf["status"]["phase"] = phase
    with pytest.raises(OperationError, match=f"Cannot retry a workflow in phase {phase}$"):
        retry_workflow(wf, NOW)


def test_retry_of_a_succeeded_workflow_needs_restart_successful_and_a_selector() -> None:
    b, wf = steps_workflow(b_phase="Succeeded")
    wf["status"]["phase"] = "Succeeded"
    with pytest.raises(OperationError, match="restartSuccessful and nodeFieldSelector"):
        retry_workflow(wf, NOW)
    nodes = retry_workflow(wf, NOW, restart_successful=True, node_field_selector="displayName=a").workflow[
        "status"]["nodes"]
    assert b.id("[0].a") not in nodes
    assert nodes[b.id("[0]")]["phase"] == "Running" and nodes[b.id("")]["phase"] == "Running"
    # ``a`` sits before ``b`` in the tree, so everything wired below it is cleared too.
    assert b.id("[1].b") not in nodes


def test_a_failed_node_with_a_succeeded_descendant_is_not_rerun() -> None:
    b = Builder("cont-1")
    b.add("", "DAG", "Failed", template="main")
    b.add(".A", "Pod", "Failed", parent="", boundary="", template="t")
    b.add(".B", "Pod", "Succeeded", parent=".A", boundary="", template="t")  # continueOn: failed
    b.add(".C", "Pod", "Failed", parent=".B", boundary="", template="t")
    nodes = retry_workflow(b.workflow("Failed"), NOW).workflow["status"]["nodes"]
    assert b.id(".A") in nodes and b.id(".B") in nodes
    assert b.id(".C") not in nodes


def test_field_selectors() -> None:
    node = {"id": "n1", "name": "wf[0].a", "displayName": "a", "phase": "Failed", "templateName": "t",
            "inputs": {"parameters": [{"name": "p", "value": "3"}]}}
    assert selector_matches(parse_field_selector("displayName=a"), node)
    assert selector_matches(parse_field_selector("phase==Failed,templateName!=other"), node)
    assert selector_matches(parse_field_selector("inputs.parameters.p.value=3"), node)
    assert not selector_matches(parse_field_selector("displayName=a,phase=Succeeded"), node)
    assert not selector_matches(parse_field_selector("templateRef.name=x"), node)
    with pytest.raises(OperationError):
        parse_field_selector("displayName")


def test_resubmit_builds_a_new_workflow_from_the_old_spec() -> None:
    _, wf = steps_workflow()
    wf["metadata"]["labels"]["workflows.argoproj.io/creator"] = "someone"
    wf["metadata"]["annotations"] = {"note": "x"}
    wf["spec"]["shutdown"] = "Stop"
    new = resubmit_workflow(wf, NOW, parameters=["x=9"])
    assert new["metadata"] == {"generateName": "steps-", "namespace": "default",
                               "labels": {"team": "a", LABEL_RESUBMITTED_FROM: "steps-x1"},
                               "annotations": {"note": "x"}}
    assert "status" not in new and "shutdown" not in new["spec"]
    assert new["spec"]["arguments"]["parameters"] == [{"name": "x", "value": "9"}]
    del wf["metadata"]["generateName"]
    assert resubmit_workflow(wf, NOW)["metadata"]["generateName"] == "steps-x1-"


def test_memoized_resubmit_replays_succeeded_pods_as_skipped() -> None:
    b, wf = steps_workflow()
    new = resubmit_workflow(wf, NOW, memoized=True, suffix=lambda: "zzzzz")
    name = new["metadata"]["name"]
    assert name == "steps-zzzzz"
    nodes = new["status"]["nodes"]
    a = nodes[node_id(name, f"{name}[0].a")]
    assert a["type"] == "Skipped" and a["phase"] == "Skipped"
    assert a["message"] == f"original pod: {b.id('[0].a')}"
    assert a["startedAt"] == a["finishedAt"] == NOW_TEXT
    failed = nodes[node_id(name, f"{name}[1].b")]
    assert failed["phase"] == "Pending" and "startedAt" not in failed and "message" not in failed
    root = nodes[node_id(name, name)]
    assert root["phase"] == "Pending" and root["children"] == [node_id(name, f"{name}[0]")]
    assert root["outboundNodes"] == [node_id(name, f"{name}[1].b")]
    assert nodes[node_id(name, f"{name}[0]")]["boundaryID"] == node_id(name, name)
    assert new["status"]["conditions"] == [{"type": "Completed", "status": "False"}]
    assert "phase" not in new["status"]


def test_memoized_resubmit_needs_a_failed_workflow() -> None:
    _, wf = steps_workflow()
    wf["status"]["phase"] = "Succeeded"
    with pytest.raises(OperationError, match="must be Failed/Error to resubmit in memoized mode"):
        resubmit_workflow(wf, NOW, memoized=True)


def test_suspend_and_shutdown() -> None:
    _, wf = steps_workflow()
    wf["status"]["phase"] = "Running"
    wf["metadata"]["labels"].pop("workflows.argoproj.io/completed")
    assert suspend_workflow(wf)["spec"]["suspend"] is True
    assert shutdown_workflow(wf, "Stop")["spec"]["shutdown"] == "Stop"
    assert shutdown_workflow(wf, "Terminate")["spec"]["shutdown"] == "Terminate"
    wf["status"]["phase"] = "Succeeded"
    with pytest.raises(OperationError, match="cannot suspend completed workflows"):
        suspend_workflow(wf)
    with pytest.raises(OperationError, match='cannot shutdown a completed workflow: workflow: "steps-x1", '
                                             'namespace: "default"'):
        shutdown_workflow(wf, "Stop")


def test_override_parameters_adds_missing_and_rejects_malformed() -> None:
    wf: Obj = {"spec": {}}
    override_parameters(wf, ["a=1=2", "b="])
    assert wf["spec"]["arguments"]["parameters"] == [{"name": "a", "value": "1=2"}, {"name": "b", "value": ""}]
    with pytest.raises(OperationError, match=r"expected parameter of the form: NAME=VALUE\. Received: nope"):
        override_parameters(wf, ["nope"])
