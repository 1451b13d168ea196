"""Pull consumption on JetStream: one inbox per subscription, pull requests, explicit acks.

nats-py's ``fetch(batch)`` waits for the whole batch (until its timeout) once the first message
of a lingering pull has arrived, which turns a 1 ms delivery into a timeout-long one. Here a
fetch returns as soon as anything arrived; messages that arrive later on an outstanding pull
wait in the inbox for the next fetch, so nothing is dropped and latency stays at one hop.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from nats.aio.msg import Msg
from nats.aio.subscription import Subscription as NatsSubscription
from nats.js import JetStreamContext

from bus.cloudevent import CloudEvent, InvalidEventError
from bus.connection import BusConnection, backoff_delay, bus_error
from bus.errors import TemporaryBusError
from bus.interface import ConsumerOptions, Delivery

log = logging.getLogger(__name__)
_STATUS = "Status"


class JetStreamDelivery:
    """A delivered message; settle it with ack, nak(delay) or term."""

    __slots__ = ("_event", "_msg")

    def __init__(self, msg: Msg, event: CloudEvent) -> None:
        self._msg = msg
        self._event = event

    @property
    def event(self) -> CloudEvent:
        return self._event

    @property
    def subject(self) -> str:
        return str(self._msg.subject)

    @property
    def stream_seq(self) -> int:
        return int(self._msg.metadata.sequence.stream)

    @property
    def num_delivered(self) -> int:
        return int(self._msg.metadata.num_delivered)

    async def ack(self) -> None:
        await self._settle(self._msg.ack(), "ack")

    async def nak(self, delay: float | None = None) -> None:
        await self._settle(self._msg.nak(delay=delay), "nak")

    async def term(self) -> None:
        await self._settle(self._msg.term(), "term")

    async def in_progress(self) -> None:
        await self._settle(self._msg.in_progress(), "in_progress")

    async def _settle(self, action: Any, what: str) -> None:
        try:
            await action
        except Exception as exc:
            raise bus_error(exc, f"{what} of event {self._event.id}") from exc


class PullSubscription:
    """One member of a durable consumer; all members with the same durable share the messages."""

    def __init__(
        self,
        conn: BusConnection,
        js: JetStreamContext,
        stream: str,
        durable: str,
        options: ConsumerOptions,
        on_close: Callable[[PullSubscription], None],
    ) -> None:
        self.conn = conn
        self.durable = durable
        self.options = options
        self._nc = conn.nc
        self._next_subject = f"{js._prefix}.CONSUMER.MSG.NEXT.{stream}.{durable}"
        self._inbox = ""
        self._sub: NatsSubscription | None = None
        self._queue: asyncio.Queue[Msg] = asyncio.Queue()
        self._closed = False
        self._on_close = on_close

    async def start(self) -> None:
        self._inbox = self._nc.new_inbox()
        self._sub = await self._nc.subscribe(self._inbox, cb=self._receive)

    async def _receive(self, msg: Msg) -> None:
        self._queue.put_nowait(msg)

    async def fetch(self, batch: int = 1, timeout: float = 1.0) -> list[Delivery]:
        """Up to ``batch`` deliveries; ``[]`` when nothing arrived within ``timeout`` seconds."""
        if self._closed:
            raise TemporaryBusError(f"subscription {self.durable} is closed")
        msgs = self._drain(batch)
        if not msgs:
            self.conn.require_connected(f"fetching from {self.durable}")
            await self._request(batch, timeout)
            msgs = await self._wait_first(batch, timeout)
        return await self._deliveries(msgs)

    async def _request(self, batch: int, wait: float) -> None:
        # Expire the pull a little before our own wait ends, so the server's slots do not
        # outlive this fetch by long.
        expires = max(int(wait * 1e9) - 5_000_000, 1_000_000)
        body = json.dumps({"batch": batch, "expires": expires}).encode()
        try:
            await self._nc.publish(self._next_subject, body, reply=self._inbox)
        except Exception as exc:
            raise bus_error(exc, f"fetching from {self.durable}") from exc

    async def _wait_first(self, batch: int, wait: float) -> list[Msg]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            try:
                msg = await asyncio.wait_for(self._queue.get(), remaining)
            except TimeoutError:
                return []
            if _is_status(msg):
                continue
            return [msg, *self._drain(batch - 1)]

    def _drain(self, limit: int) -> list[Msg]:
        out: list[Msg] = []
        while len(out) < limit and not self._queue.empty():
            msg = self._queue.get_nowait()
            if not _is_status(msg):
                out.append(msg)
        return out

    async def _deliveries(self, msgs: list[Msg]) -> list[Delivery]:
        out: list[Delivery] = []
        for msg in msgs:
            try:
                out.append(JetStreamDelivery(msg, CloudEvent.from_json(msg.data)))
            except InvalidEventError as exc:
                # A message no retry can fix: drop it for good rather than loop on it.
                log.error("%s: terminating undecodable message on %s: %s", self.durable, msg.subject, exc)
                await msg.term()
        return out

    def __aiter__(self) -> AsyncIterator[Delivery]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Delivery]:
        failures = 0
        while not self._closed:
            try:
                batch = await self.fetch(self.options.batch, timeout=5.0)
            except TemporaryBusError:
                if self._closed:
                    return
                await asyncio.sleep(backoff_delay(failures, 0.05, 2.0))
                failures += 1
                continue
            failures = 0
            for delivery in batch:
                yield delivery

    async def close(self) -> None:
        """Leave the consumer (the durable and its position stay on the server); idempotent."""
        if self._closed:
            return
        self._closed = True
        self._on_close(self)
        if self._sub is not None and not self._nc.is_closed:
            try:
                await self._sub.unsubscribe()
                # Fetched by the server for us but never handed out: give them back now
                # instead of leaving them to the ack wait.
                for msg in self._drain(self._queue.qsize()):
                    await msg.nak()
                # Push out pending acks so a restarted reader does not see them again.
                await self._nc.flush(timeout=2)
            except Exception as exc:
                log.debug("closing subscription %s: %s", self.durable, exc)

    async def __aenter__(self) -> PullSubscription:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()


def _is_status(msg: Msg) -> bool:
    # Status messages (404 no messages, 408 pull expired, 409 limits, 100 heartbeat) carry no event.
    return bool(msg.headers and msg.headers.get(_STATUS)) and not msg.data
