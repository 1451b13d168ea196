"""The API's ``/metrics`` also shows the event-source and sensor series counted in its process.

Wired as ``pinnace up`` wires them: the runner and the sensor service on their defaults (the
process-wide registry), the API server in the same process.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import aiohttp

from bus.memory import MemoryBus
from bus.testing import test_stream
from eventsources.runner import EventSourceRunner
from eventsources.testing import event_source, free_port
from pinnace.api.auth import load_or_create_token
from pinnace.api.server import ApiConfig, ApiServer
from pinnace.store.store import Store
from sensors.metrics import METRICS
from sensors.runner import SensorService


def sensor(name: str, source: str) -> dict[str, object]:
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Sensor", "metadata": {"name": name},
            "spec": {"dependencies": [{"name": "d", "eventSourceName": source, "eventName": "example"}],
                     "triggers": [{"template": {"name": "say", "log": {}}}]}}


async def fired_once(sensor_name: str) -> None:
    async with asyncio.timeout(5):
        while METRICS.triggered.get("default", sensor_name, "say") < 1:  # noqa: ASYNC110
            await asyncio.sleep(0.02)


async def test_one_webhook_event_shows_on_the_api_metrics(tmp_path: Path) -> None:
    suffix = uuid.uuid4().hex[:8]  # the registry is process-wide: names no other test uses
    source, sensor_name = f"hooks-{suffix}", f"listen-{suffix}"
    bus, port = MemoryBus(test_stream()), free_port()
    spec = {"webhook": {"example": {"port": str(port), "endpoint": "/example", "method": "POST"}}}
    token = load_or_create_token(tmp_path)
    async with await Store.open(tmp_path) as store, \
            ApiServer(store, token, ApiConfig(tmp_path, port=0, tls=False)) as api, \
            SensorService(sensor(sensor_name, source), bus), \
            EventSourceRunner(event_source(source, spec), bus) as runner:
        await runner.wait_ready()
        async with aiohttp.ClientSession() as http:
            assert (await http.post(f"http://127.0.0.1:{port}/example", json={"n": 1})).status == 200
            await fired_once(sensor_name)
            resp = await http.get(api.url + "/metrics", headers={"Authorization": f"Bearer {token}"})
            assert resp.status == 200
            text = await resp.text()
            on_port = await (await http.get(f"http://127.0.0.1:{port}/metrics")).text()
    sent = f'argo_events_events_sent_total{{namespace="default",eventsource_name="{source}",event_name="example"}} 1'
    fired = ('argo_events_action_triggered_total'
             f'{{namespace="default",sensor_name="{sensor_name}",trigger_name="say"}} 1')
    assert sent in text
    assert fired in text
    assert "pinnace_api_requests_total" in text  # the API's own series are still there
    assert text.count("# TYPE argo_events_events_sent_total counter") == 1
    assert sent in on_port  # the webhook port's /metrics keeps serving the event-source series
