"""The ``mqtt`` source: an MQTT topic through aiomqtt (Argo's ``mqtt/start.go``).

Event data ``{topic, messageId, body, metadata?}``. Unlike Argo (QoS 0), pinnace subscribes
with QoS 1 on a persistent session (clean session off, the spec's ``clientId``) and sends the
PUBACK only after the bus acknowledged the event. While the bus is unavailable the source
drops the connection without acknowledging; the broker redelivers the unacknowledged messages
when the session resumes.
"""

from __future__ import annotations

import ssl
from typing import Any
from urllib.parse import urlsplit

import aiomqtt

from eventsources.base import Emit, EventSourceType, Outcome, SourceContext, SpecError
from eventsources.payloads import BadPayload, body, with_metadata
from eventsources.reconnect import Backoff, keep_connected
from eventsources.registry import register
from eventsources.tls import client_tls

_TLS_SCHEMES = {"ssl", "tls", "mqtts"}
_PLAIN_SCHEMES = {"tcp", "mqtt", ""}


class BusUnavailable(Exception):
    """Raised to drop the MQTT session so the broker redelivers what was not acknowledged."""


def broker_address(url: str, path: str) -> tuple[str, int, bool]:
    parts = urlsplit(url if "://" in url else f"tcp://{url}")
    scheme = parts.scheme.lower()
    if scheme not in _TLS_SCHEMES | _PLAIN_SCHEMES or not parts.hostname:
        raise SpecError(path, f"url {url!r} must look like tcp://host:1883 or ssl://host:8883")
    tls = scheme in _TLS_SCHEMES
    return parts.hostname, parts.port or (8883 if tls else 1883), tls


@register
class MQTTSource(EventSourceType):
    key = "mqtt"

    def __init__(self, ctx: SourceContext) -> None:
        super().__init__(ctx)
        spec = ctx.spec
        if not spec.url:
            raise SpecError(self.path("url"), "url is required (e.g. tcp://127.0.0.1:1883)")
        self.host, self.port, self.tls = broker_address(spec.url, self.path("url"))
        if not spec.topic:
            raise SpecError(self.path("topic"), "topic is required")
        if not spec.client_id:
            raise SpecError(self.path("clientId"), "clientId is required: it names the persistent session")
        self.backoff = Backoff.from_spec(spec.connection_backoff)

    def event_data(self, msg: aiomqtt.Message) -> dict[str, Any]:
        payload = msg.payload if isinstance(msg.payload, bytes | bytearray) else str(msg.payload).encode()
        data: dict[str, Any] = {
            "topic": str(msg.topic),
            "messageId": int(msg.mid),
            "body": body(bytes(payload), self.ctx.spec.json_body),
        }
        return with_metadata(data, self.ctx.spec.metadata)

    async def _client(self) -> aiomqtt.Client:
        spec = self.ctx.spec
        opts: dict[str, Any] = {"identifier": spec.client_id, "clean_session": False, "timeout": 5}
        if spec.auth is not None:
            opts["username"] = await self.secret(spec.auth.username, "auth", "username")
            opts["password"] = await self.secret(spec.auth.password, "auth", "password")
        tls_ctx = await client_tls(spec.tls, self.ctx.secrets, self.path("tls"))
        if tls_ctx is None and self.tls:
            tls_ctx = ssl.create_default_context()
        if tls_ctx is not None:
            opts["tls_context"] = tls_ctx
        client = aiomqtt.Client(self.host, self.port, **opts)
        # aiomqtt does not expose paho's manual acknowledgement; switch it on so the PUBACK goes
        # out only after the bus ack (paho otherwise acks as soon as the message is queued).
        client._client.manual_ack_set(True)
        return client

    async def run(self, emit: Emit) -> None:
        what = f"{self.ctx.source_name}/mqtt/{self.ctx.event_name} ({self.ctx.spec.url})"
        await keep_connected(what, lambda: self._session(emit), self.log, self.backoff)

    async def _session(self, emit: Emit) -> None:
        client = await self._client()
        async with client:
            await client.subscribe(self.ctx.spec.topic, qos=1)
            self.ready.set()
            async for msg in client.messages:
                await self._settle(client, emit, msg)

    async def _settle(self, client: aiomqtt.Client, emit: Emit, msg: aiomqtt.Message) -> None:
        try:
            data = self.event_data(msg)
        except BadPayload as exc:
            self.log.error("message on %s rejected: %s", msg.topic, exc)
            self.failed()
            outcome = Outcome.DROP
        else:
            outcome = await self.try_emit(emit, data)
        if outcome is Outcome.RETRY:
            raise BusUnavailable("the bus is unavailable; reconnecting so the broker redelivers")
        if msg.qos > 0:
            client._client.ack(msg.mid, msg.qos)
