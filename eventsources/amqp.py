"""The ``amqp`` source: RabbitMQ through aio-pika (Argo's ``amqp/start.go``).

Exchange, queue and binding are declared with Argo's defaults (durable exchange; server-named
exclusive queue) unless ``exchangeDeclare``/``queueDeclare``/``queueBind`` say otherwise.
Messages are acknowledged manually, only after the bus acknowledged the event; while the bus is
unavailable a message is requeued (after a backoff), so nothing is lost. ``consume.autoAck: true``
given explicitly restores Argo's at-most-once behaviour. ``prefetch`` (pinnace extension,
default 10) bounds the unacknowledged messages in flight.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import aio_pika
import yaml
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractQueue

from eventsources.base import Emit, EventSourceType, Outcome, SourceContext, SpecError
from eventsources.payloads import BadPayload, body, with_metadata
from eventsources.reconnect import Backoff, keep_connected
from eventsources.registry import register
from eventsources.schedule import go_time_string
from eventsources.tls import client_tls

DEFAULT_PREFETCH = 10
_GO_ZERO_TIME = "0001-01-01 00:00:00 +0000 UTC"


def _flag(block: Any, name: str, default: bool) -> bool:
    if block is None:
        return default
    value = getattr(block, name, None)
    return bool(value) if value is not None else False


def queue_arguments(text: str | None, path: str) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        table = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SpecError(path, f"arguments must be a YAML mapping: {exc}") from None
    if not isinstance(table, dict):
        raise SpecError(path, "arguments must be a YAML mapping such as 'x-queue-type: quorum'")
    return table


@register
class AMQPSource(EventSourceType):
    key = "amqp"

    def __init__(self, ctx: SourceContext) -> None:
        super().__init__(ctx)
        spec = ctx.spec
        if not spec.url and spec.url_secret is None:
            raise SpecError(self.path("url"), "url (or urlSecret) is required, e.g. amqp://guest:guest@127.0.0.1:5672/")
        if not spec.exchange_name:
            raise SpecError(self.path("exchangeName"), "exchangeName is required")
        if not spec.exchange_type:
            raise SpecError(self.path("exchangeType"), "exchangeType is required (direct, fanout, topic, headers)")
        qd = spec.queue_declare
        self.arguments = queue_arguments(qd.arguments if qd else None, self.path("queueDeclare", "arguments"))
        self.auto_ack = bool(spec.consume is not None and spec.consume.auto_ack)
        self.prefetch = int(getattr(spec, "prefetch", None) or DEFAULT_PREFETCH)
        self.backoff = Backoff.from_spec(spec.connection_backoff)
        self.requeue = Backoff(initial=0.2, maximum=5.0)

    def event_data(self, msg: AbstractIncomingMessage) -> dict[str, Any]:
        stamp = msg.timestamp
        data: dict[str, Any] = {
            "contentType": msg.content_type or "",
            "contentEncoding": msg.content_encoding or "",
            "deliveryMode": int(msg.delivery_mode or 0),
            "priority": int(msg.priority or 0),
            "correlationId": msg.correlation_id or "",
            "replyTo": msg.reply_to or "",
            "expiration": str(msg.expiration) if msg.expiration is not None else "",
            "messageId": msg.message_id or "",
            "timestamp": go_time_string(stamp.astimezone(UTC)) if isinstance(stamp, datetime) else _GO_ZERO_TIME,
            "type": msg.type or "",
            "appId": msg.app_id or "",
            "exchange": msg.exchange or "",
            "routingKey": msg.routing_key or "",
            "body": body(msg.body, self.ctx.spec.json_body),
        }
        return with_metadata(data, self.ctx.spec.metadata)

    async def _connect(self) -> aio_pika.abc.AbstractConnection:
        spec = self.ctx.spec
        url = await self.secret(spec.url_secret, "urlSecret") if spec.url_secret is not None else spec.url
        opts: dict[str, Any] = {"timeout": 5}
        ssl_ctx = await client_tls(spec.tls, self.ctx.secrets, self.path("tls"))
        if ssl_ctx is not None:
            opts["ssl"] = True
            opts["ssl_context"] = ssl_ctx
        if spec.auth is not None:
            opts["login"] = await self.secret(spec.auth.username, "auth", "username")
            opts["password"] = await self.secret(spec.auth.password, "auth", "password")
        conn: aio_pika.abc.AbstractConnection = await aio_pika.connect(url, **opts)
        return conn

    async def _declare(self, channel: AbstractChannel) -> AbstractQueue:
        spec = self.ctx.spec
        ed, qd, qb = spec.exchange_declare, spec.queue_declare, spec.queue_bind
        exchange = await channel.declare_exchange(
            spec.exchange_name,
            spec.exchange_type,
            durable=_flag(ed, "durable", True),
            auto_delete=_flag(ed, "auto_delete", False),
            internal=_flag(ed, "internal", False),
        )
        queue = await channel.declare_queue(
            (qd.name if qd else None) or None,
            durable=_flag(qd, "durable", False),
            exclusive=_flag(qd, "exclusive", True),
            auto_delete=_flag(qd, "auto_delete", False),
            arguments=self.arguments,
        )
        del qb  # noWait has no aio-pika counterpart: every bind waits for the broker's confirmation
        await queue.bind(exchange, routing_key=spec.routing_key)
        return queue

    async def run(self, emit: Emit) -> None:
        what = f"{self.ctx.source_name}/amqp/{self.ctx.event_name}"
        await keep_connected(what, lambda: self._session(emit), self.log, self.backoff)

    async def _session(self, emit: Emit) -> None:
        consume = self.ctx.spec.consume
        async with await self._connect() as conn:
            channel = await conn.channel()
            await channel.set_qos(prefetch_count=self.prefetch)
            queue = await self._declare(channel)
            async with queue.iterator(
                no_ack=self.auto_ack,
                exclusive=bool(consume and consume.exclusive),
                consumer_tag=(consume.consumer_tag if consume else None) or None,
            ) as messages:
                self.ready.set()
                failures = 0
                async for msg in messages:
                    failures = await self._settle(emit, msg, failures)

    async def _settle(self, emit: Emit, msg: AbstractIncomingMessage, failures: int) -> int:
        """Ack after the bus ack; requeue (after a backoff) while the bus is unavailable."""
        try:
            data = self.event_data(msg)
        except BadPayload as exc:
            self.log.error("message %s rejected: %s", msg.message_id, exc)
            self.failed()
            if not self.auto_ack:
                await msg.reject(requeue=False)
            return failures
        outcome = await self.try_emit(emit, data)
        if self.auto_ack:
            return 0
        if outcome is Outcome.RETRY:
            failures += 1
            await asyncio.sleep(self.requeue.delay(failures))
            await msg.nack(requeue=True)
            return failures
        await msg.ack()
        return 0
