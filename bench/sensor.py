"""Sensor figures: events/s through filters + parameters, and event -> Workflow-created latency.

Run: python bench/sensor.py [--events 20000] [--latency 300]. A private nats-server is started on
a free loopback port. Every figure is printed beside a baseline measured in the same run:

* in-process: a three-filter dependency (data + exprs + jmespath) and the workflow trigger's
  parameters applied, per event — beside just decoding the CloudEvent;
* through the bus: SensorService consuming, filtering, parameterizing and acking — beside the raw
  consume-and-ack rate of the same kind of durable consumer;
* latency: publish -> Workflow object created (argoWorkflow trigger, atLeastOnce) — beside the raw
  publish -> consumed latency of the same stream.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Run as a script, this file's folder comes first on sys.path; its siblings (bench/bus.py, ...)
# must not shadow the packages of the same name.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]

from bus.cloudevent import CloudEvent  # noqa: E402
from bus.embedded import EmbeddedNats  # noqa: E402
from bus.interface import ConsumerOptions  # noqa: E402
from bus.jetstream import JetStreamBus  # noqa: E402
from bus.settings import StreamSettings  # noqa: E402
from pinnace.resources.memory import MemoryClient  # noqa: E402
from sensors import params  # noqa: E402
from sensors.compiled import compile_sensor  # noqa: E402
from sensors.event import Event  # noqa: E402
from sensors.metrics import SensorMetrics  # noqa: E402
from sensors.runner import SensorService  # noqa: E402
from sensors.testing import webhook_payload  # noqa: E402

WF = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"generateName": "bench-"},
      "spec": {"entrypoint": "main", "arguments": {"parameters": [{"name": "action", "value": ""},
                                                                  {"name": "repo", "value": ""}]},
               "templates": [{"name": "main", "container": {"image": "alpine"}}]}}
FILTERS = {
    "data": [{"path": "body.action", "type": "string", "value": ["opened", "synchronize"]}],
    "exprs": [{"expr": "n >= 1 && repo =~ \"^org/\"", "fields": [{"name": "n", "path": "body.number"},
                                                                   {"name": "repo", "path": "body.repo"}]}],
    "jmespath": "length(body.commits) > `0`",
}
PARAMS = [{"src": {"dependencyName": "push", "dataKey": "body.action"}, "dest": "spec.arguments.parameters.0.value"},
          {"src": {"dependencyName": "push", "dataTemplate": "{{ .Input.body.repo | upper }}"},
           "dest": "spec.arguments.parameters.1.value"}]


def sensor_doc(name: str, trigger: dict[str, Any], at_least_once: bool = False) -> dict[str, Any]:
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Sensor", "metadata": {"name": name},
            "spec": {"dependencies": [{"name": "push", "eventSourceName": "webhook", "eventName": "bench",
                                       "filters": FILTERS}],
                     "triggers": [{"template": {"name": "t", **trigger}, "atLeastOnce": at_least_once}]}}


def body(i: int) -> dict[str, Any]:
    return webhook_payload({"action": "opened", "number": i + 1, "repo": "org/repo", "commits": [{"id": i}]})


def events(n: int) -> list[CloudEvent]:
    return [CloudEvent.new(source="webhook", type="webhook", subject="bench", data=body(i)) for i in range(n)]


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>10,.0f} events/s"


def in_process(n: int) -> None:
    compiled = compile_sensor(sensor_doc("inproc", {"log": {}}))
    dep = compiled.dependencies["push"]
    parameters = params.compile_parameters(PARAMS)
    wire = [CloudEvent.from_json(e.to_json()) for e in events(n)]
    start = time.perf_counter()
    for ce in wire:
        Event.from_cloudevent(ce).data()
    base = time.perf_counter() - start
    start = time.perf_counter()
    passed = 0
    for ce in wire:
        ev = Event.from_cloudevent(ce)
        if dep.filter.evaluate(ev).passed:
            passed += 1
            params.apply(WF, parameters, {"push": ev})
    took = time.perf_counter() - start
    assert passed == n, f"only {passed} of {n} events passed the filters"
    print("in-process (one core):")
    print(f"  baseline: decode CloudEvent                     {rate(n, base)}")
    print(f"  3-filter dependency + 2 parameters applied      {rate(n, took)}")


async def raw_consume(bus: JetStreamBus, n: int) -> float:
    sub = await bus.subscribe("raw", bus.filter_for("webhook", "bench"), ConsumerOptions(deliver="all", batch=256))
    got, start = 0, time.perf_counter()
    while got < n:
        for d in await sub.fetch(256, timeout=1.0):
            await d.ack()
            got += 1
    took = time.perf_counter() - start
    await sub.close()
    return took


async def through_bus(url: str, n: int) -> None:
    bus = await JetStreamBus.connect(url, StreamSettings(name="benchthroughput", replicas=1))
    for ce in events(n):
        await bus.publish(ce)
    raw = await raw_consume(bus, n)
    await bus.conn.js.delete_stream(bus.stream_name)
    await bus.close()
    bus = await JetStreamBus.connect(url, StreamSettings(name="benchsensor", replicas=1))
    client = MemoryClient()
    trigger = {"argoWorkflow": {"source": {"resource": WF}, "parameters": PARAMS}}
    service = SensorService(sensor_doc("through", trigger), bus, client, metrics=SensorMetrics(),
                            consumer=ConsumerOptions(batch=256, deliver="all"))
    for ce in events(n):
        await bus.publish(ce)
    metrics = service.metrics
    start = time.perf_counter()
    async with service:
        while service.processed < n:  # noqa: ASYNC110 - polling a counter in a benchmark
            await asyncio.sleep(0.005)
        took = time.perf_counter() - start
        while sum(metrics.triggered.values.values()) + sum(metrics.retries_failed.values.values()) < n:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        all_created = time.perf_counter() - start
    failed = int(sum(metrics.retries_failed.values.values()))
    await bus.conn.js.delete_stream(bus.stream_name)
    await bus.close()
    print(f"through the bus ({n} events already in the stream):")
    print(f"  baseline: raw consume + ack                     {rate(n, raw)}")
    print(f"  sensor: consume + 3 filters + params + ack      {rate(n, took)}")
    print(f"  ... and every Workflow created (at-most-once)   {rate(n, all_created)}"
          + (f"  ({failed} firings failed)" if failed else ""))


class TimedClient(MemoryClient):
    def __init__(self) -> None:
        super().__init__()
        self.created: asyncio.Queue[float] = asyncio.Queue()

    async def create(self, obj: dict[str, Any], namespace: str | None = "default") -> dict[str, Any]:
        out = await super().create(obj, namespace)
        self.created.put_nowait(time.perf_counter())
        return out


def percentiles(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return f"p50 {statistics.median(ms):6.2f} ms   p99 {p99:6.2f} ms"


async def latency(url: str, n: int) -> None:
    bus = await JetStreamBus.connect(url, StreamSettings(name="benchlatency", replicas=1))
    sub = await bus.subscribe("rawlat", bus.filter_for("webhook", "bench"), ConsumerOptions(batch=1))
    raw: list[float] = []
    for ce in events(n):
        start = time.perf_counter()
        await bus.publish(ce)
        while not (got := await sub.fetch(1, timeout=1.0)):
            pass
        raw.append(time.perf_counter() - start)
        await got[0].ack()
    await sub.close()
    await bus.conn.js.delete_stream(bus.stream_name)
    bus2 = await JetStreamBus.connect(url, StreamSettings(name="benchlatency2", replicas=1))
    client = TimedClient()
    trigger = {"argoWorkflow": {"source": {"resource": WF}, "parameters": PARAMS}}
    samples: list[float] = []
    async with SensorService(sensor_doc("latency", trigger, at_least_once=True), bus2, client,
                             metrics=SensorMetrics(), consumer=ConsumerOptions(batch=16)):
        for ce in events(n):
            start = time.perf_counter()
            await bus2.publish(ce)
            done = await asyncio.wait_for(client.created.get(), 5)
            samples.append(done - start)
    await bus2.conn.js.delete_stream(bus2.stream_name)
    await bus2.close()
    await bus.close()
    print(f"latency, one event at a time ({n} events):")
    print(f"  baseline: publish -> consumed (raw consumer)    {percentiles(raw)}")
    print(f"  publish -> Workflow created (sensor, atLeastOnce) {percentiles(samples)}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--latency", type=int, default=300)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    in_process(args.events)
    with tempfile.TemporaryDirectory() as tmp:
        async with EmbeddedNats(Path(tmp)) as server:
            await through_bus(server.url, args.events)
            await latency(server.url, args.latency)


if __name__ == "__main__":
    asyncio.run(main())
