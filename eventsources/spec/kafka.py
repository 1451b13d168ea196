"""The ``kafka`` event source: a topic partition or consumer group (``KafkaEventSource``)."""

from __future__ import annotations

from eventsources.spec.checks import check_backoff, check_enum, check_tls, require
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

SASL_MECHANISMS = ("PLAIN", "OAUTHBEARER", "SCRAM-SHA-256", "SCRAM-SHA-512", "GSSAPI")
REBALANCE_STRATEGIES = ("range", "roundrobin", "sticky")


class KafkaConsumerGroup(EventsModel):
    group_name: str = ""
    oldest: bool | None = None
    rebalance_strategy: str | None = None


class SASLConfig(EventsModel):
    mechanism: str | None = None
    user_secret: SecretKeySelector | None = None
    password_secret: SecretKeySelector | None = None


class SchemaRegistryConfig(EventsModel):
    url: str = ""
    schema_id: int | None = None
    auth: BasicAuth | None = None


class AWSMSKIAMConfig(EventsModel):
    region: str = ""


class KafkaEventSource(EventsModel):
    url: str = ""
    partition: AnyStr = ""
    topic: str = ""
    connection_backoff: Backoff | None = None
    tls: TLSConfig | None = None
    json_body: bool | None = None
    metadata: dict[str, AnyStr] | None = None
    consumer_group: KafkaConsumerGroup | None = None
    limit_events_per_second: int | None = None
    version: str | None = None
    sasl: SASLConfig | None = None
    filter: EventSourceFilter | None = None
    config: str | None = None
    schema_registry: SchemaRegistryConfig | None = None
    aws_msk_iam_auth: AWSMSKIAMConfig | None = None


def check_sasl(sasl: SASLConfig | None, path: str, problems: Problems) -> None:
    if sasl is None:
        return
    if sasl.mechanism:
        check_enum(sasl.mechanism, SASL_MECHANISMS, join_path(path, "mechanism"), problems, "SASL mechanism")
    if sasl.user_secret is None or sasl.password_secret is None:
        problems.error(path, "sasl needs both userSecret and passwordSecret")


def check_kafka_source(src: KafkaEventSource, path: str, problems: Problems) -> None:
    require(src.url, join_path(path, "url"), problems, "the broker address(es), such as 127.0.0.1:9092")
    require(src.topic, join_path(path, "topic"), problems, "the topic to consume")
    if not src.partition and src.consumer_group is None:
        problems.error(path, "either partition or consumerGroup must be given")
    if src.partition and not src.partition.isdigit():
        problems.error(join_path(path, "partition"), f"partition {src.partition!r} is not a partition number")
    group = src.consumer_group
    if group is not None:
        require(group.group_name, join_path(path, "consumerGroup", "groupName"), problems, "the consumer group name")
        if group.rebalance_strategy:
            strategy_path = join_path(path, "consumerGroup", "rebalanceStrategy")
            check_enum(group.rebalance_strategy, REBALANCE_STRATEGIES, strategy_path, problems, "rebalanceStrategy")
    if src.limit_events_per_second is not None and src.limit_events_per_second < 0:
        problems.error(join_path(path, "limitEventsPerSecond"), "limitEventsPerSecond must not be negative")
    if src.aws_msk_iam_auth is not None:
        require(src.aws_msk_iam_auth.region, join_path(path, "awsMskIamAuth", "region"), problems, "the AWS region")
    check_backoff(src.connection_backoff, join_path(path, "connectionBackoff"), problems)
    check_tls(src.tls, join_path(path, "tls"), problems)
    check_sasl(src.sasl, join_path(path, "sasl"), problems)


# Its fields are checked like any implemented type, but no Kafka consumer runs yet (there was no
# broker to prove one against), so the same words as for Argo-only types apply.
KAFKA_UNSUPPORTED = "event source type 'kafka' is not supported by pinnace"


def check_kafka_sources(events: dict[str, KafkaEventSource], path: str, problems: Problems) -> None:
    before = len(problems.items)
    for name, src in events.items():
        check_kafka_source(src, join_path(path, name), problems)
    if len(problems.items) == before:
        # Said only when these events are otherwise valid, so a real mistake is not buried under it.
        problems.unsupported(path, KAFKA_UNSUPPORTED)


register_source_type("kafka", KafkaEventSource, check_kafka_sources)
