"""API and store figures: creates/s, list latency with 10k objects, bytes per finished workflow.

Run: python bench/api.py [--objects 10000]. The server runs as its own process
(``python -m pinnace.api --no-tls``); every figure is printed next to a baseline measured in
the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

WF_URL = "/apis/argoproj.io/v1alpha1/namespaces/default/workflows"


def _ts(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def finished_ten_step_workflow(name: str, uid: str = "6c8f2d4e-1b7a-4c39-9e5d-2f0a8b7c6d11") -> dict[str, Any]:
    """A Succeeded ten-step workflow as Argo's controller leaves it: nodes, outputs, managedFields."""
    t0 = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    steps = [{"name": f"step-{i}", "template": "work", "arguments": {"parameters": [
        {"name": "n", "value": str(i)}]}} for i in range(10)]
    spec = {
        "entrypoint": "main", "arguments": {},
        "templates": [
            {"name": "main", "inputs": {}, "outputs": {}, "metadata": {}, "steps": [[s] for s in steps]},
            {"name": "work", "inputs": {"parameters": [{"name": "n"}]}, "outputs": {"parameters": [
                {"name": "out", "valueFrom": {"path": "/tmp/out.txt"}}]}, "metadata": {},
             "container": {"name": "", "image": "python:3.12-alpine", "command": ["sh", "-c"],
                           "args": ["echo step {{inputs.parameters.n}} | tee /tmp/out.txt"], "resources": {}}},
        ],
    }
    nodes: dict[str, Any] = {}
    root_id = name
    t = t0
    children_of_root: list[str] = []
    prev_group: str | None = None
    for i in range(10):
        gid = f"{name}-{1000000000 + i * 7919}"
        pid = f"{name}-{2000000000 + i * 104729}"
        start, end = t, t + timedelta(seconds=6)
        nodes[gid] = {"id": gid, "name": f"{name}[{i}]", "displayName": f"[{i}]", "type": "StepGroup",
                      "templateScope": "local/" + name, "phase": "Succeeded", "boundaryID": root_id,
                      "startedAt": _ts(start), "finishedAt": _ts(end), "progress": "1/1",
                      "resourcesDuration": {"cpu": 2, "memory": 2}, "nodeFlag": {}, "children": [pid]}
        nodes[pid] = {"id": pid, "name": f"{name}[{i}].step-{i}", "displayName": f"step-{i}", "type": "Pod",
                      "templateName": "work", "templateScope": "local/" + name, "phase": "Succeeded",
                      "boundaryID": root_id, "startedAt": _ts(start), "finishedAt": _ts(end), "progress": "1/1",
                      "resourcesDuration": {"cpu": 2, "memory": 2},
                      "inputs": {"parameters": [{"name": "n", "value": str(i)}]},
                      "outputs": {"parameters": [{"name": "out", "value": f"step {i}",
                                                  "valueFrom": {"path": "/tmp/out.txt"}}],
                                  "artifacts": [{"name": "main-logs", "s3": {
                                      "key": f"{name}/{name}-work-{3000000000 + i}/main.log"}}],
                                  "exitCode": "0"},
                      "hostNodeName": "worker-node-3", "children": [f"{name}-{1000000000 + (i + 1) * 7919}"]
                      if i < 9 else []}
        if not nodes[pid]["children"]:
            del nodes[pid]["children"]
        if prev_group is None:
            children_of_root.append(gid)
        prev_group = gid
        t = end + timedelta(seconds=1)
    nodes[root_id] = {"id": root_id, "name": name, "displayName": name, "type": "Steps", "templateName": "main",
                      "templateScope": "local/" + name, "phase": "Succeeded", "startedAt": _ts(t0),
                      "finishedAt": _ts(t), "progress": "10/10", "resourcesDuration": {"cpu": 20, "memory": 20},
                      "outputs": {"exitCode": "0"}, "children": children_of_root,
                      "outboundNodes": [f"{name}-{2000000000 + 9 * 104729}"]}
    managed = [{"manager": "argo", "operation": "Update", "apiVersion": "argoproj.io/v1alpha1", "time": _ts(t0),
                "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:generateName": {}, "f:labels": {
                    ".": {}, "f:workflows.argoproj.io/submit-from-ui": {}}}, "f:spec": {}}},
               {"manager": "workflow-controller", "operation": "Update", "apiVersion": "argoproj.io/v1alpha1",
                "time": _ts(t), "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:annotations": {
                    ".": {}, "f:workflows.argoproj.io/pod-name-format": {}}, "f:labels": {
                    "f:workflows.argoproj.io/completed": {}, "f:workflows.argoproj.io/phase": {}}},
                    "f:status": {}}}]
    return {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
        "metadata": {"name": name, "generateName": "ten-steps-", "namespace": "default", "uid": uid,
                     "resourceVersion": "48213", "generation": 14, "creationTimestamp": _ts(t0),
                     "labels": {"workflows.argoproj.io/completed": "true", "workflows.argoproj.io/phase": "Succeeded",
                                "workflows.argoproj.io/submit-from-ui": "false"},
                     "annotations": {"workflows.argoproj.io/pod-name-format": "v2"}, "managedFields": managed},
        "spec": spec,
        "status": {"phase": "Succeeded", "startedAt": _ts(t0), "finishedAt": _ts(t), "progress": "10/10",
                   "nodes": nodes, "storedTemplates": {}, "conditions": [
                       {"type": "PodRunning", "status": "False"}, {"type": "Completed", "status": "True"}],
                   "resourcesDuration": {"cpu": 20, "memory": 20},
                   "artifactRepositoryRef": {"default": True, "artifactRepository": {"archiveLogs": True, "s3": {
                       "endpoint": "minio:9000", "bucket": "my-bucket", "insecure": True,
                       "accessKeySecret": {"name": "my-minio-cred", "key": "accesskey"},
                       "secretKeySecret": {"name": "my-minio-cred", "key": "secretkey"}}}},
                   "artifactGCStatus": {"notSpecified": True},
                   "taskResultsCompletionStatus": {f"{name}-{2000000000 + i * 104729}": True for i in range(10)}},
    }


def start_server(data_dir: Path) -> tuple[subprocess.Popen[str], str, str]:
    proc = subprocess.Popen([sys.executable, "-m", "pinnace.api", "--data-dir", str(data_dir), "--port", "0",
                             "--no-tls", "--log-level", "warning",
                             # No engine runs here to finish them: measure the store, not the admission bound.
                             "--max-active-workflows", "0"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    url = line.split("api=")[1].split()[0]
    return proc, url, (data_dir / "token").read_text().strip()


def small_workflow(name: str) -> dict[str, Any]:
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
            "metadata": {"name": name, "labels": {"bench": "yes", "shard": str(hash(name) % 10)}},
            "spec": {"entrypoint": "main", "templates": [{"name": "main", "container": {"image": "alpine"}}]}}


async def create_many(s: aiohttp.ClientSession, url: str, names: list[str], concurrency: int) -> float:
    queue = list(reversed(names))

    async def worker() -> None:
        while queue:
            name = queue.pop()
            async with s.post(url + WF_URL, json=small_workflow(name)) as r:
                if r.status != 201:
                    raise RuntimeError(f"create {name}: {r.status} {await r.text()}")

    t = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - t


async def timed_get(s: aiohttp.ClientSession, url: str, path: str, runs: int = 5) -> tuple[float, int]:
    best, count = float("inf"), 0
    for _ in range(runs):
        t = time.perf_counter()
        async with s.get(url + path) as r:
            body = await r.json()
        best = min(best, time.perf_counter() - t)
        count = len(body["items"])
    return best, count


async def throughput(data_dir: Path, objects: int) -> None:
    proc, url, token = start_server(data_dir)
    try:
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as s:
            serial = 300
            dt1 = await create_many(s, url, [f"serial-{i}" for i in range(serial)], 1)
            dtn = await create_many(s, url, [f"wf-{i}" for i in range(objects - serial)], 32)
            print(f"creates/s, 1 client (baseline: one fsync per create) : {serial / dt1:8.0f}")
            print(f"creates/s, 32 clients (group commit)                : {(objects - serial) / dtn:8.0f}")
            full, n = await timed_get(s, url, WF_URL)
            sel, m = await timed_get(s, url, WF_URL + "?labelSelector=shard%3D3")
            page, _ = await timed_get(s, url, WF_URL + "?limit=500")
            one, _ = await timed_get(s, url, WF_URL + "?fieldSelector=metadata.name%3Dwf-5")
            items = [small_workflow(f"wf-{i}") for i in range(n)]
            t = time.perf_counter()
            json.loads(json.dumps({"items": items}))
            floor = time.perf_counter() - t
            print(f"list all {n} objects                          : {full * 1000:8.1f} ms "
                  f"(baseline: json dump+load of the same items in-process {floor * 1000:.1f} ms)")
            print(f"list with labelSelector ({m} match)            : {sel * 1000:8.1f} ms")
            print(f"list first page (limit=500)                    : {page * 1000:8.1f} ms")
            print(f"list by fieldSelector metadata.name            : {one * 1000:8.1f} ms")
    finally:
        proc.terminate()
        proc.wait(30)


def _file_bytes(db: Path) -> int:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages, size = conn.execute("PRAGMA page_count").fetchone()[0], conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    return int(pages * size)


async def footprint(data_dir: Path, count: int = 100) -> None:
    from pinnace.store.store import Store

    argo_json = len(json.dumps(finished_ten_step_workflow("ten-steps-abcde")).encode())
    async with await Store.open(data_dir) as store:
        before = _file_bytes(store.path)
        for i in range(count):
            obj = finished_ten_step_workflow(f"ten-steps-{i:05d}")
            created = await store.create({k: v for k, v in obj.items() if k != "status"})
            created["status"] = obj["status"]
            await store.replace_status(created)
        after = _file_bytes(store.path)
        conn = sqlite3.connect(store.path)
        body = conn.execute("SELECT avg(length(body)) FROM objects WHERE kind='Workflow'").fetchone()[0]
        conn.close()
    per = (after - before) / count
    print(f"finished ten-step workflow, Argo's JSON (uncompressed, as etcd holds it): {argo_json:7d} bytes")
    print(f"same workflow in the pinnace store, object blob                         : {body:7.0f} bytes "
          f"({argo_json / body:.1f}x smaller)")
    print(f"same workflow in the pinnace store, database file growth per workflow   : {per:7.0f} bytes "
          f"(incl. index and page overhead, {count} workflows)")
    print("Argo users' measurement on etcd (20 MB / 100 workflows)                 :  200000 bytes")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--objects", type=int, default=10000)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(footprint(Path(tmp) / "footprint"))
        asyncio.run(throughput(Path(tmp) / "throughput", args.objects))


if __name__ == "__main__":
    main()
