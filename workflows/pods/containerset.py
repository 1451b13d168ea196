"""A containerSet pod: several containers in one pod, each started once its dependencies exit.

As Argo's emissary does it (``cmd/argoexec/commands/emissary.go``): a container waits for every
dependency; a dependency that exited non-zero makes it give up with the emissary's own exit code
64 and ``dependency "x" exited with non-zero code: N``; ``containerSet.retryStrategy`` re-runs a
failing container's command in place (``retries`` more times, ``duration`` apart) without a new
pod. The containers share the pod's private ``/tmp`` and working directory (one pod, one
filesystem view) and write to the pod's one log. Only the container named ``main`` gives the
pod its ``outputs.result``, ``outputs.exitCode`` and output parameters.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pinnace.resources.durations import DurationError, parse_go_duration
from workflows.engine.model import RESULT_LIMIT, ContainerState
from workflows.pods.process import (
    PodRun,
    PodSetupError,
    build_env,
    collect_parameters,
    container_argv,
    spawn,
    working_dir,
)
from workflows.pods.sandbox import Sandbox

EMISSARY_ERROR = 64


class _SetRun:
    def __init__(self, run: PodRun, bin_dir: Path, sandbox: Sandbox, notify: Callable[[], None], log: Any) -> None:
        self.run = run
        self.bin_dir = bin_dir
        self.sandbox = sandbox
        self.notify = notify
        self.log = log
        spec = run.request.template.get("containerSet") or {}
        self.containers: list[dict[str, Any]] = [dict(c) for c in spec.get("containers") or []]
        self.exits: dict[str, asyncio.Future[int]] = {
            c["name"]: asyncio.get_running_loop().create_future() for c in self.containers
        }
        self.attempts, self.pause = _retry(spec.get("retryStrategy") or {})
        mounts = spec.get("volumeMounts") or []
        for c in self.containers:
            c["volumeMounts"] = list(c.get("volumeMounts") or []) + list(mounts)

    def _state(self, name: str) -> ContainerState:
        return self.run.obs.containers[name]

    def _terminate(self, name: str, code: int, message: str = "") -> None:
        state = self._state(name)
        state.state, state.exit_code, state.message = "Terminated", code, message
        state.reason = "Completed" if code == 0 else "Error"
        state.finished_at = dt.datetime.now(dt.UTC)
        if not self.exits[name].done():
            self.exits[name].set_result(code)
        self.notify()

    async def container(self, ctr: dict[str, Any]) -> None:
        name = ctr["name"]
        for dep in ctr.get("dependencies") or []:
            future = self.exits.get(dep)
            code = await future if future is not None else 0
            if self.run.stop_message:
                break  # the pod is being killed: a waiting container gets the signal too
            if code != 0:
                self._terminate(name, EMISSARY_ERROR, f'dependency "{dep}" exited with non-zero code: {code}')
                return
        if self.run.stop_message:
            self._terminate(name, 143)
            return
        try:
            argv = container_argv(self.run, ctr, self.bin_dir)
            place = (build_env(self.run, self.bin_dir, self.sandbox, ctr), working_dir(self.run, ctr))
        except (PodSetupError, OSError) as err:
            self._terminate(name, EMISSARY_ERROR, str(err))
            return
        tail = self.run.tail if name == "main" and self.run.request.include_result else None
        code = 0
        for attempt in range(self.attempts):
            if attempt:
                await asyncio.sleep(self.pause)
            self._state(name).state = "Running"
            code = await spawn(
                self.run, name, argv, (*place, self.sandbox, self.bin_dir.parent), self.log, tail, self.notify
            )
            if code == 0 or self.run.stop_message:
                break
        self._terminate(name, code)


def _retry(strategy: dict[str, Any]) -> tuple[int, float]:
    """(attempts, seconds between them): ``retries`` excludes the first attempt."""
    try:
        retries = int(str(strategy.get("retries", 0) or 0))
    except ValueError:
        retries = 0
    try:
        pause = parse_go_duration(str(strategy["duration"])) if strategy.get("duration") else 0.0
    except DurationError:
        pause = 0.0
    return max(retries, 0) + 1, max(pause, 0.0)


async def execute_set(
    run: PodRun, bin_dir: Path, sandbox: Sandbox, on_change: Callable[[], None] | None = None
) -> None:
    """Run every container of the set to its end, filling ``run.obs`` (and its ``containers``)."""
    notify = on_change or (lambda: None)
    run.tmp.mkdir(parents=True, exist_ok=True)
    run.work.mkdir(parents=True, exist_ok=True)
    with open(run.log_path, "ab") as log:  # noqa: ASYNC230 - opening a local file is immediate
        state = _SetRun(run, bin_dir, sandbox, notify, log)
        run.obs.containers = {c["name"]: ContainerState() for c in state.containers}
        run.obs.phase = "Running"
        run.obs.started_at = dt.datetime.now(dt.UTC)
        notify()
        async with asyncio.TaskGroup() as tg:
            for ctr in state.containers:
                tg.create_task(state.container(ctr), name=f"ctr-{run.request.pod_name}-{ctr['name']}")
    _finish_set(run)


def _finish_set(run: PodRun) -> None:
    obs = run.obs
    obs.finished_at = dt.datetime.now(dt.UTC)
    main = obs.containers.get("main")
    if main is not None:
        obs.exit_code = main.exit_code
        if run.request.include_result:
            text = bytes(run.tail[-RESULT_LIMIT:]).decode("utf-8", errors="replace")
            obs.result = text[:-1] if text.endswith("\n") else text
    failed = any(c.exit_code != 0 for c in obs.containers.values())
    obs.message = run.stop_message
    obs.phase = "Failed" if failed or run.stop_message else "Succeeded"
    if obs.phase == "Succeeded" and main is not None:
        collect_parameters(run)


__all__ = ["EMISSARY_ERROR", "execute_set"]
