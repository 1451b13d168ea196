"""Run Argo example Workflows through a real Controller (MemoryClient + local pods)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from conformance_examples import CORPUS

from pinnace.resources.memory import MemoryClient
from workflows.controller import Controller
from workflows.engine import resume, set_output_parameter

DONE = ("Succeeded", "Failed", "Error")
FIXTURES = [
    CORPUS / "configmaps" / "simple-parameters-configmap.yaml",
    CORPUS / "workflow-template" / "templates.yaml",
    CORPUS / "cluster-workflow-template" / "clustertemplates.yaml",
    CORPUS / "dag-inline-workflowtemplate.yaml",
    CORPUS / "dag-inline-clusterworkflowtemplate.yaml",
]


def load_workflow(path: Path) -> dict[str, Any]:
    for doc in yaml.safe_load_all(path.read_text()):
        if doc and doc.get("kind") == "Workflow":
            return dict(doc)
    raise ValueError(f"{path}: no Workflow document")


# The semaphore ConfigMap the synchronization examples describe in their header comments.
SEMAPHORES = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "my-config"},
    "data": {"workflow": "3", "template": "3"},
}


async def install_fixtures(client: MemoryClient) -> None:
    await client.create(SEMAPHORES)
    for path in FIXTURES:
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                cluster = doc.get("kind", "").startswith("Cluster")
                await client.create(doc, namespace=None if cluster else "default")


async def run_workflow(
    client: MemoryClient, wf: dict[str, Any], timeout: float, auto_resume: bool = False
) -> dict[str, Any]:
    """Create ``wf`` and wait until it finishes; resumes suspend nodes when asked."""
    events = client.watch("Workflow")
    created = await client.create(wf)
    name = created["metadata"]["name"]
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    try:
        while True:
            left = end - loop.time()
            if left <= 0:
                return await client.get("Workflow", name)
            try:
                event = await asyncio.wait_for(anext(events), left)
            except TimeoutError:
                return await client.get("Workflow", name)
            obj = event.object
            if obj["metadata"]["name"] != name:
                continue
            status = obj.get("status") or {}
            if status.get("phase") in DONE:
                return obj
            if auto_resume and _suspended(status):
                # What a user does by hand: ``argo node set`` for required supplied outputs, then resume.
                cur = await client.get("Workflow", name)
                for node in (cur.get("status") or {}).get("nodes", {}).values():
                    if node["type"] == "Suspend" and node["phase"] == "Running":
                        for p in _required_supplied(cur, node):
                            cur = set_output_parameter(cur, node["name"], p, "approved")
                await client.update_status(resume(cur, dt.datetime.now(dt.UTC)))
    finally:
        await events.aclose()  # type: ignore[attr-defined]


def _required_supplied(wf: dict[str, Any], node: dict[str, Any]) -> list[str]:
    tmpl = {t["name"]: t for t in wf["spec"].get("templates") or []}.get(node.get("templateName", ""), {})
    inputs = {p["name"] for p in (node.get("inputs") or {}).get("parameters") or []}
    return [
        p["name"]
        for p in (tmpl.get("outputs") or {}).get("parameters") or []
        if "supplied" in (p.get("valueFrom") or {}) and "default" not in p["valueFrom"] and p["name"] not in inputs
    ]


def _suspended(status: dict[str, Any]) -> bool:
    return any(n["type"] == "Suspend" and n["phase"] == "Running" for n in (status.get("nodes") or {}).values())


async def run_examples(paths: list[Path], data_dir: Path, timeout: float = 60.0) -> dict[Path, dict[str, Any]]:
    client = MemoryClient()
    await install_fixtures(client)
    async with Controller(client, data_dir):
        results = await asyncio.gather(
            *(run_workflow(client, load_workflow(p), timeout, auto_resume=True) for p in paths)
        )
    return dict(zip(paths, results, strict=True))
