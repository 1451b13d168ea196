"""SensorService on the in-memory bus twin: DLQ, retries, metrics exposition, start-up errors."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bus.memory import MemoryBus
from pinnace.resources.memory import MemoryClient
from sensors.compiled import SensorConfigError, compile_sensor
from sensors.metrics import SensorMetrics
from sensors.runner import SensorService
from sensors.testing import cloudevent, webhook_payload

WF = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"generateName": "dlq-"},
      "spec": {"entrypoint": "main"}}


def doc(triggers: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Sensor", "metadata": {"name": "mem"},
            "spec": {"dependencies": [{"name": "d", "eventSourceName": "webhook", "eventName": "e"}],
                     "triggers": triggers}}


async def wait_until(check: Any, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


async def test_failed_trigger_goes_to_dlq_after_retries(memory_bus: MemoryBus) -> None:
    client, metrics = MemoryClient(), SensorMetrics()
    trigger = {
        "template": {"name": "main", "http": {"url": "http://127.0.0.1:9/down", "timeout": 1}},
        "retryStrategy": {"steps": 2, "duration": "1ms"},
        "dlqTrigger": {"template": {"name": "dead-letter", "argoWorkflow": {"source": {"resource": WF}}}},
        "atLeastOnce": True,
    }
    async with SensorService(doc([trigger]), memory_bus, client, metrics=metrics):
        await memory_bus.publish(cloudevent("webhook", "e", webhook_payload({})))
        await wait_until(lambda: len(client.objects) == 1)
    labels = ("default", "mem")
    assert metrics.failed.get(*labels, "main") == 2  # both attempts
    assert metrics.retries_failed.get(*labels, "main") == 1
    assert metrics.triggered.get(*labels, "dead-letter") == 1
    assert metrics.events_processed.get(*labels, "d", "passed") == 1
    text = metrics.render()
    assert 'argo_events_action_triggered_total{namespace="default",sensor_name="mem",trigger_name="dead-letter"} 1' \
        in text
    assert "argo_events_action_duration_milliseconds_count" in text
    assert "# TYPE argo_events_action_retries_failed_total counter" in text


async def test_rate_limit_paces_firings(memory_bus: MemoryBus) -> None:
    client = MemoryClient()
    trigger = {"template": {"name": "wf", "argoWorkflow": {"source": {"resource": WF}}},
               "rateLimit": {"unit": "Second", "requestsPerUnit": 20}}
    async with SensorService(doc([trigger]), memory_bus, client, metrics=SensorMetrics()):
        start = asyncio.get_running_loop().time()
        for i in range(6):
            await memory_bus.publish(cloudevent("webhook", "e", webhook_payload({"i": i})))
        await wait_until(lambda: len(client.objects) == 6)
        assert asyncio.get_running_loop().time() - start >= 0.24


def test_unsupported_parts_are_reported_with_field_paths() -> None:
    bad = doc([{"template": {"name": "s", "slack": {"channel": "x"}}},
               {"template": {"name": "c", "conditions": "d && nope", "log": {}}}])
    bad["spec"]["dependencies"][0]["filters"] = {"jmespath": "body.a =="}
    with pytest.raises(SensorConfigError) as info:
        compile_sensor(bad)
    message = str(info.value)
    assert "spec.dependencies[0]: spec.dependencies[0].filters.jmespath: invalid JMESPath" in message
    assert "spec.triggers[0].template: trigger type slack is not supported" in message
    assert "spec.triggers[1]" in message and "nope" in message


async def test_stop_is_idempotent_and_service_is_restartable_on_same_bus(memory_bus: MemoryBus) -> None:
    client = MemoryClient()
    trigger = {"template": {"name": "wf", "argoWorkflow": {"source": {"resource": WF}}}}
    service = SensorService(doc([trigger]), memory_bus, client, metrics=SensorMetrics())
    await service.start()
    await service.stop()
    await service.stop()
    async with SensorService(doc([trigger]), memory_bus, client, metrics=SensorMetrics()):
        await memory_bus.publish(cloudevent("webhook", "e", webhook_payload({})))
        await wait_until(lambda: len(client.objects) == 1)
