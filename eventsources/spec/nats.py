"""The ``nats`` event source: a NATS subject subscription (``NATSEventsSource``)."""

from __future__ import annotations

from typing import Literal

from eventsources.spec.checks import check_backoff, check_basic_auth, check_tls, require
from eventsources.spec.common import (
    AnyStr,
    Backoff,
    BasicAuth,
    EventsModel,
    EventSourceFilter,
    SecretKeySelector,
    TLSConfig,
)
from eventsources.spec.types import register_source_type
from pinnace.resources.base import Problems, join_path


class NATSAuth(EventsModel):
    basic: BasicAuth | None = None
    token: SecretKeySelector | None = None
    nkey: SecretKeySelector | None = None
    credential: SecretKeySelector | None = None


class NATSJetStreamConsumer(EventsModel):
    """pinnace extension: consume a JetStream stream through a durable consumer (ack after the bus ack)."""

    durable: str = ""
    stream: str | None = None
    deliver_policy: Literal["all", "new"] | None = None
    ack_wait: str | None = None


class NATSEventsSource(EventsModel):
    url: str = ""
    subject: str = ""
    connection_backoff: Backoff | None = None
    json_body: bool | None = None
    tls: TLSConfig | None = None
    metadata: dict[str, AnyStr] | None = None
    auth: NATSAuth | None = None
    filter: EventSourceFilter | None = None
    queue: str | None = None
    jetstream: NATSJetStreamConsumer | None = None


def check_nats_auth(auth: NATSAuth | None, path: str, problems: Problems) -> None:
    if auth is not None:
        check_basic_auth(auth.basic, join_path(path, "basic"), problems)


def check_nats_source(src: NATSEventsSource, path: str, problems: Problems) -> None:
    require(src.url, join_path(path, "url"), problems, "the NATS server URL, such as nats://127.0.0.1:4222")
    require(src.subject, join_path(path, "subject"), problems, "the subject to subscribe to")
    if src.queue is not None and not src.queue:
        problems.error(join_path(path, "queue"), "queue group must not be empty when given; leave it out instead")
    check_backoff(src.connection_backoff, join_path(path, "connectionBackoff"), problems)
    check_tls(src.tls, join_path(path, "tls"), problems)
    check_nats_auth(src.auth, join_path(path, "auth"), problems)


def check_nats_sources(events: dict[str, NATSEventsSource], path: str, problems: Problems) -> None:
    for name, src in events.items():
        check_nats_source(src, join_path(path, name), problems)


register_source_type("nats", NATSEventsSource, check_nats_sources)
