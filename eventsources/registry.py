"""Source types by spec key (``webhook``, ``calendar``, ``nats``, ...): a dict, filled at import.

Queue types depend on client libraries that are optional installs (redis, aio-pika, aiomqtt);
a type whose module cannot be imported is remembered with the reason so that an EventSource
using it fails at load time with advice instead of at the first message.
"""

from __future__ import annotations

import importlib

from eventsources.base import EventSourceType

SOURCE_TYPES: dict[str, type[EventSourceType]] = {}
UNAVAILABLE: dict[str, str] = {}

# Module per spec key; several keys may live in one module (redis and redisStream do not).
BUILTIN_MODULES: dict[str, str] = {
    "webhook": "eventsources.webhook.source",
    "calendar": "eventsources.calendar",
    "nats": "eventsources.nats",
    "redis": "eventsources.redis",
    "redisStream": "eventsources.redis_stream",
    "amqp": "eventsources.amqp",
    "mqtt": "eventsources.mqtt",
    "file": "eventsources.file",
}

_INSTALL_HINT = {
    "redis": "redis",
    "redisStream": "redis",
    "amqp": "aio-pika",
    "mqtt": "aiomqtt",
}


def register(cls: type[EventSourceType]) -> type[EventSourceType]:
    """Class decorator: make ``cls`` the implementation of spec key ``cls.key``."""
    if cls.key in SOURCE_TYPES and SOURCE_TYPES[cls.key] is not cls:
        raise ValueError(f"event source type {cls.key!r} registered twice")
    SOURCE_TYPES[cls.key] = cls
    return cls


def load_builtin_types() -> None:
    for key, module in BUILTIN_MODULES.items():
        if key in SOURCE_TYPES or key in UNAVAILABLE:
            continue
        try:
            importlib.import_module(module)
        except ImportError as exc:
            hint = _INSTALL_HINT.get(key)
            advice = f"; install it with: pip install {hint}" if hint else ""
            UNAVAILABLE[key] = f"the {key} event source cannot run here ({exc}){advice}"


def lookup(key: str) -> type[EventSourceType] | None:
    load_builtin_types()
    return SOURCE_TYPES.get(key)
