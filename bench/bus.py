"""Bus throughput and latency, pinnace's JetStream bus beside raw nats-py on the same server.

    python bench/bus.py [--messages 3000] [--rounds 3]

Starts an embedded nats-server (free loopback port, temporary store), then measures, for both
pinnace (CloudEvent encode/decode, dedup id, typed errors) and a raw nats-py baseline sending
the very same bytes and Nats-Msg-Id header: publish-with-ack sequential and pipelined, consume
and ack, and publish→consume latency. Each figure is the best of ``--rounds``.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

# Run as a script, this file's folder comes first on sys.path and "bus" would be this file.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import nats  # noqa: E402
from nats.js import JetStreamContext  # noqa: E402

from bus import naming  # noqa: E402
from bus.cloudevent import CloudEvent  # noqa: E402
from bus.embedded import EmbeddedNats  # noqa: E402
from bus.interface import ConsumerOptions  # noqa: E402
from bus.jetstream import JetStreamBus  # noqa: E402
from bus.settings import StreamSettings  # noqa: E402

WINDOW = 256  # publishes in flight when pipelining


def make_events(n: int, tag: str) -> list[CloudEvent]:
    body = {"header": {"Content-Type": ["application/json"]}, "body": {"ref": "main", "n": 0, "pad": "x" * 200}}
    return [
        CloudEvent.new(source="github", type="webhook", subject="push", id=f"{tag}-{i}", data=body) for i in range(n)
    ]


async def timed(n: int, run: Callable[[], Awaitable[None]]) -> float:
    start = time.perf_counter()
    await run()
    return n / (time.perf_counter() - start)


async def pipelined(calls: Sequence[Callable[[], Awaitable[Any]]]) -> None:
    for i in range(0, len(calls), WINDOW):
        await asyncio.gather(*(c() for c in calls[i : i + WINDOW]))


class Raw:
    """The baseline: nats-py alone, same payload bytes, same dedup header."""

    def __init__(self, js: JetStreamContext, stream: str) -> None:
        self.js = js
        self.stream = stream
        self.subject = naming.subject(stream, "github", "push")

    def publisher(self, ev: CloudEvent) -> Callable[[], Awaitable[Any]]:
        payload = ev.to_json()  # encoded up front: the baseline pays no encoding
        headers = {"Nats-Msg-Id": ev.id}
        return lambda: self.js.publish(self.subject, payload, headers=headers)

    async def consume(self, n: int, durable: str) -> float:
        psub = await self.js.pull_subscribe(self.subject, durable=durable, stream=self.stream)

        async def run() -> None:
            got = 0
            while got < n:
                msgs = await psub.fetch(min(100, n - got), timeout=5)
                for m in msgs:
                    await m.ack()
                got += len(msgs)

        rate = await timed(n, run)
        await psub.unsubscribe()
        return rate


async def ours_consume(bus: JetStreamBus, n: int, durable: str) -> float:
    sub = await bus.subscribe(durable, bus.filter_for("github", "push"), ConsumerOptions(deliver="all"))

    async def run() -> None:
        got = 0
        while got < n:
            batch = await sub.fetch(min(100, n - got), timeout=5)
            for d in batch:
                await d.ack()
            got += len(batch)

    rate = await timed(n, run)
    await sub.close()
    return rate


async def latency(
    publish: Callable[[int], Awaitable[Any]], receive: Callable[[], Awaitable[int]], samples: int
) -> list[float]:
    """Publish one, wait until the consumer has it; microseconds from publish call to receipt."""
    out: list[float] = []
    for i in range(samples):
        start = time.perf_counter()
        waiter = asyncio.ensure_future(receive())
        await publish(i)
        await waiter
        out.append((time.perf_counter() - start) * 1e6)
    return out


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


async def one_round(server_url: str, js: JetStreamContext, messages: int, r: int) -> dict[str, tuple[float, float]]:
    bus = await JetStreamBus.connect(server_url, StreamSettings(name=f"ours{r}", replicas=1))
    helper = await JetStreamBus.connect(server_url, StreamSettings(name=f"raw{r}", replicas=1))  # same config
    raw = Raw(js, helper.stream_name)
    evs = make_events(messages, f"s{r}")
    evp = make_events(messages * 3, f"p{r}")
    ours_seq = [functools.partial(bus.publish, e) for e in evs]
    ours_pipe = [functools.partial(bus.publish, e) for e in evp]
    raw_seq = [raw.publisher(e) for e in evs]
    raw_pipe = [raw.publisher(e) for e in evp]
    pairs: list[tuple[str, Callable[[], Awaitable[float]], Callable[[], Awaitable[float]]]] = [
        (
            "publish+ack sequential (msg/s)",
            functools.partial(timed, messages, functools.partial(_seq, ours_seq)),
            functools.partial(timed, messages, functools.partial(_seq, raw_seq)),
        ),
        (
            f"publish+ack pipelined x{WINDOW} (msg/s)",
            functools.partial(timed, len(evp), functools.partial(pipelined, ours_pipe)),
            functools.partial(timed, len(evp), functools.partial(pipelined, raw_pipe)),
        ),
        (
            "consume+ack (msg/s)",
            functools.partial(ours_consume, bus, messages, f"c{r}"),
            functools.partial(raw.consume, messages, f"c{r}"),
        ),
    ]
    out: dict[str, tuple[float, float]] = {}
    for name, ours_fn, raw_fn in pairs:
        # Alternate who goes first so neither always meets a warmer server.
        if r % 2:
            b, a = await raw_fn(), await ours_fn()
        else:
            a, b = await ours_fn(), await raw_fn()
        out[name] = (a, b)
    out.update(await _latencies(bus, raw, r, min(messages, 1000)))
    await helper.close()
    await bus.close()
    return out


async def bench(messages: int, rounds: int) -> dict[str, tuple[float, float]]:
    results: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        async with EmbeddedNats(tmp) as server:
            nc = await nats.connect(server.url)
            for r in range(rounds):
                for name, val in (await one_round(server.url, nc.jetstream(), messages, r)).items():
                    results.setdefault(name, []).append(val)
            await nc.close()
    best: dict[str, tuple[float, float]] = {}
    for name, vals in results.items():
        pick = min if "µs" in name else max
        best[name] = (pick(v[0] for v in vals), pick(v[1] for v in vals))
    return best


async def _seq(calls: Sequence[Callable[[], Awaitable[Any]]]) -> None:
    for c in calls:
        await c()


async def _latencies(bus: JetStreamBus, raw: Raw, r: int, samples: int) -> dict[str, tuple[float, float]]:
    sub = await bus.subscribe(f"lat{r}", bus.filter_for("github", "push"), ConsumerOptions(deliver="new"))
    ours_events = make_events(samples, f"lo{r}")

    async def ours_receive() -> int:
        while True:
            got = await sub.fetch(1, timeout=5)
            if got:
                await got[0].ack()
                return 1

    psub = await raw.js.pull_subscribe(
        raw.subject,
        durable=f"lat{r}",
        stream=raw.stream,
        config=nats.js.api.ConsumerConfig(deliver_policy=nats.js.api.DeliverPolicy.NEW),
    )
    raw_events = [raw.publisher(e) for e in make_events(samples, f"lr{r}")]

    async def raw_receive() -> int:
        msgs = await psub.fetch(1, timeout=5)
        await msgs[0].ack()
        return 1

    ours = await latency(lambda i: bus.publish(ours_events[i]), ours_receive, samples)
    base = await latency(lambda i: raw_events[i](), raw_receive, samples)
    await sub.close()
    await psub.unsubscribe()
    return {
        "publish→consume latency p50 (µs)": (pct(ours, 50), pct(base, 50)),
        "publish→consume latency p99 (µs)": (pct(ours, 99), pct(base, 99)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    best = asyncio.run(bench(args.messages, args.rounds))
    print(f"{'measure':40} {'pinnace':>12} {'raw nats-py':>12} {'ratio':>8}  target")
    for name, (ours, raw) in best.items():
        if "µs" in name:
            ratio, target = ours / raw, "<= 1.30x latency"
        else:
            ratio, target = ours / raw, ">= 0.80x throughput"
        print(f"{name:40} {ours:12.0f} {raw:12.0f} {ratio:7.2f}x  {target}")


if __name__ == "__main__":
    main()
