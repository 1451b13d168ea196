"""Every name the bus puts on the wire: streams, subjects, durable consumers, KV buckets and keys.

NATS names forbid ``.``, ``*``, ``>`` and whitespace (subjects use ``.`` as separator), KV
buckets allow only ``[A-Za-z0-9_-]``, while Kubernetes names contain dots and Argo event
names are arbitrary map keys. :func:`token` escapes a name into that narrow alphabet
reversibly, so two different names never share a subject or a durable.

Layout (one stream per EventBus, as Argo's ``default`` stream with subjects ``default.*.*``)::

    stream   <bus>                      or <namespace>__<bus> when a namespace is given
    subject  <stream>.<event source>.<event name>
    durable  <sensor>__<dependency>
    bucket   <purpose>__<owner>          (e.g. sensor__my-sensor)
"""

from __future__ import annotations

import functools
import hashlib

DEFAULT_BUS = "default"
SEPARATOR = "__"
# Server limit for stream/consumer/bucket names is 255; leave room for the "KV_" prefix.
_MAX_NAME = 200
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")


@functools.lru_cache(maxsize=4096)
def token(name: str) -> str:
    """``name`` escaped to ``[A-Za-z0-9_-]``: each other byte becomes ``_xx`` (hex), ``_`` too.

    Escaped output never contains ``__``, which keeps :data:`SEPARATOR` unambiguous.
    """
    if not name:
        raise ValueError("a bus name part must not be empty")
    out: list[str] = []
    for ch in name:
        if ch in _PLAIN:
            out.append(ch)
        else:
            out.extend(f"_{b:02x}" for b in ch.encode("utf-8"))
    return "".join(out)


def untoken(text: str) -> str:
    """Inverse of :func:`token`."""
    raw = bytearray()
    i = 0
    while i < len(text):
        if text[i] == "_":
            raw.append(int(text[i + 1 : i + 3], 16))
            i += 3
        else:
            raw.extend(text[i].encode("ascii"))
            i += 1
    return raw.decode("utf-8")


def _bounded(name: str) -> str:
    if len(name) <= _MAX_NAME:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:16]
    return f"{name[: _MAX_NAME - 18]}-h{digest}"


def stream_name(bus: str = DEFAULT_BUS, namespace: str = "") -> str:
    """The JetStream stream of an EventBus (``default`` for the default bus, no namespace)."""
    name = token(bus) if not namespace else f"{token(namespace)}{SEPARATOR}{token(bus)}"
    return _bounded(name)


def stream_subjects(stream: str) -> list[str]:
    return [f"{stream}.*.*"]


def subject(stream: str, event_source: str, event_name: str) -> str:
    """Where one event source's event lands: ``<stream>.<source>.<event>``."""
    return f"{stream}.{token(event_source)}.{token(event_name)}"


def subject_filter(stream: str, event_source: str | None = None, event_name: str | None = None) -> str:
    """A consumer filter; ``None`` for a part matches any source or event name."""
    src = token(event_source) if event_source is not None else "*"
    evt = token(event_name) if event_name is not None else "*"
    return f"{stream}.{src}.{evt}"


def parse_subject(subj: str) -> tuple[str, str, str]:
    """``(stream, event source, event name)`` of a subject built by :func:`subject`."""
    parts = subj.split(".")
    if len(parts) != 3:
        raise ValueError(f"subject {subj!r} is not <stream>.<source>.<event>")
    return parts[0], untoken(parts[1]), untoken(parts[2])


def durable_name(*parts: str) -> str:
    """A durable consumer shared by every replica of one reader (e.g. sensor + dependency)."""
    return _bounded(SEPARATOR.join(token(p) for p in parts))


def kv_bucket(purpose: str, owner: str, namespace: str = "") -> str:
    """A KV bucket for state that must survive restarts, e.g. ``kv_bucket("sensor", name)``."""
    pieces = [purpose, namespace, owner] if namespace else [purpose, owner]
    return _bounded(SEPARATOR.join(token(p) for p in pieces))


def kv_key(*parts: str) -> str:
    """A KV key from free-form parts (KV keys allow ``[-/_=.A-Za-z0-9]``; ``.`` separates parts)."""
    return ".".join(token(p) for p in parts)
