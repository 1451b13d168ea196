"""The ``redisStream`` source: Redis streams read through a consumer group (Argo's ``redis_stream``).

Event data ``{stream, message_id, values, metadata?}``. A message is XACK'ed only after the bus
acknowledged its event; while the bus is unavailable it stays pending and is read again (from
``0-0``, the pending list) after a backoff, and after a restart. The event id is derived from the
stream entry id, so a message re-read after a crash between the bus ack and the XACK is stored
once.
"""

from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from eventsources.base import Emit, EventSourceType, Outcome, SourceContext, SpecError
from eventsources.payloads import with_metadata
from eventsources.reconnect import Backoff, keep_connected
from eventsources.redis_connection import detached, open_redis, split_host
from eventsources.registry import register

DEFAULT_GROUP = "argo-events-cg"
CONSUMER = "argo-events-worker"
_BLOCK_MS = 1000
_PENDING = "0-0"
_NEW = ">"


def _text(value: Any) -> str:
    return bytes(value).decode("utf-8", errors="replace") if isinstance(value, bytes | bytearray) else str(value)


@register
class RedisStreamSource(EventSourceType):
    key = "redisStream"

    def __init__(self, ctx: SourceContext) -> None:
        super().__init__(ctx)
        spec = ctx.spec
        if not spec.host_address:
            raise SpecError(self.path("hostAddress"), "hostAddress is required (e.g. 127.0.0.1:6379)")
        split_host(spec.host_address, self.path("hostAddress"))
        if not spec.streams:
            raise SpecError(self.path("streams"), "at least one stream is required")
        self.group = spec.consumer_group or DEFAULT_GROUP
        self.count = spec.max_msg_count_per_read or 10
        self.retry = Backoff(initial=0.2, maximum=5.0)

    def event_data(self, stream: str, message_id: str, values: dict[Any, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {
            "stream": stream,
            "message_id": message_id,
            "values": {_text(k): _text(v) for k, v in values.items()},
        }
        return with_metadata(data, self.ctx.spec.metadata)

    async def run(self, emit: Emit) -> None:
        what = f"{self.ctx.source_name}/redisStream/{self.ctx.event_name} ({self.ctx.spec.host_address})"
        await keep_connected(what, lambda: self._session(emit), self.log)

    async def _create_groups(self, client: Redis) -> None:
        for stream in self.ctx.spec.streams:
            try:
                # "$": a new group starts at the stream's end, as Argo; MKSTREAM so the source may
                # start before the first producer.
                await client.xgroup_create(stream, self.group, id="$", mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

    async def _session(self, emit: Emit) -> None:
        async with open_redis(self) as client:
            await self._create_groups(client)
            cursors: dict[Any, Any] = dict.fromkeys(self.ctx.spec.streams, _PENDING)
            self.ready.set()
            failures = 0
            while True:
                replies: Any = await detached(
                    client.xreadgroup(self.group, CONSUMER, cursors, count=self.count, block=_BLOCK_MS)
                )
                stalled = False
                for raw_stream, messages in replies or []:
                    stream = _text(raw_stream)
                    if not messages:
                        cursors[stream] = _NEW  # pending list drained: continue with new entries
                        continue
                    if not await self._handle(client, emit, stream, messages):
                        stalled = True
                        cursors[stream] = _PENDING  # re-read what is still pending
                if stalled:
                    failures += 1
                    await asyncio.sleep(self.retry.delay(failures))
                else:
                    failures = 0

    async def _handle(self, client: Redis, emit: Emit, stream: str, messages: list[Any]) -> bool:
        """Publish then XACK each entry in order; False once the bus is unavailable."""
        for raw_id, values in messages:
            message_id = _text(raw_id)
            data = self.event_data(stream, message_id, values or {})
            event_id = f"redisStream:{self.ctx.source_name}/{self.ctx.event_name}:{stream}:{message_id}"
            outcome = await self.try_emit(emit, data, event_id=event_id)
            if outcome is Outcome.RETRY:
                return False
            await client.xack(stream, self.group, message_id)
        return True
