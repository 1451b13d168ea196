"""Every corpus Sensor whose event sources and triggers pinnace implements, run on a real nats-server.

Synthetic events of each source's shape are published dependency by dependency; after each one
the firings of every trigger (finished actions: succeeded or given up) are compared with what
Argo would do. Filtered examples get a passing and a non-passing payload each. The harness only
shortens retry/backoff delays and points HTTP targets and URL sources at a loopback server.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import yaml
from aiohttp import web

from bus.cloudevent import CloudEvent
from bus.interface import ConsumerOptions
from bus.jetstream import JetStreamBus
from pinnace.resources.memory import MemoryClient
from sensors.compiled import SensorConfigError, compile_sensor
from sensors.conditions import all_dependencies, evaluate, parse_conditions
from sensors.metrics import SensorMetrics
from sensors.runner import SensorService

CORPUS = Path("/work/shared/corpus/argo-events/examples")
SOURCES = {"webhook", "calendar", "nats", "redis", "redis-stream", "amqp", "mqtt", "file"}
TRIGGERS = {"argoWorkflow", "k8s", "http", "nats", "log"}
WORKFLOW_YAML = yaml.safe_dump({"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
                                "metadata": {"generateName": "from-url-"}, "spec": {"entrypoint": "main"}})
BODY = {"message": "hello", "name": "pinnace", "value": 1, "dependencyName": "x"}


def payload(source: str, body: Any = None) -> Any:
    body = copy.deepcopy(BODY) if body is None else body
    shapes: dict[str, Any] = {
        "webhook": {"header": {"Content-Type": ["application/json"]}, "body": body, "metadata": {}},
        "calendar": {"eventTime": "2024-07-15 10:00:00 +0000 UTC", "metadata": {}},
        "nats": {"subject": "foo", "body": body, "metadata": {}},
        "redis": {"channel": "foo", "pattern": "", "body": body, "metadata": {}},
        "redis-stream": {"stream": "s", "message_id": "1-0", "values": {"k": "v"}, "metadata": {}},
        "amqp": {"contentType": "application/json", "deliveryMode": 1, "routingKey": "k", "body": body,
                 "metadata": {}},
        "mqtt": {"topic": "foo", "messageId": 1, "body": body, "metadata": {}},
        "file": {"name": "/tmp/test", "op": "CREATE"},
    }
    return shapes[source]


def corpus_sensors() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted([*CORPUS.glob("sensors/*.y*ml"), *CORPUS.glob("tutorials/*/sensor*.yaml")]):
        for doc in yaml.safe_load_all(path.read_text()):
            if not doc or doc.get("kind") != "Sensor":
                continue
            spec = doc["spec"]
            sources = {d["eventSourceName"] for d in spec["dependencies"]}
            kinds = {k for t in spec["triggers"] for k in t["template"] if k not in ("name", "conditions",
                                                                                      "conditionsReset")}
            if sources <= SOURCES and kinds <= TRIGGERS:
                found.append((str(path.relative_to(CORPUS)), doc))
    return found


ELIGIBLE = corpus_sensors()
# Filtered examples: (dependency -> (event payload, event time)) for a passing and a failing event.
T = datetime(2024, 7, 15, 10, 0, tzinfo=UTC)
EXPR_OK = {"a": "b", "a-longer-name": 1, "nested": {"path": {"can-get": {"longer": False}}}}
FILTERED: dict[str, list[tuple[dict[str, tuple[Any, datetime]], int]]] = {
    "sensors/context-filter-webhook.yaml": [({"test-dep": (payload("webhook"), T)}, 1)],
    "sensors/filter-with-context.yaml": [({"test-dep": (payload("webhook"), T)}, 0)],
    "sensors/filter-with-data-advanced.yaml": [
        ({"test-dep": ({"a": True, "b": {"c": 3.14, "d": "hello, world"}}, T)}, 1),
        ({"test-dep": ({"a": True, "b": {"c": 3.15, "d": "hello, world"}}, T)}, 0)],
    "sensors/filter-with-data-simple-1.yaml": [
        ({"test-dep": (payload("webhook", {"message": "hey"}), T)}, 1),
        ({"test-dep": (payload("webhook", {"message": "bye"}), T)}, 0)],
    "sensors/filter-with-data-simple-2.yaml": [
        ({"test-dep": ({"bucket": "argo-workflow-input"}, T)}, 1), ({"test-dep": ({"bucket": "other"}, T)}, 0)],
    "sensors/filter-with-data-simple-3.yaml": [
        ({"test-dep": (payload("webhook", {"value": 50}), T)}, 1),
        ({"test-dep": (payload("webhook", {"value": 51}), T)}, 0)],
    "sensors/filter-with-data-simple-4.yaml": [
        ({"test-dep": (payload("webhook", {"value": 51}), T)}, 1),
        ({"test-dep": (payload("webhook", {"value": 50}), T)}, 0)],
    "sensors/filter-with-expressions.yaml": [
        ({"test-dep": (EXPR_OK, T)}, 1),
        ({"test-dep": ({**EXPR_OK, "nested": {"path": {"can-get": {"longer": True}}}}, T)}, 0)],
    "sensors/filter-with-multiple-data-filters-in-or.yaml": [
        ({"test-dep": ({"a": False, "b": {"c": 1, "d": "hello there"}}, T)}, 1),
        ({"test-dep": ({"a": False, "b": {"c": 1, "d": "nope"}}, T)}, 0)],
    "sensors/filter-with-multiple-expr-filters-in-or.yaml": [
        ({"test-dep": ({"a": "x", "a-longer-name": 10, "nested": {"path": {"can-get": {"longer": False}}}}, T)}, 1),
        ({"test-dep": ({"a": "x", "a-longer-name": 10, "nested": {"path": {"can-get": {"longer": True}}}}, T)}, 0)],
    "sensors/filter-with-multiple-filters-in-or.yaml": [
        ({"test-dep": ({"a": "x", "c": 25, "d": {"e": True}}, T)}, 1),
        ({"test-dep": ({"a": "x", "c": 5, "d": {"e": True}}, T)}, 0)],
    "sensors/filter-with-multiple-filters-mixed.yaml": [
        ({"test-dep": ({"a": "b", "c": 10, "d": {"e": False}}, T)}, 1),
        ({"test-dep": ({"a": "x", "c": 11, "d": {"e": True}}, T)}, 0)],
    "sensors/filter-with-multiple-filters.yaml": [
        ({"test-dep": ({"a": "b", "c": 10, "d": {"e": False}}, T)}, 1),
        ({"test-dep": ({"a": "b", "c": 11, "d": {"e": False}}, T)}, 0)],
    "sensors/filter-with-time-timezone.yaml": [
        ({"test-dep": (payload("webhook"), datetime(2024, 7, 15, 14, tzinfo=UTC))}, 1),
        ({"test-dep": (payload("webhook"), datetime(2024, 7, 15, 12, tzinfo=UTC))}, 0)],
    "sensors/filter-with-time.yaml": [
        ({"test-dep": (payload("webhook"), datetime(2024, 7, 15, 3, tzinfo=UTC))}, 1),
        ({"test-dep": (payload("webhook"), datetime(2024, 7, 15, 5, tzinfo=UTC))}, 0)],
    "sensors/time-filter-webhook.yaml": [
        ({"test-dep": (payload("webhook"), datetime(2024, 7, 15, 22, 30, tzinfo=UTC)),
          "test-another-dep": (payload("webhook"), datetime(2024, 7, 15, 23, 50, tzinfo=UTC))}, 1),
        ({"test-dep": (payload("webhook"), datetime(2024, 7, 15, 21, 0, tzinfo=UTC)),
          "test-another-dep": (payload("webhook"), datetime(2024, 7, 15, 23, 50, tzinfo=UTC))}, 0)],
}
SCRIPT_OK = {"a": "b", "c": 10, "d": {"e": "z"}}
FILTERED["sensors/filter-script.yaml"] = [
    ({"test-dep": (payload("webhook", SCRIPT_OK), T)}, 1),
    ({"test-dep": (payload("webhook", {**SCRIPT_OK, "d": {"e": "y"}}), T)}, 0),
]
REFUSED: dict[str, str] = {}


@pytest_asyncio.fixture
async def target() -> AsyncIterator[str]:
    async def ok(request: web.Request) -> web.Response:
        return web.Response(text=WORKFLOW_YAML if request.path.endswith(".yaml") else "ok")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", ok)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    await runner.cleanup()


def adapt(doc: dict[str, Any], base: str) -> dict[str, Any]:
    """Shorten waits and point network targets at the loopback server; nothing that decides firing changes."""
    doc = copy.deepcopy(doc)
    for trig in doc["spec"]["triggers"]:
        if trig.get("retryStrategy"):
            trig["retryStrategy"]["duration"] = "1ms"
        backoff = ((trig.get("policy") or {}).get("k8s") or {}).get("backoff")
        if backoff:
            backoff.update({"duration": "1ms", "steps": 2})
        tmpl = trig["template"]
        if "http" in tmpl:
            tmpl["http"]["url"] = f"{base}/hello"
        for key in ("k8s", "argoWorkflow"):
            url = ((tmpl.get(key) or {}).get("source") or {}).get("url")
            if url:
                url["path"] = f"{base}/workflow.yaml"
    return doc


def expected_firings(doc: dict[str, Any], published: list[str]) -> dict[str, int]:
    """Argo's rule: no && → one firing per matching event; with && → fire when satisfied, then reset."""
    deps = [d["name"] for d in doc["spec"]["dependencies"]]
    out: dict[str, int] = {}
    for trig in doc["spec"]["triggers"]:
        text = trig["template"].get("conditions")
        cond = parse_conditions(text) if text else all_dependencies(deps)
        uses_and = "&" in (text or "&&".join(deps))
        fired, saved = 0, set()
        for dep in published:
            if not uses_and:
                fired += evaluate(cond, {dep})
            elif evaluate(cond, saved | {dep}):
                fired, saved = fired + 1, set()
            else:
                saved.add(dep)
        out[trig["template"]["name"]] = fired
    return out


def firings(metrics: SensorMetrics, doc: dict[str, Any]) -> dict[str, int]:
    ns, name = doc["metadata"].get("namespace") or "default", doc["metadata"]["name"]
    return {t["template"]["name"]: int(metrics.triggered.get(ns, name, t["template"]["name"])
                                       + metrics.retries_failed.get(ns, name, t["template"]["name"]))
            for t in doc["spec"]["triggers"]}


async def settle(
    service: SensorService, published: int, metrics: SensorMetrics, doc: dict[str, Any], expected: dict[str, int]
) -> dict[str, int]:
    """Wait until every event was handled and the expected firings happened, then a little longer."""
    for _ in range(250):
        if service.processed >= published and firings(metrics, doc) == expected:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.1)
    return firings(metrics, doc)


def event_for(doc: dict[str, Any], dep_name: str, data: Any, when: datetime) -> CloudEvent:
    dep = next(d for d in doc["spec"]["dependencies"] if d["name"] == dep_name)
    source = dep["eventSourceName"]
    return CloudEvent.new(source=source, type=source, subject=dep["eventName"], data=data, time=when)


def test_the_corpus_has_runnable_sensors() -> None:
    names = {name for name, _ in ELIGIBLE}
    assert len(names) >= 40
    assert set(FILTERED) <= names


@pytest.mark.parametrize(("name", "doc"), ELIGIBLE, ids=[n for n, _ in ELIGIBLE])
async def test_corpus_sensor_fires_when_argo_would(
    name: str, doc: dict[str, Any], jetstream_bus: JetStreamBus, target: str
) -> None:
    if name in REFUSED:
        with pytest.raises(SensorConfigError, match=REFUSED[name]):
            compile_sensor(doc)
        return
    doc = adapt(doc, target)
    metrics, client = SensorMetrics(), MemoryClient()
    service = SensorService(doc, jetstream_bus, client, metrics=metrics, consumer=ConsumerOptions(ack_wait=5))
    async with service:
        if name in FILTERED:
            total = {t["template"]["name"]: 0 for t in doc["spec"]["triggers"]}
            count = 0
            for events, fires in FILTERED[name]:
                for dep_name, (data, when) in events.items():
                    await jetstream_bus.publish(event_for(doc, dep_name, data, when))
                    count += 1
                total = {k: v + fires for k, v in total.items()}
                assert await settle(service, count, metrics, doc, total) == total
            return
        published: list[str] = []
        for dep in doc["spec"]["dependencies"]:
            await jetstream_bus.publish(event_for(doc, dep["name"], payload(dep["eventSourceName"]), T))
            published.append(dep["name"])
            expected = expected_firings(doc, published)
            assert await settle(service, len(published), metrics, doc, expected) == expected, f"after {published}"
