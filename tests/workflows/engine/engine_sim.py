"""A deterministic harness for the pure engine: pods finish as a script says, the clock is ours."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import yaml

from workflows.engine import Outcome, PodObservation, PodRequest, operate

Behaviour = Callable[[PodRequest], PodObservation | None]


def load(text: str, name: str = "wf") -> dict[str, Any]:
    wf = dict(yaml.safe_load(text))
    wf["metadata"] = {"name": name, "namespace": "default"}
    return wf


def succeed(result: str = "", **params: str) -> Callable[[PodRequest], PodObservation]:
    def run(req: PodRequest) -> PodObservation:
        return PodObservation(
            req.node_id,
            "Succeeded",
            exit_code=0,
            result=result if req.include_result else None,
            parameters=dict(params),
        )

    return run


def fail(code: int = 1) -> Callable[[PodRequest], PodObservation]:
    def run(req: PodRequest) -> PodObservation:
        return PodObservation(req.node_id, "Failed", exit_code=code)

    return run


class Sim:
    def __init__(
        self, wf: dict[str, Any], behaviours: dict[str, Behaviour] | None = None, default: Behaviour | None = None
    ) -> None:
        self.wf = wf
        self.behaviours = behaviours or {}
        self.default = default or succeed()
        self.pods: dict[str, PodObservation] = {}
        self.requests: list[PodRequest] = []
        self.now = dt.datetime(2024, 5, 1, 12, 0, 0, tzinfo=dt.UTC)
        self.last: Outcome | None = None
        self.hold: set[str] = set()  # templates whose pods stay Running

    def step(self) -> Outcome:
        out = operate(self.wf, self.pods, self.now)
        self.wf["status"] = out.status
        for req in out.create:
            self.requests.append(req)
            self.pods[req.node_id] = PodObservation(req.node_id, "Running")
        for kill in out.kill:
            obs = self.pods.get(kill.node_id)
            if obs is not None and obs.phase == "Running":
                self.pods[kill.node_id] = PodObservation(kill.node_id, "Failed", exit_code=143, message=kill.message)
        self.last = out
        return out

    def finish_running(self) -> None:
        for req in self.requests:
            obs = self.pods.get(req.node_id)
            if obs is None or obs.phase != "Running" or req.template.get("name") in self.hold:
                continue
            behaviour = self.behaviours.get(req.template.get("name", ""), self.default)
            result = behaviour(req)
            if result is not None:
                self.pods[req.node_id] = result

    def run(self, max_steps: int = 200, tick: float = 1.0) -> dict[str, Any]:
        for _ in range(max_steps):
            out = self.step()
            if out.completed:
                return self.status
            self.finish_running()
            self.now += dt.timedelta(seconds=tick)
        return self.status

    @property
    def status(self) -> dict[str, Any]:
        return dict(self.wf.get("status") or {})

    def node(self, name: str) -> dict[str, Any]:
        for n in (self.status.get("nodes") or {}).values():
            if n["name"] == name:
                return dict(n)
        raise KeyError(name)

    def by_display(self, display: str) -> list[dict[str, Any]]:
        return [n for n in (self.status.get("nodes") or {}).values() if n["displayName"] == display]
