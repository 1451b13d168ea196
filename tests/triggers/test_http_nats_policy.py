"""http (real aiohttp server on loopback), nats (real nats-server), retry/rate-limit/policy helpers."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import nats
import pytest
import pytest_asyncio
from aiohttp import web

from bus.testing import nats_server, nats_url  # noqa: F401
from pinnace.resources.memory import MemoryClient
from sensors.testing import event
from triggers.base import Firing, Services, TriggerError, TriggerSpec
from triggers.http import HttpTrigger, Response
from triggers.nats import NatsTrigger
from triggers.policy import Backoff, RateLimiter, check_status, with_retries


@pytest_asyncio.fixture
async def server() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    seen: list[dict[str, Any]] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append({"method": request.method, "path": request.path, "headers": dict(request.headers),
                     "body": await request.read()})
        if request.path == "/slow":
            await asyncio.sleep(1.5)
        status = int(request.query.get("status", "200"))
        return web.Response(status=status, text="ok")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}", seen
    await runner.cleanup()


def firing(data: Any) -> Firing:
    return Firing("s", "default", "t", {"dep": event(data, id="e1")}, True)


async def run(trigger: Any, f: Firing) -> Any:
    result = await trigger.execute(trigger.apply_parameters(await trigger.fetch(), f.events), f)
    await trigger.apply_policy(result)
    return result


async def test_http_payload_headers_secure_headers_and_basic_auth(server: tuple[str, list[dict[str, Any]]]) -> None:
    url, seen = server
    client = MemoryClient()
    await client.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "tok"},
                         "data": {"t": base64.b64encode(b"s3cret").decode(), "u": base64.b64encode(b"bob").decode()}})
    body = {
        "url": f"{url}/hook", "method": "PUT", "headers": {"X-Static": "1"},
        "secureHeaders": [{"name": "Authorization", "valueFrom": {"secretKeyRef": {"name": "tok", "key": "t"}}}],
        "payload": [{"src": {"dependencyName": "dep", "dataKey": "body.id"}, "dest": "id"},
                    {"src": {"dependencyName": "dep", "dataKey": "body.n", "useRawData": True}, "dest": "n"}],
    }
    services = Services(client=client)
    result = await run(HttpTrigger(TriggerSpec("t", "http", body, None, "http"), services), firing({"body": {"id": "a",
                                                                                                             "n": 3}}))
    await services.close()
    assert isinstance(result, Response) and result.status == 200
    assert seen[0]["method"] == "PUT" and seen[0]["path"] == "/hook"
    assert json.loads(seen[0]["body"]) == {"id": "a", "n": 3}
    assert seen[0]["headers"]["X-Static"] == "1" and seen[0]["headers"]["Authorization"] == "s3cret"

    auth = {"url": f"{url}/a", "basicAuth": {"username": {"name": "tok", "key": "u"},
                                             "password": {"name": "tok", "key": "t"}}}
    services = Services(client=client)
    await run(HttpTrigger(TriggerSpec("t2", "http", auth, None, "http"), services), firing({}))
    await services.close()
    assert seen[1]["method"] == "POST"
    assert seen[1]["headers"]["Authorization"] == "Basic " + base64.b64encode(b"bob:s3cret").decode()


async def test_http_url_from_parameters_and_status_policy(server: tuple[str, list[dict[str, Any]]]) -> None:
    url, seen = server
    body = {"url": "replaced", "parameters": [
        {"src": {"dependencyName": "dep", "dataTemplate": url + "/x?status={{ .Input.body.code }}"}, "dest": "url"}]}
    services = Services()
    trig = HttpTrigger(TriggerSpec("t", "http", body, {"status": {"allow": [200, 201]}}, "http"), services)
    await run(trig, firing({"body": {"code": 201}}))
    with pytest.raises(TriggerError, match="status 500 is not allowed"):
        await run(trig, firing({"body": {"code": 500}}))
    # Without a policy any status is a success, as in Argo.
    plain = HttpTrigger(TriggerSpec("p", "http", body, None, "http"), services)
    assert (await run(plain, firing({"body": {"code": 500}}))).status == 500
    await services.close()
    assert len(seen) == 3


async def test_http_timeout_is_a_clear_retryable_error(server: tuple[str, list[dict[str, Any]]]) -> None:
    url, _ = server
    services = Services()
    trig = HttpTrigger(TriggerSpec("t", "http", {"url": f"{url}/slow", "timeout": 1}, None, "spec.http"), services)
    start = time.monotonic()
    with pytest.raises(TriggerError, match=r"timed out after 1s \(spec.http.timeout\)") as info:
        await run(trig, firing({}))
    await services.close()
    assert info.value.retryable and time.monotonic() - start < 3


async def test_http_unreachable_target(server: tuple[str, list[dict[str, Any]]]) -> None:
    services = Services()
    trig = HttpTrigger(TriggerSpec("t", "http", {"url": "http://127.0.0.1:1/x"}, None, "http"), services)
    with pytest.raises(TriggerError, match="failed"):
        await run(trig, firing({}))
    await services.close()


async def test_nats_trigger_publishes_payload(nats_url: str) -> None:  # noqa: F811
    nc = await nats.connect(nats_url)
    sub = await nc.subscribe("pinnace.test.out")
    body = {"serverURL": nats_url, "subject": "pinnace.test.out",
            "payload": [{"src": {"dependencyName": "dep", "dataKey": "body.msg"}, "dest": "msg"}]}
    services = Services()
    await run(NatsTrigger(TriggerSpec("t", "nats", body, None, "nats"), services), firing({"body": {"msg": "hey"}}))
    msg = await sub.next_msg(timeout=2)
    assert json.loads(msg.data) == {"msg": "hey"}
    await services.close()
    await nc.close()


async def test_retry_strategy_steps_and_final_error() -> None:
    calls: list[float] = []

    async def flaky() -> str:
        calls.append(time.monotonic())
        if len(calls) < 3:
            raise TriggerError("not yet")
        return "ok"

    backoff = Backoff.from_wire({"steps": 3, "duration": "20ms", "factor": 2, "jitter": 0}, "retryStrategy")
    assert await with_retries(backoff, flaky) == "ok"
    assert len(calls) == 3
    assert calls[2] - calls[1] >= 0.035  # the second sleep doubled (factor 2)

    async def never() -> None:
        raise TriggerError("nope")

    with pytest.raises(TriggerError, match="nope"):
        await with_retries(Backoff.from_wire({"steps": 2, "duration": "1ms"}, "r"), never)

    async def fatal() -> None:
        calls.append(0)
        raise TriggerError("bad spec", retryable=False)

    before = len(calls)
    with pytest.raises(TriggerError):
        await with_retries(Backoff(steps=5, duration=0.001), fatal)
    assert len(calls) == before + 1


def test_backoff_parsing() -> None:
    assert Backoff.from_wire({"duration": 1_000_000_000}, "r").duration == 1.0  # integers are nanoseconds
    assert Backoff.from_wire({}, "r").steps == 5
    with pytest.raises(ValueError, match=r"r\.duration"):
        Backoff.from_wire({"duration": "soon"}, "r")


async def test_rate_limit_spaces_calls() -> None:
    limiter = RateLimiter(20, "Second")
    start = time.monotonic()
    for _ in range(5):
        await limiter.take()
    assert time.monotonic() - start >= 0.19
    with pytest.raises(ValueError, match="unit"):
        RateLimiter(1, "Day")


def test_status_policy() -> None:
    check_status(404, None)
    check_status(201, [200, 201])
    with pytest.raises(TriggerError):
        check_status(500, [200])
