"""Memoization: cache hits create Succeeded nodes with cached outputs; misses run and are saved."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from engine_sim import Sim, load, succeed
from test_controller import wait_done

from pinnace.resources.memory import MemoryClient
from workflows.controller import Controller
from workflows.engine import operate

WF = """
spec:
  entrypoint: main
  templates:
    - name: main
      memoize:
        key: "{{workflow.parameters.k}}"
        maxAge: "10s"
        cache: {configMap: {name: my-cache}}
      container: {image: alpine, command: [sh, -c, "echo hi > /tmp/out"]}
      outputs:
        parameters: [{name: out, valueFrom: {path: /tmp/out}}]
  arguments: {parameters: [{name: k, value: key-1}]}
"""

NOW = dt.datetime(2024, 5, 1, 12, 0, 0, tzinfo=dt.UTC)


def _cache(created: dt.datetime, labels: dict[str, str] | None = None, key: str = "key-1") -> dict[str, Any]:
    entry = {
        "nodeID": "old",
        "outputs": {"parameters": [{"name": "out", "value": "cached"}]},
        "creationTimestamp": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "lastHitTimestamp": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    meta = {
        "name": "my-cache",
        "labels": {"workflows.argoproj.io/configmap-type": "Cache"} if labels is None else labels,
    }
    return {"metadata": meta, "data": {key: json.dumps(entry)}}


def test_fresh_entry_is_a_hit_without_a_pod() -> None:
    out = operate(load(WF), {}, NOW, {"my-cache": _cache(NOW - dt.timedelta(seconds=5))})
    root = out.status["nodes"]["wf"]
    assert out.create == [] and out.completed
    assert root["type"] == "Pod" and root["phase"] == "Succeeded"
    assert root["memoizationStatus"] == {"hit": True, "key": "key-1", "cacheName": "my-cache"}
    assert root["outputs"]["parameters"][0]["value"] == "cached"
    assert out.status["phase"] == "Succeeded"


def test_expired_entry_is_a_miss_that_runs_and_is_saved() -> None:
    sim = Sim(load(WF), default=succeed(out="fresh"))
    cms = {"my-cache": _cache(NOW - dt.timedelta(seconds=11))}
    first = operate(sim.wf, {}, NOW, cms)
    assert len(first.create) == 1
    node = first.status["nodes"]["wf"]
    assert node["memoizationStatus"] == {"hit": False, "key": "key-1", "cacheName": "my-cache"}
    assert first.cache_saves == []
    sim.wf["status"] = first.status
    sim.pods[first.create[0].node_id] = succeed(out="fresh")(first.create[0])
    done = operate(sim.wf, sim.pods, NOW, cms)
    assert done.status["phase"] == "Succeeded"
    [save] = done.cache_saves
    assert (save.configmap, save.key, save.node_id) == ("my-cache", "key-1", "wf")
    assert save.outputs["parameters"][0]["value"] == "fresh"


def test_unlabelled_configmap_is_refused() -> None:
    out = operate(load(WF), {}, NOW, {"my-cache": _cache(NOW, labels={})})
    node = out.status["nodes"]["wf"]
    assert node["phase"] == "Error"
    assert node["message"] == (
        "memoization configmap doesn't have workflows.argoproj.io/configmap-type label, refusing to use it"
    )
    assert out.status["phase"] == "Error"


def test_invalid_key_is_an_error() -> None:
    wf = load(WF.replace("key-1", "bad key"))
    node = operate(wf, {}, NOW, {}).status["nodes"]["wf"]
    assert node["phase"] == "Error" and node["message"] == "invalid cache key: bad key"


async def test_controller_stores_entries_and_second_run_hits(tmp_path: Path) -> None:
    client = MemoryClient()
    async with Controller(client, tmp_path):
        wf = load(WF, "first")
        wf.update(apiVersion="argoproj.io/v1alpha1", kind="Workflow")
        await client.create(wf)
        first = await wait_done(client, "first")
        assert first["status"]["phase"] == "Succeeded"
        cm = await client.get("ConfigMap", "my-cache")
        assert cm["metadata"]["labels"] == {"workflows.argoproj.io/configmap-type": "Cache"}
        entry = json.loads(cm["data"]["key-1"])
        assert entry["nodeID"] == "first"
        assert entry["outputs"]["parameters"][0]["value"] == "hi"
        wf2 = load(WF, "second")
        wf2.update(apiVersion="argoproj.io/v1alpha1", kind="Workflow")
        await client.create(wf2)
        second = await wait_done(client, "second")
        node = second["status"]["nodes"]["second"]
        assert node["memoizationStatus"]["hit"] is True
        assert node["outputs"]["parameters"][0]["value"] == "hi"
