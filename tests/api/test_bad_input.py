"""Bad requests get Kubernetes ``Status`` answers with the right code and reason."""

from __future__ import annotations

import ssl
from typing import Any

import aiohttp
import pytest

from pinnace.api.tls import ensure_certificate
from tests.api.conftest import WORKFLOW, RunningApi

WF_URL = "/apis/argoproj.io/v1alpha1/namespaces/default/workflows"
CM_URL = "/api/v1/namespaces/default/configmaps"


def _ssl(api: RunningApi) -> ssl.SSLContext:
    return ssl.create_default_context(cadata=ensure_certificate(api.data_dir).pem.decode())


async def call(api: RunningApi, method: str, path: str, *, data: bytes | None = None, token: str | None = "ok",
               content_type: str = "application/json") -> tuple[int, Any]:
    headers = {"Content-Type": content_type}
    if token == "ok":
        headers["Authorization"] = f"Bearer {api.token}"
    elif token is not None:
        headers["Authorization"] = f"Bearer {token}"
    async with aiohttp.ClientSession() as s, s.request(method, api.url + path, data=data, headers=headers,
                                                       ssl=_ssl(api)) as resp:
        return resp.status, await resp.json(content_type=None)


def assert_status(body: Any, code: int, reason: str) -> None:
    assert body["kind"] == "Status" and body["status"] == "Failure"
    assert body["code"] == code and body["reason"] == reason, body


async def test_malformed_json_is_400(api: RunningApi) -> None:
    code, body = await call(api, "POST", WF_URL, data=b'{"kind": "Workflow", ')
    assert code == 400
    assert_status(body, 400, "BadRequest")
    assert "not valid JSON" in body["message"]


async def test_wrong_kind_for_url_is_400(api: RunningApi) -> None:
    import json

    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}
    code, body = await call(api, "POST", WF_URL, data=json.dumps(cm).encode())
    assert code == 400
    assert_status(body, 400, "BadRequest")
    assert "workflows" in body["message"]


async def test_invalid_spec_is_422_with_field_causes(api: RunningApi) -> None:
    import json

    bad = json.loads(json.dumps(WORKFLOW))
    bad["spec"]["entrypoint"] = 7
    bad["spec"]["templates"][0]["contianer"] = bad["spec"]["templates"][0].pop("container")
    code, body = await call(api, "POST", WF_URL, data=json.dumps(bad).encode())
    assert code == 422
    assert_status(body, 422, "Invalid")
    fields = {c["field"] for c in body["details"]["causes"]}
    assert "spec.templates[0].contianer" in fields
    assert body["details"]["kind"] == "workflows" and body["details"]["group"] == "argoproj.io"

    bad_cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "Not_A_Name", "labels": {"a": "b c"}}}
    code, body = await call(api, "POST", CM_URL, data=json.dumps(bad_cm).encode())
    assert code == 422
    fields = {c["field"] for c in body["details"]["causes"]}
    assert fields == {"metadata.name", "metadata.labels.a"}


async def test_oversized_body_is_413(tmp_path: Any) -> None:
    from tests.api.conftest import start_api

    running, stop, thread = start_api(tmp_path / "small", max_body=4096)
    try:
        big = b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"k":"' + b"x" * 8000 + b'"}}'
        code, body = await call(running, "POST", CM_URL, data=big)
        assert code == 413
        assert_status(body, 413, "RequestEntityTooLarge")
        code, _ = await call(running, "POST", CM_URL, data=b'{"metadata":{"name":"small"}}')
        assert code == 201
    finally:
        stop.set()
        thread.join(30)


async def test_workflows_beyond_the_active_bound_are_429_with_retry_after(tmp_path: Any) -> None:
    from pinnace.apiclient import HttpClient, resolve_connection
    from pinnace.resources.errors import TooManyRequests
    from tests.api.conftest import start_api

    running, stop, thread = start_api(tmp_path / "bounded", max_active_workflows=2)
    try:
        async with HttpClient(resolve_connection(data_dir=str(running.data_dir))) as client:
            first = await client.create({**WORKFLOW, "metadata": {"name": "one"}})
            await client.create({**WORKFLOW, "metadata": {"name": "two"}})
            with pytest.raises(TooManyRequests, match="2 workflows are unfinished"):
                await client.create({**WORKFLOW, "metadata": {"name": "three"}})
            await client.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "not-bounded"}})
            headers = {"Authorization": f"Bearer {running.token}", "Content-Type": "application/json"}
            body = b'{"apiVersion":"argoproj.io/v1alpha1","kind":"Workflow","metadata":{"name":"three"},"spec":{}}'
            async with aiohttp.ClientSession() as s, s.post(running.url + WF_URL, data=body, headers=headers,
                                                            ssl=_ssl(running)) as resp:
                assert resp.status == 429 and int(resp.headers["Retry-After"]) >= 1
                assert_status(await resp.json(), 429, "TooManyRequests")
            # The controller's completed label frees a place, as does a delete.
            await client.patch("Workflow", "one", {"metadata": {"labels": {
                "workflows.argoproj.io/completed": "true"}}})
            await client.create({**WORKFLOW, "metadata": {"name": "three"}})
            await client.delete("Workflow", "two")
            await client.create({**WORKFLOW, "metadata": {"name": "four"}})
            with pytest.raises(TooManyRequests):
                await client.create({**WORKFLOW, "metadata": {"name": "five"}})
            assert first["metadata"]["name"] == "one"
    finally:
        stop.set()
        thread.join(30)


@pytest.mark.parametrize("token", [None, "wrong-token"])
async def test_missing_or_wrong_token_is_401(api: RunningApi, token: str | None) -> None:
    code, body = await call(api, "GET", CM_URL, token=token)
    assert code == 401
    assert_status(body, 401, "Unauthorized")
    code, body = await call(api, "GET", "/metrics", token=token)
    assert code == 401


async def test_probes_need_no_token(api: RunningApi) -> None:
    async with aiohttp.ClientSession() as s:
        for path in ("/healthz", "/readyz"):
            async with s.get(api.url + path, ssl=_ssl(api)) as resp:
                assert resp.status == 200


async def test_unknown_resource_and_method(api: RunningApi) -> None:
    code, body = await call(api, "GET", "/apis/argoproj.io/v1alpha1/namespaces/default/pods")
    assert code == 404 and body["reason"] == "NotFound"
    code, body = await call(api, "PUT", WF_URL, data=b"{}")
    assert code == 405 and body["reason"] == "MethodNotAllowed"


async def test_json_patch_and_unsupported_patch_type(api: RunningApi) -> None:
    import json

    await call(api, "POST", CM_URL, data=json.dumps({"metadata": {"name": "p"}, "data": {"a": "1"}}).encode())
    ops = [{"op": "add", "path": "/data/b", "value": "2"}, {"op": "remove", "path": "/data/a"}]
    code, body = await call(api, "PATCH", CM_URL + "/p", data=json.dumps(ops).encode(),
                            content_type="application/json-patch+json")
    assert code == 200 and body["data"] == {"b": "2"}
    code, body = await call(api, "PATCH", CM_URL + "/p", data=b'{"data":{"c":"3"}}',
                            content_type="application/strategic-merge-patch+json")
    assert code == 200 and body["data"] == {"b": "2", "c": "3"}
    code, body = await call(api, "PATCH", CM_URL + "/p", data=b"{}", content_type="application/apply-patch+yaml")
    assert code == 415
    ops = [{"op": "test", "path": "/data/b", "value": "nope"}]
    code, body = await call(api, "PATCH", CM_URL + "/p", data=json.dumps(ops).encode(),
                            content_type="application/json-patch+json")
    assert code == 422


async def test_metrics_count_requests_objects_and_watchers(api: RunningApi) -> None:
    import json

    await call(api, "POST", CM_URL, data=json.dumps({"metadata": {"name": "m"}}).encode())
    await call(api, "GET", CM_URL + "/missing")
    headers = {"Authorization": f"Bearer {api.token}"}
    async with aiohttp.ClientSession() as s, \
            s.get(api.url + CM_URL + "?watch=1", headers=headers, ssl=_ssl(api)) as w:
        await w.content.readline()  # the ADDED for "m": the watch is open
        async with s.get(api.url + "/metrics", headers=headers, ssl=_ssl(api)) as resp:
            text = await resp.text()
    assert 'pinnace_api_requests_total{verb="create",resource="configmaps",code="201"} 1' in text
    assert 'pinnace_api_requests_total{verb="get",resource="configmaps",code="404"} 1' in text
    assert 'pinnace_objects{kind="ConfigMap",phase=""} 1' in text
    assert "pinnace_api_watch_clients 1" in text
