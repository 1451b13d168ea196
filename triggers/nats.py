"""The ``nats`` trigger: publish the payload to a subject on a NATS server (Argo's nats trigger).

One connection per server URL is kept for the life of the sensor.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import nats as nats_client
from nats.errors import Error as NatsError

from sensors import params
from sensors.event import Event
from triggers.base import Firing, Services, TriggerError, TriggerSpec, parameterize, payload_of, register


@dataclass
class NatsTrigger:
    spec: TriggerSpec
    services: Services
    type: str = "nats"

    def __post_init__(self) -> None:
        where = self.spec.where
        self.parameters = params.compile_parameters(self.spec.body.get("parameters"), f"{where}.parameters")
        self.payload = params.compile_parameters(self.spec.body.get("payload"), f"{where}.payload")
        if self.spec.body.get("tls") or self.spec.body.get("auth"):
            raise TriggerError(f"{where}: tls and auth for the nats trigger are not supported yet", retryable=False)

    async def fetch(self) -> Any:
        return copy.deepcopy(self.spec.body)

    def apply_parameters(self, resource: Any, events: dict[str, Event]) -> Any:
        return parameterize(resource, self.parameters, events, f"{self.spec.where}.parameters")

    async def _connection(self, url: str) -> Any:
        key = f"nats:{url}"
        conn = self.services.cache.get(key)
        if conn is None or conn.is_closed:
            try:
                conn = await nats_client.connect(url, connect_timeout=5, allow_reconnect=True)
            except (OSError, NatsError) as exc:
                raise TriggerError(f"{self.spec.where}.serverURL: cannot connect to {url}: {exc}") from None
            self.services.cache[key] = conn
            self.services.closers.append(conn.close)
        return conn

    async def execute(self, resource: Any, firing: Firing) -> Any:
        data = payload_of(self.payload, firing.events, f"{self.spec.where}.payload")
        subject = str(resource.get("subject", ""))
        if not subject:
            raise TriggerError(f"{self.spec.where}.subject: no subject given", retryable=False)
        conn = await self._connection(str(resource.get("serverURL") or resource.get("serverUrl") or ""))
        try:
            await conn.publish(subject, data)
            await conn.flush(timeout=5)
        except (NatsError, TimeoutError) as exc:
            raise TriggerError(f"nats trigger: publishing to {subject} failed: {exc}") from None
        return subject

    async def apply_policy(self, result: Any) -> None:
        return None


@register("nats")
def build(spec: TriggerSpec, services: Services) -> NatsTrigger:
    return NatsTrigger(spec, services)
