"""The bus on NATS JetStream: one stream per EventBus, acked publishes, durable pull consumers.

async with await JetStreamBus.connect(url, StreamSettings(name="default")) as bus:
    ack = await bus.publish(CloudEvent.new(source="github", type="webhook", subject="push", data={}))
    sub = await bus.subscribe("my-sensor__dep", bus.filter_for("github", "push"))
    async for delivery in sub:
        ...
        await delivery.ack()
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

import nats.js.errors
from nats.js import JetStreamContext, api

from bus import naming
from bus.cloudevent import CloudEvent
from bus.connection import BusConnection, ConnectionSettings, bus_error
from bus.errors import PermanentBusError
from bus.interface import ConsumerOptions, PublishAck
from bus.kv import JetStreamKV
from bus.pull import PullSubscription
from bus.settings import StreamSettings

log = logging.getLogger(__name__)

_REPLICAS_UNSUPPORTED = 10074  # replicas > 1 not supported in non-clustered mode
_DELIVER_POLICY = {"all": api.DeliverPolicy.ALL, "new": api.DeliverPolicy.NEW, "last": api.DeliverPolicy.LAST}


def stream_config(settings: StreamSettings) -> api.StreamConfig:
    return api.StreamConfig(
        name=settings.name,
        subjects=naming.stream_subjects(settings.name),
        retention=api.RetentionPolicy(settings.retention),
        discard=api.DiscardPolicy(settings.discard),
        max_msgs=settings.max_msgs,
        max_bytes=settings.max_bytes,
        max_age=settings.max_age,
        num_replicas=settings.replicas,
        duplicate_window=settings.duplicates,
        max_msg_size=settings.max_msg_size,
        storage=api.StorageType.MEMORY if settings.memory else api.StorageType.FILE,
    )


def _is_api_error(exc: BaseException, code: int) -> bool:
    return isinstance(exc, nats.js.errors.APIError) and exc.err_code == code


class JetStreamBus:
    """Publisher and Subscriber on one EventBus stream; owns its connection unless told otherwise."""

    def __init__(self, conn: BusConnection, stream: StreamSettings, *, owns_connection: bool = True) -> None:
        self.conn = conn
        self.settings = stream
        self._owns = owns_connection
        self._js: JetStreamContext = conn.js
        self._timeout = conn.settings.request_timeout
        self._subs: set[PullSubscription] = set()

    @classmethod
    async def connect(
        cls, target: str | ConnectionSettings, stream: StreamSettings | None = None, *, ensure: bool = True
    ) -> JetStreamBus:
        """Connect to ``target`` (URL or settings) and, unless ``ensure=False``, create the stream."""
        conn = await BusConnection.open(target)
        bus = cls(conn, stream or StreamSettings())
        if ensure:
            try:
                await bus.ensure_stream()
            except BaseException:
                await conn.close()
                raise
        return bus

    @property
    def stream_name(self) -> str:
        return self.settings.name

    async def ensure_stream(self) -> StreamSettings:
        """Create the stream or bring its limits in line with the settings; returns what applies.

        A single server cannot hold replicas; Argo's default of 3 then falls back to 1.
        """
        self.conn.require_connected(f"creating stream {self.stream_name}")
        try:
            return await self._apply_stream(self.settings)
        except nats.js.errors.APIError as exc:
            if not _is_api_error(exc, _REPLICAS_UNSUPPORTED) or self.settings.replicas == 1:
                raise bus_error(exc, f"creating stream {self.stream_name}") from exc
            log.info("stream %s: server is not clustered, using 1 replica", self.stream_name)
            self.settings = replace(self.settings, replicas=1)
        try:
            return await self._apply_stream(self.settings)
        except Exception as exc:
            raise bus_error(exc, f"creating stream {self.stream_name}") from exc

    async def _apply_stream(self, settings: StreamSettings) -> StreamSettings:
        config = stream_config(settings)
        try:
            await self._js.stream_info(settings.name)
        except nats.js.errors.NotFoundError:
            await self._js.add_stream(config)
            return settings
        await self._js.update_stream(config)
        return settings

    async def publish(self, event: CloudEvent) -> PublishAck:
        """Store ``event``; returns once JetStream acknowledged it. Same ``id`` twice → one message.

        Raises TemporaryBusError at once while disconnected or when the ack does not come in
        ``request_timeout`` (the event may still have been stored: retry with the same id).
        """
        doing = f"publishing event {event.id}"
        self.conn.require_connected(doing)
        payload = event.to_json()
        subject = naming.subject(self.stream_name, event.source, event.subject)
        # Structured-mode JSON describes itself; the only header is the dedup id.
        headers = {"Nats-Msg-Id": event.id}
        try:
            ack = await self._js.publish(subject, payload, timeout=self._timeout, headers=headers)
        except Exception as exc:
            raise bus_error(exc, doing) from exc
        return PublishAck(stream=ack.stream, seq=ack.seq, duplicate=bool(ack.duplicate))

    def filter_for(self, event_source: str | None = None, event_name: str | None = None) -> str:
        return naming.subject_filter(self.stream_name, event_source, event_name)

    async def subscribe(
        self, durable: str, subjects: str | Sequence[str], options: ConsumerOptions | None = None
    ) -> PullSubscription:
        """Join (creating if needed) the durable pull consumer ``durable`` on ``subjects``."""
        opts = options or ConsumerOptions()
        filters = [subjects] if isinstance(subjects, str) else list(subjects)
        if not filters:
            raise PermanentBusError(f"subscribing {durable}: give at least one subject filter")
        await self._ensure_consumer(durable, filters, opts)
        sub = PullSubscription(self.conn, self._js, self.stream_name, durable, opts, self._subs.discard)
        await sub.start()
        self._subs.add(sub)
        return sub

    async def _ensure_consumer(self, durable: str, filters: list[str], opts: ConsumerOptions) -> None:
        doing = f"creating consumer {durable} on stream {self.stream_name}"
        self.conn.require_connected(doing)
        config = api.ConsumerConfig(
            name=durable,
            durable_name=durable,
            ack_policy=api.AckPolicy.EXPLICIT,
            ack_wait=opts.ack_wait,
            max_deliver=opts.max_deliver,
            max_ack_pending=opts.max_ack_pending,
            deliver_policy=_DELIVER_POLICY[opts.deliver],
            filter_subject=filters[0] if len(filters) == 1 else None,
            filter_subjects=filters if len(filters) > 1 else None,
        )
        try:
            try:
                info = await self._js.consumer_info(self.stream_name, durable)
            except nats.js.errors.NotFoundError:
                info = None
            if info is not None:
                # An existing durable resumes where it was: its start position cannot change.
                config.deliver_policy = info.config.deliver_policy
                config.opt_start_seq = info.config.opt_start_seq
            await self._js.add_consumer(self.stream_name, config)
        except Exception as exc:
            raise bus_error(exc, doing) from exc

    async def delete_consumer(self, durable: str) -> bool:
        """Forget a durable and its position (e.g. a dependency removed from a sensor)."""
        try:
            return bool(await self._js.delete_consumer(self.stream_name, durable))
        except nats.js.errors.NotFoundError:
            return False
        except Exception as exc:
            raise bus_error(exc, f"deleting consumer {durable}") from exc

    async def kv(self, bucket: str, *, history: int = 1, ttl: float | None = None) -> JetStreamKV:
        """A KV bucket (created on first use) for state that must survive restarts."""
        return await JetStreamKV.open(self.conn, bucket, history=history, ttl=ttl)

    async def stream_message_count(self) -> int:
        try:
            info = await self._js.stream_info(self.stream_name)
        except Exception as exc:
            raise bus_error(exc, f"reading stream {self.stream_name}") from exc
        return int(info.state.messages)

    async def close(self) -> None:
        for sub in list(self._subs):
            await sub.close()
        if self._owns:
            await self.conn.close()

    async def __aenter__(self) -> JetStreamBus:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()
