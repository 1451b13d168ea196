"""The ``redis`` source: Redis pub/sub channels (Argo's ``redis/start.go``).

Event data ``{channel, pattern, body, metadata?}``; ``body`` is the message string, or its JSON
with ``jsonBody``. Pub/sub cannot redeliver, so a message is held and retried until the bus
stores it.
"""

from __future__ import annotations

from typing import Any

from eventsources.base import Emit, EventSourceType, SourceContext, SpecError
from eventsources.payloads import BadPayload, json_body, with_metadata
from eventsources.reconnect import keep_connected
from eventsources.redis_connection import detached, open_redis, split_host
from eventsources.registry import register

_WAIT = 1.0


def _text(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    return "" if value is None else str(value)


@register
class RedisSource(EventSourceType):
    key = "redis"

    def __init__(self, ctx: SourceContext) -> None:
        super().__init__(ctx)
        if not ctx.spec.host_address:
            raise SpecError(self.path("hostAddress"), "hostAddress is required (e.g. 127.0.0.1:6379)")
        split_host(ctx.spec.host_address, self.path("hostAddress"))
        if not ctx.spec.channels:
            raise SpecError(self.path("channels"), "at least one channel is required")

    def event_data(self, message: dict[str, Any]) -> dict[str, Any]:
        payload = _text(message.get("data"))
        data: dict[str, Any] = {
            "channel": _text(message.get("channel")),
            "pattern": _text(message.get("pattern")),
            "body": json_body(payload) if self.ctx.spec.json_body else payload,
        }
        return with_metadata(data, self.ctx.spec.metadata)

    async def run(self, emit: Emit) -> None:
        what = f"{self.ctx.source_name}/redis/{self.ctx.event_name} ({self.ctx.spec.host_address})"
        await keep_connected(what, lambda: self._session(emit), self.log)

    async def _session(self, emit: Emit) -> None:
        async with open_redis(self) as client, client.pubsub() as pubsub:
            await pubsub.subscribe(*self.ctx.spec.channels)
            self.ready.set()
            while True:
                message = await detached(pubsub.get_message(timeout=_WAIT))
                if message is None or message.get("type") != "message":
                    continue
                try:
                    data = self.event_data(message)
                except BadPayload as exc:
                    self.log.error("message on %s rejected: %s", _text(message.get("channel")), exc)
                    self.failed()
                    continue
                await self.emit_until_stored(emit, data)
