"""The controller end to end: MemoryClient + engine + real local pods."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import yaml

from pinnace.resources.client import Obj
from pinnace.resources.errors import Conflict, Unavailable
from pinnace.resources.memory import MemoryClient
from workflows.controller import Controller

SEED_TEXT = Path("/work/shared/reference/seed-coinflip.yaml").read_text()


async def wait_done(client: MemoryClient, name: str, timeout: float = 30) -> dict[str, Any]:
    async def poll() -> dict[str, Any]:
        async for ev in client.watch("Workflow"):
            if ev.object["metadata"]["name"] == name and (ev.object.get("status") or {}).get("phase") in (
                "Succeeded",
                "Failed",
                "Error",
            ):
                return ev.object
        raise AssertionError("watch ended")

    return await asyncio.wait_for(poll(), timeout)


async def test_seed_coinflip_verbatim_succeeds_and_logs_heads(tmp_path: Path) -> None:
    client = MemoryClient()
    async with Controller(client, tmp_path) as ctl:
        created = await client.create(yaml.safe_load(SEED_TEXT))
        name = created["metadata"]["name"]
        assert name.startswith("coinflip-recursive-")
        wf = await wait_done(client, name)
        status = wf["status"]
        assert status["phase"] == "Succeeded"
        assert status["startedAt"] and status["finishedAt"]
        heads = [n for n in status["nodes"].values() if n["displayName"] == "heads" and n["type"] == "Pod"]
        assert len(heads) == 1 and heads[0]["phase"] == "Succeeded"
        log = await asyncio.to_thread(ctl.log_path("default", name, heads[0]["id"]).read_text)
        assert log == "it was heads\n"
        flips = [n for n in status["nodes"].values() if n["displayName"] == "flip-coin"]
        assert [f["outputs"]["result"] for f in flips].count("heads") == 1
        assert all(f["outputs"]["result"] in ("heads", "tails") for f in flips)


async def test_three_step_workflow_fan_out(tmp_path: Path) -> None:
    client = MemoryClient()
    async with Controller(client, tmp_path):
        wf = await client.create(
            {
                "apiVersion": "argoproj.io/v1alpha1",
                "kind": "Workflow",
                "metadata": {"name": "three"},
                "spec": {
                    "entrypoint": "main",
                    "templates": [
                        {
                            "name": "main",
                            "steps": [
                                [{"name": "s1", "template": "echo"}],
                                [{"name": "s2a", "template": "echo"}, {"name": "s2b", "template": "echo"}],
                            ],
                        },
                        {"name": "echo", "container": {"image": "alpine", "command": ["echo", "hi"]}},
                    ],
                },
            }
        )
        done = await wait_done(client, wf["metadata"]["name"])
    assert done["status"]["phase"] == "Succeeded" and done["status"]["progress"] == "3/3"


async def test_restart_handles_lost_pods_like_deleted_pods(tmp_path: Path) -> None:
    client = MemoryClient()
    spec = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"name": "lost"},
        "spec": {
            "entrypoint": "main",
            "templates": [
                {
                    "name": "main",
                    "retryStrategy": {"limit": 2, "retryPolicy": "Always"},
                    "container": {"image": "alpine", "command": ["sh", "-c", "sleep 0.3; echo done"]},
                }
            ],
        },
    }
    async with Controller(client, tmp_path):
        await client.create(spec)
        for _ in range(100):
            wf = await client.get("Workflow", "lost")
            if any(n["type"] == "Pod" for n in (wf.get("status") or {}).get("nodes", {}).values()):
                break
            await asyncio.sleep(0.02)
    # The first controller is gone with its pods; a new one must resume the workflow.
    async with Controller(client, tmp_path / "second"):
        done = await wait_done(client, "lost")
    nodes = {n["name"]: n for n in done["status"]["nodes"].values()}
    assert nodes["lost(0)"]["phase"] == "Error" and nodes["lost(0)"]["message"] == "pod deleted"
    assert nodes["lost(1)"]["phase"] == "Succeeded"
    assert done["status"]["phase"] == "Succeeded"


class FlakyStatusClient(MemoryClient):
    """A MemoryClient whose status writes fail while ``down`` is set, like an API that is restarting."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False
        self.refused = 0

    async def update_status(self, obj: Obj) -> Obj:
        if self.down:
            self.refused += 1
            raise Unavailable("cannot reach the API (connection refused)")
        return await super().update_status(obj)


async def test_reconcile_that_failed_while_the_api_was_down_is_retried(tmp_path: Path) -> None:
    client = FlakyStatusClient()
    spec = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"name": "outage"},
        "spec": {
            "entrypoint": "main",
            "templates": [{"name": "main", "container": {"image": "alpine", "command": ["sh", "-c", "sleep 0.3"]}}],
        },
    }
    async with Controller(client, tmp_path):
        await client.create(spec)
        for _ in range(200):
            wf = await client.get("Workflow", "outage")
            if any(n["type"] == "Pod" for n in (wf.get("status") or {}).get("nodes", {}).values()):
                break
            await asyncio.sleep(0.01)
        client.down = True  # the pod ends while its status cannot be written
        for _ in range(300):
            if client.refused:
                break
            await asyncio.sleep(0.01)
        assert client.refused, "the finished pod never led to a status write"
        await asyncio.sleep(0.5)
        client.down = False
        done = await wait_done(client, "outage", timeout=10)
    assert done["status"]["phase"] == "Succeeded"


async def test_controller_shutdown_is_idempotent(tmp_path: Path) -> None:
    ctl = Controller(MemoryClient(), tmp_path)
    async with ctl:
        await asyncio.sleep(0)
    await ctl.shutdown()


async def test_memory_client_versions_conflicts_and_generate_name() -> None:
    client = MemoryClient()
    a = await client.create({"kind": "Workflow", "metadata": {"generateName": "x-"}, "spec": {}})
    assert a["metadata"]["name"].startswith("x-") and len(a["metadata"]["name"]) == 7
    b = await client.update_status({**a, "status": {"phase": "Running"}})
    assert int(b["metadata"]["resourceVersion"]) > int(a["metadata"]["resourceVersion"])
    with pytest.raises(Conflict):
        await client.update_status({**a, "status": {"phase": "Failed"}})
    c = await client.update({**b, "spec": {"suspend": True}, "status": {"phase": "ignored"}})
    assert c["status"] == {"phase": "Running"} and c["spec"] == {"suspend": True}
