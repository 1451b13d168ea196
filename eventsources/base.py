"""The one interface every event-source type implements, and what it is handed at start.

A source type never talks to the bus: it turns upstream messages into Argo's payload shape and
awaits ``emit(event_name, data, ...)``. ``emit`` returns only after the bus acknowledged the
CloudEvent (or the event's filter dropped it), so a source acknowledges upstream only after
``emit`` returned; when ``emit`` raises ``TemporaryBusError`` the source leaves the upstream
message unacknowledged (nak, requeue, 503) so it comes back.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from bus.errors import PermanentBusError, TemporaryBusError
from eventsources.clock import Clock, SystemClock
from eventsources.metrics import EventSourceMetrics
from eventsources.reconnect import Backoff
from eventsources.secrets import SecretError, SecretResolver

if TYPE_CHECKING:
    from eventsources.webhook.server import WebhookPool


class Outcome(enum.Enum):
    STORED = "stored"  # the bus acknowledged: acknowledge upstream
    FILTERED = "filtered"  # the filter dropped it: acknowledge upstream, nothing to store
    RETRY = "retry"  # the bus is unavailable: leave it upstream (nak, requeue, no ack)
    DROP = "drop"  # the bus refuses it for good: acknowledge upstream, it was logged and counted


_RETRY = Backoff(initial=0.1, maximum=5.0)


class Emit(Protocol):
    async def __call__(
        self,
        event_name: str,
        data: Any,
        *,
        event_id: str | None = None,
        time: datetime | None = None,
        extensions: Mapping[str, str] | None = None,
    ) -> bool:
        """Publish one event; True once the bus acked it, False when the event's filter dropped it."""
        ...


class SpecError(ValueError):
    """A spec value a source cannot run with; ``path`` is the field path (``spec.calendar.x.schedule``)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


async def read_spec_secret(secrets: SecretResolver | None, selector: Any, path: str) -> str:
    """The secret a spec field (at ``path``) names; SpecError naming the field when it cannot be read."""
    if secrets is None:
        raise SpecError(path, "no secret store configured to resolve this secret")
    try:
        return await secrets.get(selector, path)
    except SecretError as exc:
        raise SpecError(path, str(exc)) from None


@dataclass
class SourceContext:
    """Everything one configured event (``spec.<type>.<event_name>``) needs to run."""

    source_name: str
    event_name: str
    spec: Any
    namespace: str = "default"
    metrics: EventSourceMetrics = field(default_factory=EventSourceMetrics)
    clock: Clock = field(default_factory=SystemClock)
    secrets: SecretResolver | None = None
    kv: Any = None
    webhooks: WebhookPool | None = None
    host: str = "127.0.0.1"
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("eventsources"))

    @property
    def path(self) -> str:
        """Field path of this event's spec, for error messages (type key filled by the source)."""
        return f"spec.<type>.{self.event_name}"

    def field_path(self, type_key: str, *parts: str) -> str:
        return ".".join(["spec", type_key, self.event_name, *parts])


class EventSourceType(ABC):
    """One module per type subclasses this and registers itself under its spec key."""

    key: ClassVar[str]

    def __init__(self, ctx: SourceContext) -> None:
        self.ctx = ctx
        self.log = ctx.log.getChild(f"{self.key}.{ctx.event_name}")
        # Set once the source listens (route active, subscribed, consumer attached).
        self.ready = asyncio.Event()

    def path(self, *parts: str) -> str:
        return self.ctx.field_path(self.key, *parts)

    async def secret(self, selector: Any, *parts: str, strip: bool = True) -> str:
        """The secret this event's field ``parts`` names; credentials lose the newline a file adds."""
        value = await read_spec_secret(self.ctx.secrets, selector, self.path(*parts))
        return value.strip() if strip else value

    @abstractmethod
    async def run(self, emit: Emit) -> None:
        """Consume upstream until cancelled; reconnect with backoff on upstream loss."""

    def observe(self, started: float) -> None:
        """Record Argo's processing-duration metric for one message handled since ``started``."""
        elapsed = (self.ctx.clock.monotonic() - started) * 1000.0
        self.ctx.metrics.processing_duration(self.ctx.source_name, self.ctx.event_name, elapsed)

    def failed(self) -> None:
        self.ctx.metrics.processing_failed(self.ctx.source_name, self.ctx.event_name)

    async def try_emit(
        self,
        emit: Emit,
        data: Any,
        *,
        event_id: str | None = None,
        time: datetime | None = None,
        extensions: Mapping[str, str] | None = None,
    ) -> Outcome:
        """Publish once; what the source should do with its upstream message follows the outcome."""
        started = self.ctx.clock.monotonic()
        try:
            sent = await emit(self.ctx.event_name, data, event_id=event_id, time=time, extensions=extensions)
        except TemporaryBusError as exc:
            self.log.warning("event not stored, leaving it upstream for redelivery: %s", exc)
            return Outcome.RETRY
        except PermanentBusError as exc:
            self.log.error("event dropped, the bus refuses it: %s", exc)
            return Outcome.DROP
        finally:
            self.observe(started)
        return Outcome.STORED if sent else Outcome.FILTERED

    async def emit_until_stored(
        self,
        emit: Emit,
        data: Any,
        *,
        event_id: str | None = None,
        time: datetime | None = None,
        extensions: Mapping[str, str] | None = None,
    ) -> Outcome:
        """For upstreams that cannot redeliver (core NATS, Redis pub/sub, files, ticks): hold the
        message and retry with backoff until the bus stores it or refuses it for good."""
        attempt = 0
        while True:
            outcome = await self.try_emit(emit, data, event_id=event_id, time=time, extensions=extensions)
            if outcome is not Outcome.RETRY:
                return outcome
            attempt += 1
            await asyncio.sleep(_RETRY.delay(attempt))
