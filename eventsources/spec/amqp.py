"""The ``amqp`` event source: RabbitMQ and other AMQP 0-9-1 brokers (``AMQPEventSource``)."""

from __future__ import annotations

import yaml

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


class AMQPExchangeDeclareConfig(EventsModel):
    durable: bool | None = None
    auto_delete: bool | None = None
    internal: bool | None = None
    no_wait: bool | None = None


class AMQPQueueDeclareConfig(EventsModel):
    name: str | None = None
    durable: bool | None = None
    auto_delete: bool | None = None
    exclusive: bool | None = None
    no_wait: bool | None = None
    arguments: str | None = None


class AMQPQueueBindConfig(EventsModel):
    no_wait: bool | None = None


class AMQPConsumeConfig(EventsModel):
    consumer_tag: str | None = None
    auto_ack: bool | None = None
    exclusive: bool | None = None
    no_local: bool | None = None
    no_wait: bool | None = None


class AMQPEventSource(EventsModel):
    url: str = ""
    exchange_name: str = ""
    exchange_type: str = ""
    routing_key: str = ""
    connection_backoff: Backoff | None = None
    json_body: bool | None = None
    tls: TLSConfig | None = None
    metadata: dict[str, AnyStr] | None = None
    exchange_declare: AMQPExchangeDeclareConfig | None = None
    queue_declare: AMQPQueueDeclareConfig | None = None
    queue_bind: AMQPQueueBindConfig | None = None
    consume: AMQPConsumeConfig | None = None
    auth: BasicAuth | None = None
    url_secret: SecretKeySelector | None = None
    filter: EventSourceFilter | None = None
    # pinnace extension: messages in flight per consumer (basic.qos prefetch count).
    prefetch: int | None = None


def _check_queue_arguments(text: str | None, path: str, problems: Problems) -> None:
    # Argo reads the queue arguments as a YAML table string, e.g. '{"x-queue-type": "quorum"}'.
    if not text:
        return
    try:
        table = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        problems.error(path, f'arguments must be a YAML/JSON mapping such as \'{{"x-queue-type": "quorum"}}\': {exc}')
        return
    if not isinstance(table, dict):
        problems.error(path, 'arguments must be a YAML/JSON mapping such as \'{"x-queue-type": "quorum"}\'')


def check_amqp_source(src: AMQPEventSource, path: str, problems: Problems) -> None:
    if not src.url and src.url_secret is None:
        problems.error(path, "either url or urlSecret must be given (the broker URL, such as amqp://127.0.0.1:5672)")
    elif src.url and src.url_secret is not None:
        problems.error(path, "only one of url or urlSecret may be given")
    require(src.exchange_name, join_path(path, "exchangeName"), problems, "the exchange to bind the queue to")
    require(src.exchange_type, join_path(path, "exchangeType"), problems, "direct, fanout, topic or headers")
    require(src.routing_key, join_path(path, "routingKey"), problems, "the routing key of the queue binding")
    if src.queue_declare is not None:
        _check_queue_arguments(src.queue_declare.arguments, join_path(path, "queueDeclare", "arguments"), problems)
    check_backoff(src.connection_backoff, join_path(path, "connectionBackoff"), problems)
    check_tls(src.tls, join_path(path, "tls"), problems)
    check_basic_auth(src.auth, join_path(path, "auth"), problems)


def check_amqp_sources(events: dict[str, AMQPEventSource], path: str, problems: Problems) -> None:
    for name, src in events.items():
        check_amqp_source(src, join_path(path, name), problems)


register_source_type("amqp", AMQPEventSource, check_amqp_sources)
