"""Webhook throughput and latency beside a bare aiohttp handler doing the same publish-and-ack.

    /work/venv/bin/python bench/webhook.py [--requests 6000] [--concurrency 64] [--rounds 2]

Both servers run in this process against one embedded nats-server (JetStream, file storage);
the load comes from a separate process so client and server do not share an event loop. Each
accepted (200) request must be a stored event: the script counts the stream afterwards and
reports any loss. Figures are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import socket
import statistics
import sys
import tempfile
import time
from typing import Any

import aiohttp
from aiohttp import web

# Other bench scripts sit beside this one (bench/bus.py): keep them from shadowing the packages.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]

from bus import naming  # noqa: E402
from bus.cloudevent import CloudEvent  # noqa: E402
from bus.embedded import EmbeddedNats  # noqa: E402
from bus.jetstream import JetStreamBus  # noqa: E402
from bus.settings import StreamSettings  # noqa: E402
from eventsources.runner import EventSourceRunner  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _load(url: str, requests: int, concurrency: int) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    counter = iter(range(requests))
    body = json.dumps({"message": "hello", "n": 0, "tags": ["a", "b"]}).encode()
    headers = {"Content-Type": "application/json"}
    conn = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=conn) as http:

        async def worker() -> None:
            for _ in counter:
                started = time.perf_counter()
                async with http.post(url, data=body, headers=headers) as resp:
                    await resp.read()
                    statuses[resp.status] = statuses.get(resp.status, 0) + 1
                latencies.append(time.perf_counter() - started)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "elapsed": elapsed,
        "ok": statuses.get(200, 0),
        "statuses": statuses,
        "p50": latencies[len(latencies) // 2],
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
    }


def _load_process(url: str, requests: int, concurrency: int, out: Any) -> None:
    out.put(asyncio.run(_load(url, requests, concurrency)))


async def run_load(url: str, requests: int, concurrency: int) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_load_process, args=(url, requests, concurrency, queue))
    proc.start()
    result: dict[str, Any] = await asyncio.to_thread(queue.get)
    await asyncio.to_thread(proc.join)
    return result


async def baseline_server(bus: JetStreamBus, port: int) -> web.AppRunner:
    """The yardstick: parse JSON, build the same CloudEvent, publish, 200 after the ack."""

    async def handle(request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        data = {"header": {k: [v] for k, v in request.headers.items()}, "body": body}
        event = CloudEvent.new(source="baseline", type="webhook", subject="example", data=data)
        await bus.publish(event)
        return web.Response(text="success")

    app = web.Application()
    app.router.add_post("/example", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


async def stored(bus: JetStreamBus, source: str) -> int:
    info = await bus.conn.js.stream_info(
        bus.stream_name, subjects_filter=naming.subject_filter(bus.stream_name, source)
    )
    return sum((info.state.subjects or {}).values())


def show(name: str, r: dict[str, Any]) -> float:
    rate = float(r["ok"] / r["elapsed"])
    print(
        f"  {name:<9} {rate:8.0f} events/s   p50 {r['p50'] * 1000:6.2f} ms   p99 {r['p99'] * 1000:6.2f} ms"
        f"   statuses {r['statuses']}"
    )
    return rate


async def main(requests: int, concurrency: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with EmbeddedNats(tmp) as server:
            bus = await JetStreamBus.connect(server.url, StreamSettings(name="bench", replicas=1))
            port_ours, port_base = free_port(), free_port()
            spec = {"webhook": {"example": {"port": str(port_ours), "endpoint": "/example", "method": "POST"}}}
            resource = {
                "apiVersion": "argoproj.io/v1alpha1",
                "kind": "EventSource",
                "metadata": {"name": "pinnace"},
                "spec": spec,
            }
            base = await baseline_server(bus, port_base)
            ours_rates, base_rates, accepted = [], [], {"pinnace": 0, "baseline": 0}
            async with EventSourceRunner(resource, bus) as runner:
                await runner.wait_ready()
                await run_load(f"http://127.0.0.1:{port_ours}/example", 200, 8)  # warm-up
                await run_load(f"http://127.0.0.1:{port_base}/example", 200, 8)
                accepted = {"pinnace": 200, "baseline": 200}
                print(f"{requests} requests per run, {concurrency} concurrent connections, {rounds} rounds")
                for i in range(rounds):
                    print(f"round {i + 1}")
                    r = await run_load(f"http://127.0.0.1:{port_base}/example", requests, concurrency)
                    base_rates.append(show("baseline", r))
                    accepted["baseline"] += r["ok"]
                    r = await run_load(f"http://127.0.0.1:{port_ours}/example", requests, concurrency)
                    ours_rates.append(show("pinnace", r))
                    accepted["pinnace"] += r["ok"]
            await base.cleanup()
            for source, ok in accepted.items():
                count = await stored(bus, source)
                print(f"{source}: {ok} accepted, {count} stored, {ok - count} lost")
            ours, baseline = statistics.median(ours_rates), statistics.median(base_rates)
            print(f"median: pinnace {ours:.0f} events/s, baseline {baseline:.0f} events/s, ratio {ours / baseline:.0%}")
            await bus.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.concurrency, args.rounds))
