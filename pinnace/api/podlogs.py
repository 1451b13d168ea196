"""``GET /api/v1/namespaces/{ns}/pods/{pod}/log``: pod logs as Kubernetes serves them.

There are no Pod objects here: a pod is a workflow node run by the embedded kubelet, named as Argo
names it (``<workflow>-<template>-<fnv32a(node name)>``), and its combined stdout/stderr is a file
in the data directory. ``container`` (default ``main``), ``follow`` and ``tailLines`` work as in
Kubernetes; a follow stream ends once the node has finished and its file is drained.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from pathlib import Path
from typing import Any

from aiohttp import web

from pinnace.api.metrics import VERB_KEY
from pinnace.api.watch import ACTIVE_WATCHES
from pinnace.datadir import DataDir
from pinnace.render.tree import pod_name
from pinnace.resources.errors import BadRequest, NotFound
from pinnace.store.store import Store
from workflows.engine.model import node_id as make_node_id

Obj = dict[str, Any]

ROUTE = "/api/v1/namespaces/{namespace}/pods/{pod}/log"
STORE = web.AppKey("pinnace_podlogs_store", Store)
FINISHED = frozenset({"Succeeded", "Failed", "Error", "Skipped", "Omitted"})
CHUNK = 64 * 1024
# Follow mode re-reads the file this often while the pod runs (``tail -f`` without inotify).
FOLLOW_INTERVAL = 0.1


def pod_nodes(wf: Obj) -> dict[str, Obj]:
    """Pod name → node, for every node of ``wf`` that runs a pod."""
    nodes: dict[str, Obj] = (wf.get("status") or {}).get("nodes") or {}
    return {pod_name(wf, n): n for n in nodes.values() if n.get("type") == "Pod"}


def log_file(data_dir: Path, namespace: str, workflow: str, nid: str) -> Path:
    """Where the kubelet writes a pod's log: under ``<data-dir>/pods`` (see pinnace.datadir)."""
    return DataDir(data_dir).pods / namespace / workflow / nid / "main.log"


async def find_pod(store: Store, namespace: str, pod: str) -> tuple[Obj, Obj]:
    """The workflow and node of ``pod``; NotFound as Kubernetes words it."""
    page = await store.list("Workflow", namespace)
    for wf in page.objects():
        name = str(wf["metadata"]["name"])
        if pod != name and not pod.startswith(name + "-"):
            continue
        node = pod_nodes(wf).get(pod)
        if node is not None:
            return wf, node
    raise NotFound(f'pods "{pod}" not found', kind="Pod", name=pod)


def _check_container(node: Obj, wf: Obj, container: str, pod: str) -> None:
    if container == "main":
        return
    nodes = (wf.get("status") or {}).get("nodes") or {}
    # containerSet pods: every container writes into the pod's one log.
    names = {nodes[c].get("displayName") for c in node.get("children") or [] if c in nodes
             and nodes[c].get("type") == "Container"}
    if container not in names:
        raise BadRequest(f"container {container} is not valid for pod {pod}")


def _tail_offset(path: Path, lines: int) -> int:
    """Byte offset where the last ``lines`` lines of ``path`` start."""
    with open(path, "rb") as f:
        end = f.seek(0, os.SEEK_END)
        pos, found = end, 0
        if lines <= 0:
            return end
        # A final newline ends the last line; it does not start another one.
        skip_last = True
        while pos > 0:
            step = min(CHUNK, pos)
            pos -= step
            f.seek(pos)
            block = f.read(step)
            for i in range(len(block) - 1, -1, -1):
                if block[i] != 0x0A:
                    skip_last = False
                    continue
                if skip_last and pos + i == end - 1:
                    continue
                found += 1
                if found == lines:
                    return pos + i + 1
        return 0


def _read(path: Path, offset: int) -> bytes:
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            return f.read(CHUNK)
    except FileNotFoundError:
        return b""


def _int_param(request: web.Request, key: str) -> int | None:
    raw = request.query.get(key)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(f"{key} must be an integer, got {raw!r}") from None


class _NodeDone:
    """Set once the pod's node has finished (or its workflow is gone), from a watch on the workflow."""

    def __init__(self, store: Store, namespace: str, workflow: str, nid: str) -> None:
        self.event = asyncio.Event()
        self._store, self._ns, self._wf, self._nid = store, namespace, workflow, nid
        self._task: asyncio.Task[None] | None = None

    async def start(self, app: web.Application) -> None:
        w = await self._store.watch("Workflow", self._ns, field_selector=f"metadata.name={self._wf}")
        app[ACTIVE_WATCHES].add(w)
        self._task = asyncio.create_task(self._follow(app, w), name=f"podlog-watch-{self._nid}")

    async def _follow(self, app: web.Application, w: Any) -> None:
        try:
            async for ev in w:
                obj = json.loads(ev.data)
                node = ((obj.get("status") or {}).get("nodes") or {}).get(self._nid) or {}
                phase = (obj.get("status") or {}).get("phase")
                if ev.type == "DELETED" or node.get("phase") in FINISHED or phase in FINISHED:
                    break
        finally:
            w.close()
            app[ACTIVE_WATCHES].discard(w)
            self.event.set()  # also when the server closes the watch on shutdown

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


async def _follow(resp: web.StreamResponse, path: Path, offset: int, done: asyncio.Event) -> None:
    while True:
        chunk = _read(path, offset)
        if chunk:
            offset += len(chunk)
            await resp.write(chunk)
            continue
        if done.is_set():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), FOLLOW_INTERVAL)


async def pod_log(request: web.Request) -> web.StreamResponse:
    request[VERB_KEY].update(verb="get", resource="pods/log")
    store = request.app[STORE]
    ns, pod = request.match_info["namespace"], request.match_info["pod"]
    container = request.query.get("container") or "main"
    follow = request.query.get("follow", "").lower() in ("1", "true")
    tail = _int_param(request, "tailLines")
    wf, node = await find_pod(store, ns, pod)
    _check_container(node, wf, container, pod)
    workflow = str(wf["metadata"]["name"])
    nid = str(node.get("id") or make_node_id(workflow, str(node.get("name"))))
    path = log_file(store.path.parent, ns, workflow, nid)
    if not path.exists() and not follow and node.get("phase") not in FINISHED:
        raise BadRequest(f'container "{container}" in pod "{pod}" is waiting to start: ContainerCreating')
    offset = _tail_offset(path, tail) if tail is not None and path.exists() else 0
    resp = web.StreamResponse(headers={"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-cache"})
    resp.enable_chunked_encoding()
    await resp.prepare(request)
    done = _NodeDone(store, ns, workflow, nid)
    try:
        if follow and node.get("phase") not in FINISHED:
            await done.start(request.app)
        else:
            done.event.set()
        await _follow(resp, path, offset, done.event)
    except (ConnectionResetError, asyncio.CancelledError):
        pass  # the client went away
    finally:
        await done.stop()
    return resp


def add_routes(app: web.Application, store: Store) -> None:
    """Call before adding the generic ``/api/v1/...`` routes, which would otherwise claim the path."""
    app[STORE] = store
    app.router.add_get(ROUTE, pod_log)
