"""The ``mqtt`` event source: an MQTT topic subscription (``MQTTEventSource``)."""

from __future__ import annotations

from eventsources.spec.checks import check_backoff, check_basic_auth, check_tls, require
from eventsources.spec.common import AnyStr, Backoff, BasicAuth, EventsModel, EventSourceFilter, TLSConfig
from eventsources.spec.types import register_source_type
from pinnace.resources.base import Problems, join_path


class MQTTEventSource(EventsModel):
    url: str = ""
    topic: str = ""
    client_id: str = ""
    connection_backoff: Backoff | None = None
    json_body: bool | None = None
    tls: TLSConfig | None = None
    metadata: dict[str, AnyStr] | None = None
    filter: EventSourceFilter | None = None
    auth: BasicAuth | None = None


def check_mqtt_source(src: MQTTEventSource, path: str, problems: Problems) -> None:
    require(src.url, join_path(path, "url"), problems, "the broker URL, such as tcp://127.0.0.1:1883")
    require(src.topic, join_path(path, "topic"), problems, "the topic (filter) to subscribe to")
    require(src.client_id, join_path(path, "clientId"), problems, "a client id unique on the broker")
    check_backoff(src.connection_backoff, join_path(path, "connectionBackoff"), problems)
    check_tls(src.tls, join_path(path, "tls"), problems)
    check_basic_auth(src.auth, join_path(path, "auth"), problems)


def check_mqtt_sources(events: dict[str, MQTTEventSource], path: str, problems: Problems) -> None:
    for name, src in events.items():
        check_mqtt_source(src, join_path(path, name), problems)


register_source_type("mqtt", MQTTEventSource, check_mqtt_sources)
