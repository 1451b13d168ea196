"""Mutex and semaphore synchronization, workflow and template level, across workflows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine_sim import load

from workflows.engine import PodObservation, operate
from workflows.engine.sync import SyncManager

NOW = dt.datetime(2024, 5, 1, 12, 0, 0, tzinfo=dt.UTC)

WF_MUTEX = """
spec:
  entrypoint: main
  synchronization: {mutexes: [{name: welcome}]}
  templates:
    - name: main
      container: {image: alpine, command: [echo, hi]}
"""

TMPL_SEMAPHORE = """
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - {name: work, template: work, withItems: [a, b, c]}
    - name: work
      synchronization:
        semaphores: [{configMapKeyRef: {name: my-config, key: template}}]
      container: {image: alpine, command: [echo, "{{item}}"]}
"""

CMS = {"my-config": {"metadata": {"name": "my-config"}, "data": {"template": "2"}}}


def _wf(text: str, name: str, created: str) -> dict[str, Any]:
    wf = load(text, name)
    wf["metadata"]["creationTimestamp"] = created
    return wf


def _advance(wf: dict[str, Any], pods: dict[str, PodObservation], sync: SyncManager) -> Any:
    out = operate(wf, pods, NOW, CMS, None, sync)
    wf["status"] = out.status
    for req in out.create:
        pods[req.node_id] = PodObservation(req.node_id, "Running")
    return out


def test_workflow_mutex_keeps_the_second_workflow_pending() -> None:
    released: list[str] = []
    sync = SyncManager(released.append)
    first, second = _wf(WF_MUTEX, "first", "2024-05-01T11:00:00Z"), _wf(WF_MUTEX, "second", "2024-05-01T11:00:01Z")
    p1: dict[str, PodObservation] = {}
    p2: dict[str, PodObservation] = {}
    _advance(first, p1, sync)
    out = _advance(second, p2, sync)
    assert first["status"]["phase"] == "Running"
    assert second["status"]["phase"] == "Pending"
    assert second["status"]["message"] == "Waiting for default/Mutex/welcome lock. Lock status: 0/1"
    assert out.create == [] and "startedAt" not in second["status"]
    assert first["status"]["synchronization"] == {
        "mutex": {"holding": [{"mutex": "default/Mutex/welcome", "holder": "first"}]}
    }
    assert second["status"]["synchronization"] == {
        "mutex": {"waiting": [{"mutex": "default/Mutex/welcome", "holder": "second"}]}
    }
    p1["first"] = PodObservation("first", "Succeeded", exit_code=0)
    done = _advance(first, p1, sync)
    assert done.completed and "synchronization" not in first["status"]
    assert "default/second" in released
    _advance(second, p2, sync)
    assert second["status"]["phase"] == "Running" and "message" not in second["status"]


def test_template_semaphore_lets_two_of_three_run() -> None:
    sync = SyncManager()
    wf = _wf(TMPL_SEMAPHORE, "wf", "2024-05-01T11:00:00Z")
    pods: dict[str, PodObservation] = {}
    out = _advance(wf, pods, sync)
    assert len(out.create) == 2
    nodes = {n["displayName"]: n for n in wf["status"]["nodes"].values()}
    waiting = nodes["work(2:c)"]
    assert waiting["phase"] == "Pending" and waiting["type"] == "Pod"
    assert waiting["synchronizationStatus"] == {"waiting": "default/ConfigMap/my-config/template"}
    assert waiting["message"] == "Waiting for default/ConfigMap/my-config/template lock. Lock status: 0/2"
    holding = wf["status"]["synchronization"]["semaphore"]["holding"]
    assert holding == [
        {
            "semaphore": "default/ConfigMap/my-config/template",
            "holders": [nodes["work(0:a)"]["id"], nodes["work(1:b)"]["id"]],
        }
    ]
    first = nodes["work(0:a)"]["id"]
    pods[first] = PodObservation(first, "Succeeded", exit_code=0)
    out = _advance(wf, pods, sync)
    assert [r.node_name for r in out.create] == ["wf[0].work(2:c)"]
    node = {n["displayName"]: n for n in wf["status"]["nodes"].values()}["work(2:c)"]
    assert "synchronizationStatus" not in node and node["phase"] == "Pending"
    for nid, obs in list(pods.items()):
        if obs.phase == "Running":
            pods[nid] = PodObservation(nid, "Succeeded", exit_code=0)
    out = _advance(wf, pods, sync)
    assert wf["status"]["phase"] == "Succeeded" and sync.held_by("default/wf") == []


def test_terminate_while_waiting_for_the_workflow_lock() -> None:
    sync = SyncManager()
    _advance(_wf(WF_MUTEX, "first", "2024-05-01T11:00:00Z"), {}, sync)
    second = _wf(WF_MUTEX, "second", "2024-05-01T11:00:01Z")
    _advance(second, {}, sync)
    second["spec"]["shutdown"] = "Terminate"
    _advance(second, {}, sync)
    assert second["status"]["phase"] == "Failed"
    assert second["status"]["message"] == "Stopped with strategy 'Terminate'"
    assert sync.waiting_of("default/second") == []
