"""What event sources and sensors program against; JetStream and the in-memory twin implement it.

A source publishes a :class:`~bus.cloudevent.CloudEvent` and gets a :class:`PublishAck` once the
bus has stored it. A sensor subscribes by durable name and subject filter(s) and acks, naks
(optionally with a delay) or terminates each :class:`Delivery`. Every replica that subscribes
with the same durable name shares the work: each message goes to one of them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from bus.cloudevent import CloudEvent

DeliverPolicy = Literal["all", "new", "last"]


@dataclass(frozen=True)
class PublishAck:
    """The bus's receipt: stored at ``seq`` in ``stream``; ``duplicate`` when the id was seen before."""

    stream: str
    seq: int
    duplicate: bool = False


@dataclass(frozen=True)
class ConsumerOptions:
    """How a durable consumer delivers.

    ``ack_wait``: seconds before an unacknowledged message is delivered again.
    ``max_deliver``: delivery attempts before the bus gives up on a message (-1: no limit).
    ``deliver``: where a *new* durable starts (``new`` as Argo's sensors; an existing durable resumes).
    ``batch``: messages fetched per round trip while iterating.
    """

    ack_wait: float = 30.0
    max_deliver: int = -1
    deliver: DeliverPolicy = "new"
    max_ack_pending: int = 1000
    batch: int = 16


@runtime_checkable
class Delivery(Protocol):
    """One delivered event; settle it exactly once with ack, nak or term."""

    @property
    def event(self) -> CloudEvent: ...

    @property
    def subject(self) -> str: ...

    @property
    def stream_seq(self) -> int: ...

    @property
    def num_delivered(self) -> int:
        """1 on first delivery, 2 on the first redelivery, ..."""
        ...

    async def ack(self) -> None: ...

    async def nak(self, delay: float | None = None) -> None:
        """Deliver again, after ``delay`` seconds when given."""
        ...

    async def term(self) -> None:
        """Never deliver this message again (poison message)."""
        ...

    async def in_progress(self) -> None:
        """Still working on it: restart the ack-wait clock."""
        ...


@runtime_checkable
class Subscription(Protocol):
    async def fetch(self, batch: int = 1, timeout: float = 1.0) -> list[Delivery]:
        """Up to ``batch`` deliveries; fewer (possibly none) when ``timeout`` expires first."""
        ...

    def __aiter__(self) -> AsyncIterator[Delivery]: ...

    async def close(self) -> None: ...


@runtime_checkable
class Publisher(Protocol):
    async def publish(self, event: CloudEvent) -> PublishAck:
        """Store ``event`` under ``<stream>.<event.source>.<event.subject>``; waits for the ack."""
        ...


@runtime_checkable
class Subscriber(Protocol):
    def filter_for(self, event_source: str | None = None, event_name: str | None = None) -> str:
        """The subject filter for one event source / event name (``None`` matches any)."""
        ...

    async def subscribe(
        self, durable: str, subjects: str | Sequence[str], options: ConsumerOptions | None = None
    ) -> Subscription:
        """Join the durable consumer ``durable`` (created on first use) filtered to ``subjects``."""
        ...
