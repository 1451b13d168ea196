"""containerSet pods on the embedded kubelet: real processes, dependencies, in-place retries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from workflows.pods import Kubelet

from .test_kubelet import Pods


@pytest.fixture
async def pods(tmp_path: Path) -> Any:
    holder: list[Pods] = []
    kubelet = Kubelet(tmp_path, lambda ns, wf, nid: holder[0].changed.put_nowait(nid))
    holder.append(Pods(kubelet))
    yield holder[0]
    await kubelet.shutdown()


def _set(*containers: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": "set", "containerSet": {"containers": list(containers), **extra}}


async def test_dependencies_run_in_order_and_share_tmp(pods: Pods) -> None:
    obs = await pods.run(
        _set(
            {"name": "a", "image": "alpine", "command": ["sh", "-c", "echo one > /tmp/f"]},
            {"name": "b", "image": "alpine", "command": ["sh", "-c", "echo two >> /tmp/f"], "dependencies": ["a"]},
            {"name": "main", "image": "alpine", "command": ["cat", "/tmp/f"], "dependencies": ["b"]},
        )
    )
    assert obs.phase == "Succeeded" and obs.exit_code == 0
    assert obs.result == "one\ntwo"
    assert {n: (c.state, c.exit_code) for n, c in obs.containers.items()} == {
        "a": ("Terminated", 0),
        "b": ("Terminated", 0),
        "main": ("Terminated", 0),
    }


async def test_failed_dependency_makes_dependents_exit_64(pods: Pods) -> None:
    obs = await pods.run(
        _set(
            {"name": "a", "image": "alpine", "command": ["sh", "-c", "exit 3"]},
            {"name": "b", "image": "alpine", "command": ["true"], "dependencies": ["a"]},
            {"name": "c", "image": "argoproj/argosay:v2"},
        )
    )
    assert obs.phase == "Failed"
    assert obs.containers["a"].exit_code == 3
    assert obs.containers["b"].exit_code == 64
    assert obs.containers["b"].message == 'dependency "a" exited with non-zero code: 3'
    assert obs.containers["c"].exit_code == 0
    assert obs.exit_code is None  # no container named main
    assert "hello argo" in pods.kubelet.log_path("default", "wf", "n1").read_text()


async def test_retry_strategy_reruns_a_container_in_place(pods: Pods, tmp_path: Path) -> None:
    counter = tmp_path / "count"
    script = f"echo x >> {counter}; [ $(wc -l < {counter}) -ge 3 ]"
    obs = await pods.run(
        _set({"name": "main", "image": "alpine", "command": ["sh", "-c", script]}, retryStrategy={"retries": 2})
    )
    assert obs.phase == "Succeeded"
    assert counter.read_text().count("x") == 3


async def test_retries_exhausted_keep_the_last_exit_code(pods: Pods, tmp_path: Path) -> None:
    counter = tmp_path / "count"
    obs = await pods.run(
        _set(
            {"name": "main", "image": "alpine", "command": ["sh", "-c", f"echo x >> {counter}; exit 5"]},
            retryStrategy={"retries": "1", "duration": "10ms"},
        )
    )
    assert obs.phase == "Failed" and obs.exit_code == 5
    assert counter.read_text().count("x") == 2


async def test_killing_the_pod_stops_running_and_waiting_containers(pods: Pods) -> None:
    import asyncio

    pods.start(
        _set(
            {"name": "main", "image": "alpine", "command": ["sleep", "30"]},
            {"name": "after", "image": "alpine", "command": ["true"], "dependencies": ["main"]},
        ),
        "n1",
    )
    for _ in range(200):
        obs = pods.kubelet.observations("default", "wf")["n1"]
        if obs.containers and obs.containers["main"].state == "Running":
            break
        await asyncio.sleep(0.01)
    pods.kubelet.kill("default", "wf", "n1", "Stopped with strategy 'Terminate'")
    obs = await pods.wait("n1")
    assert obs.phase == "Failed" and obs.message == "Stopped with strategy 'Terminate'"
    assert obs.containers["main"].exit_code == 143
    assert obs.containers["after"].exit_code == 143  # signalled while waiting, as the emissary reports
