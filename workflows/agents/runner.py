"""Runs http/resource nodes as asyncio tasks and reports them like pods (the agent of Argo)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

from pinnace.resources.client import ResourceClient
from workflows.agents.http import run_http
from workflows.agents.resource import Workflow, run_resource
from workflows.engine.model import PodObservation, PodRequest

Key = tuple[str, str]
OnChange = Callable[[str, str, str], None]
KINDS = ("http", "resource")


def handles(req: PodRequest) -> bool:
    """Whether the controller runs this node itself instead of the kubelet."""
    return any(req.template.get(kind) is not None for kind in KINDS)


class Agents:
    def __init__(self, client: ResourceClient, on_change: OnChange | None = None, *, interval: float = 1.0) -> None:
        self.client = client
        self.on_change = on_change or (lambda ns, wf, nid: None)
        self.interval = interval
        self.runs: dict[Key, dict[str, PodObservation]] = {}
        self.tasks: dict[tuple[str, str, str], asyncio.Task[None]] = {}
        self.closed = False

    def observations(self, namespace: str, workflow: str) -> dict[str, PodObservation]:
        return dict(self.runs.get((namespace, workflow), {}))

    def start(self, req: PodRequest, uid: str = "") -> None:
        runs = self.runs.setdefault((req.namespace, req.workflow), {})
        if req.node_id in runs or self.closed:
            return
        obs = PodObservation(req.node_id, "Running", started_at=dt.datetime.now(dt.UTC))
        runs[req.node_id] = obs
        key = (req.namespace, req.workflow, req.node_id)
        task = asyncio.get_running_loop().create_task(self._run(req, obs, uid), name=f"agent-{req.pod_name}")
        self.tasks[key] = task
        task.add_done_callback(lambda _t: self.tasks.pop(key, None))

    async def _run(self, req: PodRequest, obs: PodObservation, uid: str) -> None:
        try:
            if req.template.get("http") is not None:
                obs.phase, obs.message, obs.result = await run_http(req.template, self.client, req.namespace)
            else:
                res = await run_resource(
                    req.template, self.client, Workflow(req.workflow, req.namespace, uid), self.interval
                )
                obs.phase, obs.message, obs.parameters = (
                    ("Succeeded" if res.ok else "Failed"),
                    res.message,
                    res.parameters,
                )
                obs.exit_code = 0 if res.ok else 1
        except asyncio.CancelledError:
            obs.phase, obs.exit_code = "Failed", 143
            obs.message = obs.message or "terminated"
        obs.finished_at = dt.datetime.now(dt.UTC)
        self.on_change(req.namespace, req.workflow, req.node_id)

    def kill(self, namespace: str, workflow: str, node_id: str, message: str) -> None:
        obs = self.runs.get((namespace, workflow), {}).get(node_id)
        task = self.tasks.get((namespace, workflow, node_id))
        if obs is None or task is None or obs.phase != "Running":
            return
        obs.message = message
        task.cancel()

    def forget(self, namespace: str, workflow: str) -> None:
        for node_id in list(self.runs.pop((namespace, workflow), {})):
            task = self.tasks.get((namespace, workflow, node_id))
            if task is not None:
                task.cancel()

    async def shutdown(self) -> None:
        self.closed = True
        tasks = list(self.tasks.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
