"""http and resource templates, run by the controller itself (no pod), end to end."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import web
from test_controller import wait_done

from pinnace.resources.memory import MemoryClient
from workflows.agents.selectors import parse
from workflows.controller import Controller


@pytest.fixture
async def server() -> AsyncIterator[str]:
    seen: list[dict[str, Any]] = []

    async def echo(request: web.Request) -> web.Response:
        seen.append({"auth": request.headers.get("Authorization"), "body": await request.text()})
        return web.json_response({"method": request.method, "auth": request.headers.get("Authorization")})

    async def missing(_: web.Request) -> web.Response:
        return web.Response(status=404, text="nope")

    async def slow(_: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.Response(text="late")

    app = web.Application()
    app.router.add_route("*", "/echo", echo)
    app.router.add_route("*", "/missing", missing)
    app.router.add_get("/slow", slow)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


def _wf(name: str, text: str) -> dict[str, Any]:
    wf = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"name": name}}
    wf["spec"] = yaml.safe_load(text)
    return wf


async def test_http_templates_success_failure_and_secret_header(tmp_path: Path, server: str) -> None:
    client = MemoryClient()
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "tok"}}
    secret["data"] = {"token": base64.b64encode(b"Bearer s3cret").decode()}
    await client.create(secret)
    spec = f"""
entrypoint: main
templates:
  - name: main
    steps:
      - - {{name: good, template: call, arguments: {{parameters: [{{name: url, value: "{server}/echo"}}]}}}}
        - name: bad
          template: call
          continueOn: {{failed: true}}
          arguments: {{parameters: [{{name: url, value: "{server}/missing"}}]}}
        - name: cond
          template: cond
          continueOn: {{failed: true}}
      - - name: use
          template: show
          arguments: {{parameters: [{{name: m, value: "{{{{steps.good.outputs.result}}}}"}}]}}
  - name: call
    inputs: {{parameters: [{{name: url}}]}}
    http:
      url: "{{{{inputs.parameters.url}}}}"
      method: POST
      body: hello
      headers: [{{name: Authorization, valueFrom: {{secretKeyRef: {{name: tok, key: token}}}}}}]
  - name: cond
    http:
      url: "{server}/echo"
      successCondition: "response.statusCode == 201"
  - name: show
    inputs: {{parameters: [{{name: m}}]}}
    container: {{image: alpine, command: [echo, "{{{{inputs.parameters.m}}}}"]}}
"""
    async with Controller(client, tmp_path):
        await client.create(_wf("web", spec))
        wf = await wait_done(client, "web")
    nodes = {n["displayName"]: n for n in wf["status"]["nodes"].values()}
    assert wf["status"]["phase"] == "Succeeded"
    assert nodes["good"]["type"] == "HTTP" and nodes["good"]["phase"] == "Succeeded"
    assert '"auth": "Bearer s3cret"' in nodes["good"]["outputs"]["result"]
    assert nodes["bad"]["phase"] == "Failed"
    assert nodes["bad"]["message"] == "received non-2xx response code: 404"
    assert nodes["cond"]["phase"] == "Failed"
    assert nodes["cond"]["message"] == "successCondition 'response.statusCode == 201' evaluated false"
    assert nodes["use"]["phase"] == "Succeeded"


async def test_resource_create_waits_for_condition_and_reads_outputs(tmp_path: Path) -> None:
    client = MemoryClient()
    spec = """
entrypoint: main
templates:
  - name: main
    steps:
      - - {name: make, template: make}
      - - {name: fails, template: watch-fail, continueOn: {failed: true}}
      - - {name: drop, template: drop}
  - name: make
    resource:
      action: create
      manifest: |
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: made, labels: {app: x}}
        data: {phase: Done, count: "3"}
      successCondition: data.phase == Done, data.count > 2
    outputs:
      parameters:
        - {name: name, valueFrom: {jsonPath: "{.metadata.name}"}}
        - {name: app, valueFrom: {jqFilter: ".metadata.labels.app"}}
  - name: watch-fail
    resource:
      action: get
      manifest: |
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: made}
      failureCondition: data.phase in (Done, Broken)
  - name: drop
    resource:
      action: delete
      manifest: |
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: made}
"""
    async with Controller(client, tmp_path):
        await client.create(_wf("res", spec))
        wf = await wait_done(client, "res")
    nodes = {n["displayName"]: n for n in wf["status"]["nodes"].values()}
    assert wf["status"]["phase"] == "Succeeded", wf["status"].get("message")
    make = nodes["make"]
    assert make["type"] == "Pod" and make["phase"] == "Succeeded"
    assert {p["name"]: p["value"] for p in make["outputs"]["parameters"]} == {"name": "made", "app": "x\n"}
    fails = nodes["fails"]
    assert fails["phase"] == "Failed"
    assert (
        fails["message"] == "main: Error (exit code 1): failure condition 'data.phase in (Broken,Done)' evaluated true"
    )
    assert nodes["drop"]["phase"] == "Succeeded"
    assert await client.list("ConfigMap") == []


def test_selector_requirements_render_and_match_like_kubernetes() -> None:
    reqs = parse("status.phase in (Failed, Error), status.succeeded > 2, !status.oops")
    assert [str(r) for r in reqs] == ["status.phase in (Error,Failed)", "status.succeeded>2", "!status.oops"]
    obj = {"status": {"phase": "Error", "succeeded": 3}}
    assert all(r.matches(obj) for r in reqs)
    assert not parse("status.succeeded < 3")[0].matches(obj)
    assert parse("status.missing != x")[0].matches(obj)


async def test_http_timeout_fails_with_go_wording(tmp_path: Path, server: str) -> None:
    from workflows.agents.http import run_http

    tmpl = {"http": {"url": f"{server}/slow", "timeoutSeconds": 1}}
    phase, message, result = await run_http(tmpl, MemoryClient(), "default")
    assert (phase, result) == ("Failed", "")
    assert message == f'Get "{server}/slow": context deadline exceeded'
