"""One interface for every trigger type, a registry keyed by the template's spec key, shared services.

A trigger runs in four steps, as Argo's ``Trigger`` interface: fetch the resource (the object
to create, the request to send), apply the trigger's parameters to it, execute, apply the policy
to the result. Types register a factory under their spec key (``argoWorkflow``, ``k8s``, ...).
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from pinnace.resources.client import ResourceClient
from sensors import params
from sensors.event import Event

SENSOR_LABEL = "events.argoproj.io/sensor"
TRIGGER_LABEL = "events.argoproj.io/trigger"
TIMESTAMP_LABEL = "events.argoproj.io/action-timestamp"
IDENTITY_LABEL = "events.pinnace.dev/trigger-id"


class TriggerError(Exception):
    """The trigger failed; ``retryable`` False means retrying cannot help (bad spec or input)."""

    def __init__(self, message: str, *, retryable: bool = True, unavailable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable
        # The target (the API) could not be reached: the event is not at fault and should wait.
        self.unavailable = unavailable


def parameterize(resource: Any, parameters: list[params.Parameter], events: dict[str, Event], where: str) -> Any:
    """``params.apply``; a parameter that cannot be applied fails the trigger for good, naming ``where``."""
    try:
        return params.apply(resource, parameters, events)
    except params.ParameterError as exc:
        raise TriggerError(f"{where}: {exc}", retryable=False) from None


def payload_of(parameters: list[params.Parameter], events: dict[str, Event], where: str) -> bytes:
    """``params.construct_payload`` (http and nats triggers), failing like ``parameterize``."""
    try:
        return params.construct_payload(parameters, events)
    except params.ParameterError as exc:
        raise TriggerError(f"{where}: {exc}", retryable=False) from None


@dataclass
class Services:
    """What triggers talk to; one instance per sensor process, closed with the sensor."""

    client: ResourceClient | None = None
    namespace: str = "default"
    # Set by the runner: opens aiohttp sessions / NATS connections lazily and closes them at the end.
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    cache: dict[str, Any] = field(default_factory=dict)

    def require_client(self, what: str) -> ResourceClient:
        if self.client is None:
            raise TriggerError(f"{what}: no Kubernetes API client configured for this sensor", retryable=False)
        return self.client

    async def close(self) -> None:
        closers, self.closers = self.closers, []
        for close in reversed(closers):
            await close()


@dataclass(frozen=True)
class Firing:
    """One execution of a trigger: the events that satisfied it and the identity derived from them."""

    sensor: str
    namespace: str
    trigger: str
    events: dict[str, Event]
    at_least_once: bool = False

    @property
    def identity(self) -> str:
        """Stable for the same set of triggering events: redeliveries map to the same resource."""
        ids = sorted(f"{dep}={ev.id}" for dep, ev in self.events.items())
        text = "\n".join([self.namespace, self.sensor, self.trigger, *ids])
        return hashlib.sha256(text.encode()).hexdigest()[:40]

    @property
    def event_ids(self) -> list[str]:
        return [ev.id for ev in self.events.values()]


class Trigger(Protocol):
    type: str

    async def fetch(self) -> Any: ...

    def apply_parameters(self, resource: Any, events: dict[str, Event]) -> Any: ...

    async def execute(self, resource: Any, firing: Firing) -> Any: ...

    async def apply_policy(self, result: Any) -> None: ...


@dataclass(frozen=True)
class TriggerSpec:
    """The parts of ``spec.triggers[i]`` a trigger implementation reads."""

    name: str
    key: str  # the template key: argoWorkflow, k8s, http, nats, log
    body: dict[str, Any]  # template[key] after template-level parameters were applied
    policy: dict[str, Any] | None = None
    where: str = ""


Factory = Callable[[TriggerSpec, Services], Trigger]
TRIGGER_TYPES: dict[str, Factory] = {}


def register(key: str) -> Callable[[Factory], Factory]:
    def add(factory: Factory) -> Factory:
        TRIGGER_TYPES[key] = factory
        return factory

    return add


def load_types() -> None:
    """Import every built-in trigger module (each registers itself)."""
    import triggers.argo_workflow
    import triggers.http
    import triggers.k8s
    import triggers.log
    import triggers.nats  # noqa: F401
