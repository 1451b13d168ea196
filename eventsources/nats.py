"""The ``nats`` source: a core NATS subject (optionally in a queue group), or a JetStream stream.

Event data as Argo's ``nats/start.go``: ``{subject, body, header?, metadata?}``; ``body`` is the
JSON payload with ``jsonBody``, else the bytes as base64 (Go's ``[]byte``).

Core NATS cannot redeliver, so a message is held and retried until the bus stores it. With the
pinnace extension ``jetstream: {durable, stream?, deliverPolicy?, ackWait?}`` the subject is read
through a durable JetStream consumer instead: a message is acked only after the bus ack, nak'ed
when the bus is unavailable, and its event id is derived from the stream sequence so a
redelivery after a crash is stored once.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import nats
import nats.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import api

from eventsources.base import Emit, EventSourceType, Outcome, SourceContext, SpecError
from eventsources.payloads import BadPayload, body, with_metadata
from eventsources.reconnect import Backoff, keep_connected
from eventsources.registry import register
from eventsources.tls import client_tls
from pinnace.resources.durations import DurationError, parse_go_duration

_DELIVER = {"all": api.DeliverPolicy.ALL, "new": api.DeliverPolicy.NEW, "": api.DeliverPolicy.ALL}
_FETCH_TIMEOUT = 1.0


@register
class NatsSource(EventSourceType):
    key = "nats"

    def __init__(self, ctx: SourceContext) -> None:
        super().__init__(ctx)
        spec = ctx.spec
        if not spec.url:
            raise SpecError(self.path("url"), "url is required (e.g. nats://127.0.0.1:4222)")
        if not spec.subject:
            raise SpecError(self.path("subject"), "subject is required")
        self.jetstream = getattr(spec, "jetstream", None)
        self.ack_wait = 30.0
        if self.jetstream is not None:
            if not getattr(self.jetstream, "durable", ""):
                raise SpecError(self.path("jetstream", "durable"), "a durable consumer name is required")
            policy = getattr(self.jetstream, "deliver_policy", None) or ""
            if policy not in _DELIVER:
                raise SpecError(self.path("jetstream", "deliverPolicy"), "deliverPolicy must be all or new")
            wait = getattr(self.jetstream, "ack_wait", None)
            if wait:
                try:
                    self.ack_wait = parse_go_duration(str(wait))
                except DurationError as exc:
                    raise SpecError(self.path("jetstream", "ackWait"), str(exc)) from None
        self.backoff = Backoff.from_spec(spec.connection_backoff)

    def event_data(self, msg: Msg) -> dict[str, Any]:
        data: dict[str, Any] = {"subject": msg.subject, "body": body(msg.data, self.ctx.spec.json_body)}
        if msg.headers:
            data["header"] = {k: [v] for k, v in msg.headers.items()}
        return with_metadata(data, self.ctx.spec.metadata)

    async def connect_options(self) -> dict[str, Any]:
        spec = self.ctx.spec
        opts: dict[str, Any] = {"tls": await client_tls(spec.tls, self.ctx.secrets, self.path("tls"))}
        auth = spec.auth
        if auth is not None and auth.basic is not None:
            opts["user"] = await self.secret(auth.basic.username, "auth", "basic", "username")
            opts["password"] = await self.secret(auth.basic.password, "auth", "basic", "password")
        elif auth is not None and auth.token is not None:
            opts["token"] = await self.secret(auth.token, "auth", "token")
        elif auth is not None and auth.nkey is not None:
            opts["nkeys_seed_str"] = await self.secret(auth.nkey, "auth", "nkey")
        return opts

    async def run(self, emit: Emit) -> None:
        what = f"{self.ctx.source_name}/nats/{self.ctx.event_name} ({self.ctx.spec.url})"
        await keep_connected(what, lambda: self._session(emit), self.log, self.backoff)

    async def _session(self, emit: Emit) -> None:
        closed = asyncio.Event()

        async def on_closed() -> None:
            closed.set()

        nc = await nats.connect(
            self.ctx.spec.url,
            allow_reconnect=False,
            connect_timeout=2,
            closed_cb=on_closed,
            name=f"pinnace-eventsource-{self.ctx.source_name}",
            **await self.connect_options(),
        )
        try:
            if self.jetstream is not None:
                await self._consume_jetstream(nc, emit, closed)
            else:
                await self._consume_core(nc, emit, closed)
        finally:
            with contextlib.suppress(Exception):
                await nc.close()

    async def _consume_core(self, nc: Client, emit: Emit, closed: asyncio.Event) -> None:
        async def handle(msg: Msg) -> None:
            try:
                data = self.event_data(msg)
            except BadPayload as exc:
                self.log.error("message on %s rejected: %s", msg.subject, exc)
                self.failed()
                return
            await self.emit_until_stored(emit, data)

        await nc.subscribe(self.ctx.spec.subject, queue=self.ctx.spec.queue or "", cb=handle)
        await nc.flush()
        self.ready.set()
        await closed.wait()

    def consumer_config(self) -> api.ConsumerConfig:
        js = self.jetstream
        assert js is not None
        return api.ConsumerConfig(
            durable_name=js.durable,
            ack_policy=api.AckPolicy.EXPLICIT,
            ack_wait=self.ack_wait,
            deliver_policy=_DELIVER[getattr(js, "deliver_policy", None) or ""],
            filter_subject=self.ctx.spec.subject,
        )

    async def _consume_jetstream(self, nc: Client, emit: Emit, closed: asyncio.Event) -> None:
        config = self.consumer_config()
        stream = getattr(self.jetstream, "stream", None) or None
        sub = await nc.jetstream().pull_subscribe(
            self.ctx.spec.subject, durable=config.durable_name, stream=stream, config=config
        )
        self.ready.set()
        while not closed.is_set():
            try:
                msgs = await sub.fetch(16, timeout=_FETCH_TIMEOUT)
            except nats.errors.TimeoutError:
                continue
            for i, msg in enumerate(msgs):
                if not await self._settle_one(emit, msg):
                    for rest in msgs[i + 1 :]:
                        await rest.nak()
                    break

    async def _settle_one(self, emit: Emit, msg: Msg) -> bool:
        """Ack after the bus ack; False when the bus is unavailable (the message was nak'ed)."""
        try:
            data = self.event_data(msg)
        except BadPayload as exc:
            self.log.error("message %s rejected: %s", msg.metadata.sequence.stream, exc)
            self.failed()
            await msg.term()
            return True
        meta = msg.metadata
        event_id = f"nats:{self.ctx.source_name}/{self.ctx.event_name}:{meta.stream}:{meta.sequence.stream}"
        outcome = await self.try_emit(emit, data, event_id=event_id)
        if outcome is Outcome.RETRY:
            await msg.nak(delay=1.0)
            return False
        await msg.ack()
        return True
