"""The embedded kubelet with real processes."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from workflows.engine import PodObservation, PodRequest
from workflows.pods import Capacity, Kubelet


class Pods:
    def __init__(self, kubelet: Kubelet) -> None:
        self.kubelet = kubelet
        self.changed: asyncio.Queue[str] = asyncio.Queue()

    async def run(
        self, template: dict[str, Any], node: str = "n1", include_result: bool = True, timeout: float = 20.0
    ) -> PodObservation:
        self.start(template, node, include_result)
        return await self.wait(node, timeout)

    def start(self, template: dict[str, Any], node: str, include_result: bool = True, deadline: Any = None) -> None:
        self.kubelet.start(
            PodRequest(
                node,
                f"pod-{node}",
                f"wf.{node}",
                template,
                include_result,
                deadline=deadline,
                workflow="wf",
                namespace="default",
            )
        )

    async def wait(self, node: str, timeout: float = 20.0) -> PodObservation:
        async def done() -> PodObservation:
            while True:
                obs = self.kubelet.observations("default", "wf")[node]
                if obs.phase in ("Succeeded", "Failed"):
                    return obs
                await self.changed.get()

        return await asyncio.wait_for(done(), timeout)


@pytest.fixture
async def pods(tmp_path: Path) -> Any:
    holder: list[Pods] = []
    kubelet = Kubelet(tmp_path, lambda ns, wf, nid: holder[0].changed.put_nowait(nid))
    holder.append(Pods(kubelet))
    yield holder[0]
    await kubelet.shutdown()


async def test_result_is_stdout_without_one_trailing_newline(pods: Pods) -> None:
    obs = await pods.run(
        {"container": {"image": "alpine:3.6", "command": ["sh", "-c"], "args": ["printf 'out\\n\\n'; echo err >&2"]}}
    )
    assert obs.phase == "Succeeded" and obs.exit_code == 0
    assert obs.result == "out\n"
    log = pods.kubelet.log_path("default", "wf", "n1").read_text()
    assert "out" in log and "err" in log


async def test_script_source_is_staged_and_appended_to_argv(pods: Pods) -> None:
    obs = await pods.run(
        {
            "script": {
                "image": "python:alpine3.6",
                "command": ["python"],
                "source": "import sys\nprint(sys.argv[-1].endswith('script'))\n",
            }
        }
    )
    assert obs.result == "True"


async def test_failure_exit_code_and_env_and_working_dir(pods: Pods) -> None:
    obs = await pods.run(
        {
            "container": {
                "image": "alpine",
                "command": ["sh", "-c", 'echo "$GREETING $(pwd)"; exit 3'],
                "env": [{"name": "GREETING", "value": "hi"}],
                "workingDir": "/src",
            }
        }
    )
    assert obs.phase == "Failed" and obs.exit_code == 3
    assert obs.result is not None and obs.result.startswith("hi ") and obs.result.endswith("/src")


async def test_each_pod_has_a_private_tmp_and_outputs_are_read_from_it(pods: Pods) -> None:
    def writer(value: str) -> dict[str, Any]:
        return {
            "container": {"image": "alpine", "command": ["sh", "-c", f"sleep 0.2; echo {value} > /tmp/num"]},
            "outputs": {"parameters": [{"name": "num", "valueFrom": {"path": "/tmp/num"}}]},
        }

    pods.start(writer("1"), "a")
    pods.start(writer("2"), "b")
    a, b = await pods.wait("a"), await pods.wait("b")
    assert (a.parameters, b.parameters) == ({"num": "1"}, {"num": "2"})


async def test_missing_output_file_uses_default_or_reports(pods: Pods) -> None:
    obs = await pods.run(
        {
            "container": {"image": "alpine", "command": ["true"]},
            "outputs": {
                "parameters": [
                    {"name": "a", "valueFrom": {"path": "/tmp/nope", "default": "dflt"}},
                    {"name": "b", "valueFrom": {"path": "/tmp/missing"}},
                ]
            },
        }
    )
    assert obs.parameters == {"a": "dflt"}
    assert obs.parameter_error == "open /tmp/missing: no such file or directory"


async def test_deadline_kills_the_whole_process_group(pods: Pods) -> None:
    import datetime as dt

    pods.start(
        {"container": {"image": "alpine", "command": ["sh", "-c", "sleep 30 & sleep 30"]}},
        "d",
        deadline=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=0.3),
    )
    obs = await pods.wait("d", timeout=10)
    assert obs.phase == "Failed" and obs.exit_code == 143
    assert obs.message == "Pod was active on the node longer than the specified deadline"


async def test_kill_records_143(pods: Pods) -> None:
    pods.start({"container": {"image": "alpine", "command": ["sleep", "30"]}}, "k")
    await asyncio.sleep(0.2)
    pods.kubelet.kill("default", "wf", "k", "Stopped with strategy 'Stop'")
    obs = await pods.wait("k", timeout=10)
    assert obs.exit_code == 143 and obs.message == "Stopped with strategy 'Stop'"


async def test_builtin_images_without_command(pods: Pods) -> None:
    obs = await pods.run(
        {
            "container": {"image": "argoproj/argosay:v2", "args": ["echo", "hi", "/tmp/f"]},
            "outputs": {"parameters": [{"name": "f", "valueFrom": {"path": "/tmp/f"}}]},
        }
    )
    assert obs.parameters == {"f": "hi"}
    obs = await pods.run({"container": {"image": "argoproj/argosay:v2", "args": ["exit", "7"]}}, node="x")
    assert obs.exit_code == 7
    obs = await pods.run({"container": {"image": "docker/whalesay", "command": ["cowsay"], "args": ["moo"]}}, node="w")
    assert obs.result is not None and "< moo >" in obs.result


async def test_parameter_values_reach_the_pod_as_argv_not_shell(pods: Pods, tmp_path: Path) -> None:
    evil = f"$(touch {tmp_path}/pwned); `id`"
    obs = await pods.run({"container": {"image": "alpine", "command": ["echo", evil]}})
    assert obs.result == evil
    assert not (tmp_path / "pwned").exists()


async def test_admission_keeps_pods_pending_when_full(tmp_path: Path) -> None:
    changed: asyncio.Queue[str] = asyncio.Queue()
    kubelet = Kubelet(tmp_path, lambda ns, wf, nid: changed.put_nowait(nid), capacity=Capacity(cpu=1))
    p = Pods(kubelet)
    p.changed = changed
    big = {"container": {"image": "a", "command": ["sleep", "0.3"], "resources": {"requests": {"cpu": "1"}}}}
    p.start(big, "one")
    p.start(big, "two")
    await asyncio.sleep(0.1)
    assert kubelet.observations("default", "wf")["two"].phase == "Pending"
    await p.wait("two")
    assert kubelet.observations("default", "wf")["two"].phase == "Succeeded"
    await kubelet.shutdown()
