"""Journey 3: new-task messages on a queue each start one workflow that sees its task.

Brokers: a NATS subject on a separate nats-server the test starts (never the system one on 4222),
a Redis stream on 127.0.0.1:6379 and a RabbitMQ queue on 127.0.0.1:5672 (guest/guest). An absent
broker skips with the reason; under ``CI=true`` it fails.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import specs
from tests.e2e.harness import UpProcess, output_param, require_service, up, wait_for

Publish = Callable[[dict[str, Any]], None]


def _redis(tag: str) -> tuple[str, dict[str, Any], str, Publish, Callable[[], None]]:
    require_service("Redis", "127.0.0.1", 6379)
    import redis

    client = redis.Redis()
    stream = f"tasks-{tag}"

    def publish(task: dict[str, Any]) -> None:
        client.xadd(stream, {"task": json.dumps(task)})

    def close() -> None:
        client.delete(stream)
        client.close()
    spec = {"hostAddress": "127.0.0.1:6379", "db": 0, "consumerGroup": "pinnace", "streams": [stream]}
    return "redisStream", spec, "values.task", publish, close


def _amqp(tag: str) -> tuple[str, dict[str, Any], str, Publish, Callable[[], None]]:
    require_service("RabbitMQ", "127.0.0.1", 5672)
    import aio_pika

    url = "amqp://guest:guest@127.0.0.1:5672/"
    exchange, queue = f"e2e-{tag}", f"e2e-tasks-{tag}"

    async def send(task: dict[str, Any]) -> None:
        conn = await aio_pika.connect(url)
        async with conn:
            ch = await conn.channel()
            ex = await ch.declare_exchange(exchange, aio_pika.ExchangeType.DIRECT, durable=False, auto_delete=True)
            await ex.publish(aio_pika.Message(json.dumps(task).encode(), content_type="application/json"), "new-task")

    async def drop() -> None:
        conn = await aio_pika.connect(url)
        async with conn:
            ch = await conn.channel()
            await ch.queue_delete(queue)

    spec = {"url": url, "exchangeName": exchange, "exchangeType": "direct", "routingKey": "new-task",
            "jsonBody": True, "exchangeDeclare": {"durable": False, "autoDelete": True},
            "queueDeclare": {"name": queue, "durable": True, "exclusive": False}}
    return "amqp", spec, "body", lambda t: asyncio.run(send(t)), lambda: asyncio.run(drop())


@pytest.fixture
def external_nats(tmp_path: Path) -> Iterator[str]:
    from bus.embedded import EmbeddedNats

    with EmbeddedNats(tmp_path / "broker-nats") as server:
        yield server.url


def _nats(tag: str, url: str) -> tuple[str, dict[str, Any], str, Publish, Callable[[], None]]:
    import nats

    subject = f"tasks.{tag}"

    async def send(task: dict[str, Any]) -> None:
        nc = await nats.connect(url)
        await nc.publish(subject, json.dumps(task).encode())
        await nc.flush()
        await nc.close()

    spec = {"url": url, "subject": subject, "jsonBody": True}
    return "nats", spec, "body", lambda t: asyncio.run(send(t)), lambda: None


def task_of(proc: UpProcess, wf: dict[str, Any]) -> dict[str, Any]:
    value = wf["spec"]["arguments"]["parameters"][0]["value"]
    return dict(json.loads(value))


def run_journey(tmp_path: Path, broker: tuple[str, dict[str, Any], str, Publish, Callable[[], None]]) -> None:
    type_key, spec, data_key, publish, close = broker
    wf = specs.one_step_workflow("task-", ["task"])
    files = specs.write(tmp_path / "in" / "queue.yaml",
                        specs.event_source("tasks", type_key, "new-task", spec),
                        specs.sensor("task-runner", "tasks", "new-task", wf, [(data_key, 0)]))
    try:
        with up(tmp_path / "data", files) as proc:
            def tasks() -> list[dict[str, Any]]:
                return [w for w in proc.workflows() if str(w["metadata"]["name"]).startswith("task-")]

            # The source subscribes after the ready line; a core NATS subject keeps nothing for
            # late subscribers, so warm up until one warm-up message has come through.
            def warmed() -> bool | None:
                if any(task_of(proc, w).get("warmup") for w in tasks()):
                    return True
                publish({"warmup": True})
                return None
            wait_for(warmed, 30, interval=0.5, what=f"the {type_key} source to consume")

            sent = [{"id": i, "task": f"build #{i}", "note": "ünïcode ✓ $(not run)"} for i in range(5)]
            for task in sent:
                publish(task)

            def real() -> list[dict[str, Any]]:
                return [w for w in tasks() if not task_of(proc, w).get("warmup")]
            wait_for(lambda: len(real()) >= len(sent) or None, 30, what="one workflow per task")
            time.sleep(0.5)
            workflows = real()
            assert sorted((task_of(proc, w) for w in workflows), key=lambda t: t["id"]) == sent
            for w in workflows:
                done = proc.wait_done(str(w["metadata"]["name"]))
                assert done["status"]["phase"] == "Succeeded", done["status"]
                argv = specs.argv_of(output_param(done, "run", "argv"))["argv"]
                assert json.loads(argv[0]) == task_of(proc, w)
    finally:
        close()


def test_redis_stream_tasks_start_one_workflow_each(tmp_path: Path) -> None:
    run_journey(tmp_path, _redis(uuid.uuid4().hex[:8]))


def test_rabbitmq_queue_tasks_start_one_workflow_each(tmp_path: Path) -> None:
    run_journey(tmp_path, _amqp(uuid.uuid4().hex[:8]))


def test_nats_subject_tasks_start_one_workflow_each(tmp_path: Path, external_nats: str) -> None:
    run_journey(tmp_path, _nats(uuid.uuid4().hex[:8], external_nats))
