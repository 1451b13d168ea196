"""The ``redis`` (pub/sub channels) and ``redisStream`` (consumer groups) event sources."""

from __future__ import annotations

from eventsources.spec.checks import check_tls, require
from eventsources.spec.common import AnyStr, EventsModel, EventSourceFilter, SecretKeySelector, TLSConfig
from eventsources.spec.types import register_source_type
from pinnace.resources.base import Problems, join_path


class RedisEventSource(EventsModel):
    host_address: str = ""
    password: SecretKeySelector | None = None
    namespace: str | None = None
    db: int | None = None
    channels: list[str] | None = None
    tls: TLSConfig | None = None
    metadata: dict[str, AnyStr] | None = None
    filter: EventSourceFilter | None = None
    json_body: bool | None = None
    username: str | None = None


class RedisStreamEventSource(EventsModel):
    host_address: str = ""
    password: SecretKeySelector | None = None
    db: int | None = None
    streams: list[str] | None = None
    max_msg_count_per_read: int | None = None
    consumer_group: str | None = None
    tls: TLSConfig | None = None
    metadata: dict[str, AnyStr] | None = None
    filter: EventSourceFilter | None = None
    username: str | None = None


def _check_common(src: RedisEventSource | RedisStreamEventSource, path: str, problems: Problems) -> None:
    require(src.host_address, join_path(path, "hostAddress"), problems, "host:port of the Redis server")
    if src.db is not None and src.db < 0:
        problems.error(join_path(path, "db"), f"db must be a database number of 0 or more, got {src.db}")
    check_tls(src.tls, join_path(path, "tls"), problems)


def check_redis_sources(events: dict[str, RedisEventSource], path: str, problems: Problems) -> None:
    for name, src in events.items():
        event_path = join_path(path, name)
        _check_common(src, event_path, problems)
        require(src.channels, join_path(event_path, "channels"), problems, "the channels (or patterns) to subscribe")


def check_redis_streams(events: dict[str, RedisStreamEventSource], path: str, problems: Problems) -> None:
    for name, src in events.items():
        event_path = join_path(path, name)
        _check_common(src, event_path, problems)
        require(src.streams, join_path(event_path, "streams"), problems, "the stream keys to read")
        count = src.max_msg_count_per_read
        if count is not None and count < 0:
            message = f"maxMsgCountPerRead must not be negative, got {count}"
            problems.error(join_path(event_path, "maxMsgCountPerRead"), message)


register_source_type("redis", RedisEventSource, check_redis_sources)
register_source_type("redisStream", RedisStreamEventSource, check_redis_streams)
