"""The embedded kubelet: admits pods against capacity and runs each as a supervised process.

State is in memory only: pods die with the process that ran them, and after a restart the engine
sees their nodes without pods and handles them as Argo handles a deleted pod.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from collections import deque
from collections.abc import Callable
from pathlib import Path

from workflows.engine.model import DEADLINE_MESSAGE, PodObservation, PodRequest
from workflows.pods import builtins
from workflows.pods.capacity import Capacity, Request, requests_of
from workflows.pods.containerset import execute_set
from workflows.pods.process import PodRun, execute, terminate
from workflows.pods.sandbox import Sandbox

Key = tuple[str, str]  # (namespace, workflow)
OnChange = Callable[[str, str, str], None]  # namespace, workflow, node id

_SANDBOX: Sandbox | None = None


def current_sandbox() -> Sandbox | None:
    return _SANDBOX


class Kubelet:
    def __init__(
        self,
        data_dir: Path,
        on_change: OnChange | None = None,
        *,
        capacity: Capacity | None = None,
        sandbox: Sandbox | None = None,
    ) -> None:
        global _SANDBOX
        self.root = Path(data_dir) / "pods"
        self.bin_dir = Path(data_dir) / "bin"
        builtins.install(self.bin_dir)
        self.sandbox = sandbox or _SANDBOX or Sandbox()
        _SANDBOX = self.sandbox
        self.capacity = capacity or Capacity()
        self.on_change = on_change or (lambda ns, wf, nid: None)
        self.pods: dict[Key, dict[str, PodRun]] = {}
        self.queue: deque[tuple[PodRun, Request]] = deque()
        self.tasks: set[asyncio.Task[None]] = set()
        self.closed = False

    # -- API for the controller ---------------------------------------------------------------
    def observations(self, namespace: str, workflow: str) -> dict[str, PodObservation]:
        return {nid: run.obs for nid, run in self.pods.get((namespace, workflow), {}).items()}

    def log_path(self, namespace: str, workflow: str, node_id: str) -> Path:
        return self.root / namespace / workflow / node_id / "main.log"

    def start(self, req: PodRequest) -> None:
        """Register the pod (Pending) and run it as soon as capacity allows."""
        key = (req.namespace, req.workflow)
        runs = self.pods.setdefault(key, {})
        if req.node_id in runs or self.closed:
            return
        root = self.root / req.namespace / req.workflow / req.node_id
        root.mkdir(parents=True, exist_ok=True)
        run = PodRun(req, root, PodObservation(req.node_id, "Pending"))
        runs[req.node_id] = run
        self.queue.append((run, requests_of(_main_container(req.template))))
        self._admit()

    def kill(self, namespace: str, workflow: str, node_id: str, message: str) -> None:
        run = self.pods.get((namespace, workflow), {}).get(node_id)
        if run is None or run.obs.phase in ("Succeeded", "Failed"):
            return
        if not run.admitted:
            self._drop_queued(run)
            run.obs.phase, run.obs.message, run.obs.exit_code = "Failed", message, 143
            run.obs.finished_at = dt.datetime.now(dt.UTC)
            self._notify(run)
            return
        self._spawn(terminate(run, message), f"kill-{node_id}")

    def delete_pod(self, namespace: str, workflow: str, node_id: str, delay: float = 0.0) -> None:
        """podGC: remove what a finished pod left on disk (its /tmp, work and staged files).

        The log is kept so ``pinnace logs`` still shows it (Argo loses a pod's logs with the pod
        unless they are archived; keeping them is our deliberate difference).
        """
        root = self.root / namespace / workflow / node_id
        if delay > 0:
            asyncio.get_running_loop().call_later(delay, _remove_leftovers, root)
        else:
            _remove_leftovers(root)

    def forget(self, namespace: str, workflow: str, *, remove_files: bool = False) -> None:
        """Drop a finished workflow's pods from memory (and its files when asked)."""
        runs = self.pods.pop((namespace, workflow), {})
        for run in runs.values():
            if run.obs.phase not in ("Succeeded", "Failed"):
                self.kill(namespace, workflow, run.request.node_id, "workflow deleted")
        if remove_files:
            shutil.rmtree(self.root / namespace / workflow, ignore_errors=True)

    async def shutdown(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.queue.clear()
        for runs in self.pods.values():
            for run in runs.values():
                if run.live():
                    self._spawn(terminate(run, "kubelet shutting down", grace=1.0), "kill")
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)

    async def __aenter__(self) -> Kubelet:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.shutdown()

    # -- internals ------------------------------------------------------------------------------
    def _spawn(self, coro: object, name: str) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro, name=name)  # type: ignore[arg-type]
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def _drop_queued(self, run: PodRun) -> None:
        self.queue = deque(item for item in self.queue if item[0] is not run)

    def _admit(self) -> None:
        while self.queue and self.capacity.fits(self.queue[0][1]):
            run, req = self.queue.popleft()
            run.admitted = True
            self.capacity.take(req)
            self._spawn(self._run(run, req), f"pod-{run.request.pod_name}")

    async def _run(self, run: PodRun, req: Request) -> None:
        deadline_task = None
        if run.request.deadline is not None:
            deadline_task = asyncio.get_running_loop().create_task(
                self._deadline(run, run.request.deadline), name=f"deadline-{run.request.pod_name}"
            )
        runner = execute_set if "containerSet" in run.request.template else execute
        try:
            await runner(run, self.bin_dir, self.sandbox, lambda: self._notify(run))
        finally:
            if deadline_task is not None:
                deadline_task.cancel()
            self.capacity.give(req)
            self._admit()
        self._notify(run)

    async def _deadline(self, run: PodRun, deadline: dt.datetime) -> None:
        delay = (deadline - dt.datetime.now(dt.UTC)).total_seconds()
        await asyncio.sleep(max(delay, 0.0))
        await terminate(run, DEADLINE_MESSAGE)

    def _notify(self, run: PodRun) -> None:
        self.on_change(run.request.namespace, run.request.workflow, run.request.node_id)


def _main_container(tmpl: dict[str, object]) -> dict[str, object]:
    """The container whose ``resources.requests`` admit the pod (a containerSet's first)."""
    body = tmpl.get("container") or tmpl.get("script")
    cset = tmpl.get("containerSet")
    if body is None and isinstance(cset, dict):
        body = (cset.get("containers") or [{}])[0]
    return dict(body) if isinstance(body, dict) else {}


def _remove_leftovers(root: Path) -> None:
    if not root.is_dir():
        return
    for child in root.iterdir():
        if child.name.endswith(".log"):
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
