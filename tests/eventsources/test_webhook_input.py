"""Hostile and odd webhook input: slow clients, huge headers, signatures, and a fuzz that must never 500."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bus.memory import MemoryBus
from bus.testing import test_stream
from eventsources.emitter import EventEmitter
from eventsources.metrics import EventSourceMetrics
from eventsources.webhook.auth import SignatureCheck, sign
from eventsources.webhook.route import Route
from eventsources.webhook.server import WebhookPool


@pytest_asyncio.fixture
async def hook() -> AsyncIterator[tuple[str, MemoryBus, WebhookPool]]:
    bus = MemoryBus(test_stream())
    emitter = EventEmitter(bus, "fuzz")
    emitter.bind("ev", "webhook")
    pool = WebhookPool()
    route = Route("fuzz", "ev", "/hook", "POST", emitter, EventSourceMetrics(), max_payload=4096, read_timeout=0.5)
    server = await pool.add(0, route)
    yield f"http://127.0.0.1:{server.port}", bus, pool
    await pool.close()


async def raw_exchange(port: int, payload: bytes, pause: float = 0.0, tail: bytes = b"") -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(payload)
    await writer.drain()
    if pause:
        await asyncio.sleep(pause)
        writer.write(tail)
    try:
        async with asyncio.timeout(5):
            return await reader.read(4096)
    finally:
        writer.close()


async def test_slow_body_gets_408_and_others_are_served(hook: tuple[str, MemoryBus, WebhookPool]) -> None:
    url, bus, pool = hook
    port = next(iter(pool.servers.values())).port
    head = b"POST /hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{"
    slow = asyncio.create_task(raw_exchange(port, head))
    async with aiohttp.ClientSession() as http:
        assert (await http.post(f"{url}/hook", json={"fast": True})).status == 200
    answer = await slow
    assert answer.startswith(b"HTTP/1.1 408")
    assert len(bus.messages) == 1


async def test_huge_header_is_refused_not_crashed(hook: tuple[str, MemoryBus, WebhookPool]) -> None:
    url, _bus, pool = hook
    port = next(iter(pool.servers.values())).port
    big = b"X-Big: " + b"a" * 70_000 + b"\r\n"
    answer = await raw_exchange(port, b"POST /hook HTTP/1.1\r\nHost: x\r\n" + big + b"Content-Length: 2\r\n\r\n{}")
    assert answer.split(b" ")[1] in (b"400", b"431")
    async with aiohttp.ClientSession() as http:
        assert (await http.post(f"{url}/hook", json={})).status == 200


@pytest.mark.parametrize("provider", ["github", "gitlab", "generic"])
async def test_signature_verification(provider: str, hook: tuple[str, MemoryBus, WebhookPool]) -> None:
    url, bus, pool = hook
    route = next(iter(pool.servers.values())).routes["/hook"]
    route.signature = SignatureCheck(provider, "topsecret", header="X-Sig")
    body = b'{"ref": "main"}'
    good = {
        "github": {"X-Hub-Signature-256": sign("sha256", "topsecret", body)},
        "gitlab": {"X-Gitlab-Token": "topsecret"},
        "generic": {"X-Sig": sign("sha256", "topsecret", body)},
    }[provider]
    bad = {k: v[:-1] + ("0" if v[-1] != "0" else "1") for k, v in good.items()}
    async with aiohttp.ClientSession() as http:
        assert (await http.post(f"{url}/hook", data=body, headers=good)).status == 200
        assert (await http.post(f"{url}/hook", data=body, headers=bad)).status == 401
        assert (await http.post(f"{url}/hook", data=body)).status == 401
    assert len(bus.messages) == 1


_header_names = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters=":"), min_size=1, max_size=20
)
_header_values = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.one_of(st.binary(max_size=600), st.text(max_size=300).map(str.encode)),
    headers=st.dictionaries(_header_names, _header_values, max_size=5),
    method=st.sampled_from(["POST", "GET", "PUT"]),
)
def test_fuzz_never_500(body: bytes, headers: dict[str, str], method: str) -> None:
    async def scenario() -> None:
        bus = MemoryBus(test_stream())
        emitter = EventEmitter(bus, "fuzz")
        emitter.bind("ev", "webhook")
        pool = WebhookPool()
        route = Route("fuzz", "ev", "/hook", "POST", emitter, EventSourceMetrics(), max_payload=512)
        server = await pool.add(0, route)
        try:
            async with aiohttp.ClientSession() as http:
                safe = {
                    k: v for k, v in headers.items() if k.lower() not in ("content-length", "transfer-encoding", "host")
                }
                resp = await http.request(method, f"http://127.0.0.1:{server.port}/hook", data=body, headers=safe)
                assert resp.status < 500, (resp.status, await resp.text())
                if resp.status == 200:
                    assert len(bus.messages) == 1
                health = await http.get(f"http://127.0.0.1:{server.port}/health")
                assert health.status == 200
        finally:
            await pool.close()

    asyncio.run(scenario())
