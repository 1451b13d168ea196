"""Webhook source over real HTTP on loopback into a real JetStream stream."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import aiohttp
import pytest

from bus.jetstream import JetStreamBus
from bus.memory import MemoryBus
from eventsources.loading import EventSourceLoadError
from eventsources.runner import EventSourceRunner
from eventsources.secrets import SecretResolver
from eventsources.testing import event_source, free_port, read_events
from eventsources.webhook.auth import MASKED_AUTH


def webhook_spec(port: int, **extra: Any) -> dict[str, Any]:
    return {"webhook": {"example": {"port": str(port), "endpoint": "/example", "method": "POST", **extra}}}


async def test_post_becomes_cloudevent_with_argo_payload(jetstream_bus: JetStreamBus) -> None:
    port = free_port()
    res = event_source("hooks", webhook_spec(port, metadata={"team": "a"}))
    async with EventSourceRunner(res, jetstream_bus) as runner:
        await runner.wait_ready()
        async with aiohttp.ClientSession() as http:
            resp = await http.post(
                f"http://127.0.0.1:{port}/example",
                json={"message": "hello"},
                headers={"X-Custom": "v1", "Authorization": "Bearer nope"},
            )
            assert resp.status == 200
            assert await resp.text() == "success"
    [event] = await read_events(jetstream_bus, "hooks", 1)
    assert event.source == "hooks"
    assert event.type == "webhook"
    assert event.subject == "example"
    assert event.datacontenttype == "application/json"
    assert event.data["body"] == {"message": "hello"}
    assert event.data["metadata"] == {"team": "a"}
    assert event.data["header"]["X-Custom"] == ["v1"]
    assert event.data["header"]["Content-Type"] == ["application/json"]
    assert event.data["header"]["Authorization"] == [MASKED_AUTH]
    assert "Host" not in event.data["header"]


async def test_get_query_and_form_bodies(memory_bus: MemoryBus) -> None:
    port = free_port()
    spec = {
        "webhook": {
            "q": {"port": str(port), "endpoint": "/q", "method": "GET"},
            "f": {"port": str(port), "endpoint": "/f", "method": "POST"},
        }
    }
    async with EventSourceRunner(event_source("multi", spec), memory_bus) as runner:
        await runner.wait_ready()
        async with aiohttp.ClientSession() as http:
            assert (await http.get(f"http://127.0.0.1:{port}/q?a=1&a=2&b=")).status == 200
            assert (await http.post(f"http://127.0.0.1:{port}/f", data={"x": "y"})).status == 200
    events = {e.subject: e for e in await read_events(memory_bus, "multi", 2)}
    assert events["q"].data["body"] == {"a": ["1", "2"], "b": [""]}
    assert events["f"].data["body"] == {"x": ["y"]}


async def test_status_codes(memory_bus: MemoryBus) -> None:
    port = free_port()
    env = {"PINNACE_SECRET_HOOK_TOKEN": "s3cret\n"}
    res = event_source("codes", webhook_spec(port, authSecret={"name": "hook", "key": "token"}, maxPayloadSize=100))
    runner = EventSourceRunner(res, memory_bus, secrets=SecretResolver(env=env))
    async with runner:
        await runner.wait_ready()
        url = f"http://127.0.0.1:{port}/example"
        ok = {"Authorization": "Bearer s3cret"}
        async with aiohttp.ClientSession() as http:
            assert (await http.put(url, json={}, headers=ok)).status == 405
            assert (await http.post(url, json={})).status == 401
            assert (await http.post(url, json={}, headers={"Authorization": "Bearer wrong"})).status == 401
            assert (await http.post(url, data=b"x" * 101, headers=ok)).status == 413
            assert (await http.post(url, data=b"{not json", headers=ok)).status == 400
            assert (await http.post(url, data=b"", headers=ok)).status == 400
            assert (await http.post(f"http://127.0.0.1:{port}/other", json={}, headers=ok)).status == 404
            health = await http.get(f"http://127.0.0.1:{port}/health")
            assert health.status == 200 and await health.text() == "OK"
            assert (await http.post(url, json={"n": 1}, headers=ok)).status == 200
            metrics = await (await http.get(f"http://127.0.0.1:{port}/metrics")).text()
    assert len(memory_bus.messages) == 1
    sent = 'argo_events_events_sent_total{namespace="default",eventsource_name="codes",event_name="example"} 1'
    assert sent in metrics
    assert "argo_events_events_processing_failed_total" in metrics


async def test_503_with_retry_after_when_bus_down_and_nothing_lost(memory_bus: MemoryBus) -> None:
    port = free_port()
    async with EventSourceRunner(event_source("down", webhook_spec(port)), memory_bus) as runner:
        await runner.wait_ready()
        url = f"http://127.0.0.1:{port}/example"
        async with aiohttp.ClientSession() as http:
            memory_bus.available = False
            resp = await http.post(url, json={"n": 1})
            assert resp.status == 503
            assert int(resp.headers["Retry-After"]) >= 1
            memory_bus.available = True
            assert (await http.post(url, json={"n": 2})).status == 200
    assert [m.event.data["body"] for m in memory_bus.messages] == [{"n": 2}]


async def test_idempotency_key_becomes_event_id_and_dedups(jetstream_bus: JetStreamBus) -> None:
    port = free_port()
    async with EventSourceRunner(event_source("idem", webhook_spec(port)), jetstream_bus) as runner:
        await runner.wait_ready()
        url = f"http://127.0.0.1:{port}/example"
        async with aiohttp.ClientSession() as http:
            for header in ("X-Idempotency-Key", "Idempotency-Key", "X-Idempotency-Key"):
                resp = await http.post(url, json={"order": 7}, headers={header: "order-7"})
                assert resp.status == 200
            assert (await http.post(url, json={}, headers={"Idempotency-Key": "has space"})).status == 400
    events = await read_events(jetstream_bus, "idem", 1, settle=0.3)
    assert [e.id for e in events] == ["order-7"]


async def test_every_200_is_stored_under_concurrency(jetstream_bus: JetStreamBus) -> None:
    port = free_port()
    async with EventSourceRunner(event_source("load", webhook_spec(port)), jetstream_bus) as runner:
        await runner.wait_ready()
        url = f"http://127.0.0.1:{port}/example"
        async with aiohttp.ClientSession() as http:

            async def send(i: int) -> int:
                async with http.post(url, json={"i": i}) as r:
                    return r.status

            statuses = await asyncio.gather(*(send(i) for i in range(200)))
    assert statuses == [200] * 200
    events = await read_events(jetstream_bus, "load", 200)
    assert sorted(e.data["body"]["i"] for e in events) == list(range(200))


async def test_bad_spec_fails_at_load_with_field_path(memory_bus: MemoryBus) -> None:
    res = event_source("bad", {"webhook": {"example": {"port": "12000", "endpoint": "nope", "method": "POST"}}})
    with pytest.raises(EventSourceLoadError) as info:
        EventSourceRunner(res, memory_bus)
    assert "spec.webhook.example.endpoint" in str(info.value)


async def test_missing_auth_secret_is_reported_and_retried(memory_bus: MemoryBus) -> None:
    port = free_port()
    env: dict[str, str] = {}
    res = event_source("late", webhook_spec(port, authSecret={"name": "late", "key": "token"}))
    async with EventSourceRunner(res, memory_bus, secrets=SecretResolver(env=env)) as runner:
        with pytest.raises(TimeoutError):
            await runner.wait_ready(0.3)
        env["PINNACE_SECRET_LATE_TOKEN"] = "t"
        await runner.wait_ready(5)
        async with aiohttp.ClientSession() as http:
            resp = await http.post(f"http://127.0.0.1:{port}/example", json={}, headers={"Authorization": "Bearer t"})
            assert resp.status == 200


def test_secret_from_api_is_base64_decoded() -> None:
    class Client:
        async def get(self, kind: str, name: str, namespace: str | None = "default") -> dict[str, Any]:
            assert (kind, name, namespace) == ("Secret", "s", "ns")
            return {"data": {"k": base64.b64encode(b"value").decode()}}

    resolver = SecretResolver(Client(), "ns", env={})  # type: ignore[arg-type]
    assert asyncio.run(resolver.get({"name": "s", "key": "k"}, "spec.x")) == "value"
    assert json.dumps(1)  # keep json import used for readability of payload asserts
