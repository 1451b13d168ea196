"""SensorService against a real nats-server: firing, correlation across restarts, redelivery, bad input."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from bus.interface import ConsumerOptions
from bus.jetstream import JetStreamBus
from bus.settings import StreamSettings
from pinnace.resources.errors import TooManyRequests
from pinnace.resources.memory import MemoryClient
from sensors import runner
from sensors.metrics import SensorMetrics
from sensors.runner import SensorService
from sensors.testing import cloudevent, webhook_payload
from triggers.base import IDENTITY_LABEL

FAST = ConsumerOptions(ack_wait=1.0, batch=16)
WF = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"generateName": "wf-"},
      "spec": {"entrypoint": "main", "arguments": {"parameters": [{"name": "a", "value": ""},
                                                                  {"name": "b", "value": ""}]},
               "templates": [{"name": "main", "container": {"image": "alpine"}}]}}


def sensor(name: str, deps: list[dict[str, Any]], triggers: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Sensor", "metadata": {"name": name},
            "spec": {"dependencies": deps, "triggers": triggers}}


def dep(name: str, event: str, filters: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "eventSourceName": "webhook", "eventName": event}
    if filters:
        out["filters"] = filters
    return out


def wf_trigger(name: str = "wf", conditions: str | None = None, at_least_once: bool = True,
               parameters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    template: dict[str, Any] = {"name": name, "argoWorkflow": {"operation": "submit", "source": {"resource": WF},
                                                               "parameters": parameters or []}}
    if conditions:
        template["conditions"] = conditions
    return {"template": template, "atLeastOnce": at_least_once}


def param(dependency: str, key: str, index: int) -> dict[str, Any]:
    return {"src": {"dependencyName": dependency, "dataKey": key},
            "dest": f"spec.arguments.parameters.{index}.value"}


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


async def workflows(client: MemoryClient) -> list[dict[str, Any]]:
    return await client.list("Workflow")


async def count_is(client: MemoryClient, n: int) -> bool:
    return len(await workflows(client)) == n


async def reconnect(nats_url: str, bus: JetStreamBus) -> JetStreamBus:
    return await JetStreamBus.connect(nats_url, StreamSettings(name=bus.stream_name, replicas=1))


async def test_filtered_event_fires_one_parameterized_workflow(jetstream_bus: JetStreamBus) -> None:
    client = MemoryClient()
    spec = sensor("filtering", [dep("push", "example", {
        "data": [{"path": "body.action", "type": "string", "value": ["^opened$"]}],
        "jmespath": "length(body.commits) > `0`"})],
        [wf_trigger(parameters=[param("push", "body.action", 0), param("push", "body.commits.#", 1)])])
    async with SensorService(spec, jetstream_bus, client, consumer=FAST):
        await jetstream_bus.publish(cloudevent("webhook", "example", webhook_payload({"action": "closed",
                                                                                     "commits": [1]})))
        await jetstream_bus.publish(cloudevent("webhook", "example", webhook_payload({"action": "opened",
                                                                                     "commits": []})))
        await jetstream_bus.publish(cloudevent("webhook", "other", webhook_payload({"action": "opened",
                                                                                   "commits": [1, 2]})))
        await jetstream_bus.publish(cloudevent("webhook", "example", webhook_payload({"action": "opened",
                                                                                     "commits": [1, 2]})))
        await eventually(lambda: count_is(client, 1))
        await asyncio.sleep(0.2)
    [wf] = await workflows(client)
    assert [p["value"] for p in wf["spec"]["arguments"]["parameters"]] == ["opened", "2"]


async def test_half_satisfied_condition_survives_a_restart(jetstream_bus: JetStreamBus, nats_url: str) -> None:
    client = MemoryClient()
    spec = sensor("correlate", [dep("a", "ev-a"), dep("b", "ev-b")],
                  [wf_trigger(conditions="a && b", parameters=[param("a", "body.v", 0), param("b", "body.v", 1)])])
    first = SensorService(spec, jetstream_bus, client, consumer=FAST)
    async with first:
        await jetstream_bus.publish(cloudevent("webhook", "ev-a", webhook_payload({"v": "from-a"})))
        await eventually(lambda: _waiting(first, "wf", {"a"}))
    assert await workflows(client) == []
    bus2 = await reconnect(nats_url, jetstream_bus)
    try:
        async with SensorService(spec, bus2, client, consumer=FAST):
            await bus2.publish(cloudevent("webhook", "ev-b", webhook_payload({"v": "from-b"})))
            await eventually(lambda: count_is(client, 1))
            await asyncio.sleep(0.3)
    finally:
        await bus2.close()
    [wf] = await workflows(client)
    assert [p["value"] for p in wf["spec"]["arguments"]["parameters"]] == ["from-a", "from-b"]


async def _waiting(service: SensorService, trigger: str, expected: set[str]) -> bool:
    return await service._states[trigger].waiting() == expected


class Killed(BaseException):
    """Stands for the process dying: nothing after the raise runs, nothing is acked."""


class KillAfterCreate:
    def __init__(self, inner: MemoryClient) -> None:
        self.inner = inner
        self.armed = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def create(self, obj: dict[str, Any], namespace: str | None = "default") -> dict[str, Any]:
        created = await self.inner.create(obj, namespace)
        if self.armed:
            self.armed = False
            raise Killed
        return created


@pytest.mark.parametrize("conditions", [None, "a && b"])
async def test_redelivery_after_kill_before_ack_starts_no_second_workflow(
    jetstream_bus: JetStreamBus, nats_url: str, conditions: str | None
) -> None:
    client = MemoryClient()
    deps = [dep("a", "ev-a"), dep("b", "ev-b")] if conditions else [dep("a", "ev-a")]
    spec = sensor("redeliver", deps, [wf_trigger(conditions=conditions)])
    bus1 = await reconnect(nats_url, jetstream_bus)
    doomed = SensorService(spec, bus1, KillAfterCreate(client), consumer=FAST)  # type: ignore[arg-type]
    await doomed.start()
    if conditions:
        await jetstream_bus.publish(cloudevent("webhook", "ev-b", webhook_payload({})))
        await eventually(lambda: _waiting(doomed, "wf", {"b"}))
    await jetstream_bus.publish(cloudevent("webhook", "ev-a", webhook_payload({})))
    await eventually(lambda: count_is(client, 1))
    assert doomed._task is not None
    with pytest.raises(BaseException):  # noqa: B017 - the simulated death
        await doomed._task
    await bus1.close()  # the dead process's connection goes away; its delivery was never acked

    metrics = SensorMetrics()
    bus2 = await reconnect(nats_url, jetstream_bus)
    try:
        async with SensorService(spec, bus2, client, consumer=FAST, metrics=metrics):
            await eventually(lambda: _triggered(metrics), timeout=8)
    finally:
        await bus2.close()
    [wf] = await workflows(client)
    assert wf["metadata"]["labels"][IDENTITY_LABEL]


async def _triggered(metrics: SensorMetrics) -> bool:
    return sum(metrics.triggered.values.values()) >= 1


class BlockForever:
    def __init__(self, inner: MemoryClient) -> None:
        self.inner = inner
        self.entered = asyncio.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def create(self, obj: dict[str, Any], namespace: str | None = "default") -> dict[str, Any]:
        self.entered.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


async def test_at_most_once_acks_before_firing_so_a_crash_loses_the_firing(
    jetstream_bus: JetStreamBus, nats_url: str
) -> None:
    client = MemoryClient()
    spec = sensor("at-most-once", [dep("a", "ev-a")], [wf_trigger(at_least_once=False)])
    blocking = BlockForever(client)
    bus1 = await reconnect(nats_url, jetstream_bus)
    service = SensorService(spec, bus1, blocking, consumer=FAST)  # type: ignore[arg-type]
    await service.start()
    await jetstream_bus.publish(cloudevent("webhook", "ev-a", webhook_payload({})))
    await asyncio.wait_for(blocking.entered.wait(), 5)
    await service.stop(timeout=0.1)  # the trigger is still running: this is the crash
    await bus1.close()
    bus2 = await reconnect(nats_url, jetstream_bus)
    try:
        async with SensorService(spec, bus2, client, consumer=FAST):
            await asyncio.sleep(1.8)  # longer than ack_wait: an unacked event would be back by now
    finally:
        await bus2.close()
    assert await workflows(client) == []


async def test_bad_input_is_logged_and_the_sensor_keeps_running(
    jetstream_bus: JetStreamBus, caplog: pytest.LogCaptureFixture
) -> None:
    client = MemoryClient()
    deps = [
        dep("missing", "missing", {"data": [{"path": "body.nope", "type": "string", "value": ["x"]}]}),
        dep("mismatch", "mismatch", {"exprs": [{"expr": "n > 2", "fields": [{"name": "n", "path": "body.n"}]}]}),
        dep("tmpl", "tmpl"),
        dep("good", "good"),
    ]
    bad_param = {"src": {"dependencyName": "tmpl", "dataTemplate": "{{ .Input.body.x.y }}"},
                 "dest": "spec.arguments.parameters.0.value"}
    triggers = [
        wf_trigger("wf-missing", conditions="missing"), wf_trigger("wf-mismatch", conditions="mismatch"),
        wf_trigger("wf-tmpl", conditions="tmpl", parameters=[bad_param]),
        {"template": {"name": "slow-http", "conditions": "tmpl",
                      "http": {"url": "http://127.0.0.1:9/never", "timeout": 1}}},
        wf_trigger("wf-good", conditions="good"),
    ]
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # accept the request, never answer; returns when the client gives up
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    triggers[3]["template"]["http"]["url"] = f"http://127.0.0.1:{port}/never"
    metrics = SensorMetrics()
    caplog.set_level(logging.INFO, logger="pinnace")
    async with server, SensorService(sensor("bad-input", deps, triggers), jetstream_bus, client, consumer=FAST,
                                     metrics=metrics):
        for name, body in (("missing", {"a": 1}), ("mismatch", {"n": "text"}), ("tmpl", {"x": 1})):
            await jetstream_bus.publish(cloudevent("webhook", name, webhook_payload(body)))
        await eventually(lambda: _failed(metrics, "wf-tmpl"))
        await jetstream_bus.publish(cloudevent("webhook", "good", webhook_payload({})))
        await eventually(lambda: count_is(client, 1))
        await eventually(lambda: _failed(metrics, "slow-http"), timeout=6)
    text = caplog.text
    assert "data filter error (path 'body.nope' does not exist)" in text
    assert "expr filter error (" in text
    assert "trigger wf-tmpl failed" in text and "unable to resolve 'tmpl' parameter value" in text
    assert "trigger slow-http failed: http trigger: POST" in text and "timed out after 1s" in text
    [wf] = await workflows(client)
    assert wf["metadata"]["labels"]["events.argoproj.io/trigger"] == "wf-good"


async def _failed(metrics: SensorMetrics, trigger: str) -> bool:
    return metrics.retries_failed.get("default", "bad-input", trigger) >= 1


async def test_replicas_share_the_durable_consumer(jetstream_bus: JetStreamBus, nats_url: str) -> None:
    client = MemoryClient()
    spec = sensor("replicated", [dep("a", "ev-a")], [wf_trigger()])
    bus2 = await reconnect(nats_url, jetstream_bus)
    one = SensorService(spec, jetstream_bus, client, consumer=ConsumerOptions(ack_wait=5, batch=1))
    two = SensorService(spec, bus2, client, consumer=ConsumerOptions(ack_wait=5, batch=1))
    try:
        async with one, two:
            for i in range(20):
                await jetstream_bus.publish(cloudevent("webhook", "ev-a", webhook_payload({"i": i})))
            await eventually(lambda: count_is(client, 20))
            await asyncio.sleep(0.2)
    finally:
        await bus2.close()
    assert len(await workflows(client)) == 20
    assert one.processed + two.processed == 20
    assert one.processed > 0 and two.processed > 0


class Quota(MemoryClient):
    """A MemoryClient that refuses Workflow creates beyond ``limit``, like the store's admission bound."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.refused = 0

    async def create(self, obj: dict[str, Any], namespace: str | None = None) -> dict[str, Any]:
        if obj.get("kind") == "Workflow" and len(await self.list("Workflow")) >= self.limit:
            self.refused += 1
            raise TooManyRequests("too many unfinished workflows", retry_after=0.5)
        return await super().create(obj, namespace)


async def test_a_refusing_target_holds_the_backlog_on_the_bus_and_loses_nothing(
    jetstream_bus: JetStreamBus, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "UNAVAILABLE_REDELIVERY", 0.5)
    client = Quota(limit=2)
    spec = sensor("held", [dep("push", "example")], [wf_trigger(parameters=[param("push", "body.n", 0)])])
    async with SensorService(spec, jetstream_bus, client, consumer=FAST):
        for n in range(6):
            await jetstream_bus.publish(cloudevent("webhook", "example", webhook_payload({"n": f"e{n}"})))
        await eventually(lambda: count_is(client, 2))
        start = client.refused
        await asyncio.sleep(1.2)
        # Held: one refused attempt per pause, not one per waiting event per pause (4 events → ≥ 8).
        assert 1 <= client.refused - start <= 3
        client.limit = 100
        await eventually(lambda: count_is(client, 6), timeout=10)
        await asyncio.sleep(0.3)
    values = sorted(w["spec"]["arguments"]["parameters"][0]["value"] for w in await workflows(client))
    assert values == [f"e{n}" for n in range(6)]
