"""The ``k8s`` trigger: create, update, patch or delete any object the API knows (Argo's standard-k8s)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pinnace.resources.client import Obj, ResourceClient
from pinnace.resources.errors import ApiError, NotFound
from sensors import params
from sensors.event import Event
from triggers.base import Firing, Services, TriggerError, TriggerSpec, parameterize, register
from triggers.objects import api_failure, apply_k8s_policy, create_once, merge_override, namespace_of, stamp
from triggers.sources import fetch_source

Operation = Callable[[ResourceClient, Obj, str, Firing], Awaitable[Obj | None]]


async def _create(client: ResourceClient, obj: Obj, ns: str, firing: Firing) -> Obj | None:
    return await create_once(client, stamp(obj, firing), ns, firing)


async def _existing(client: ResourceClient, obj: Obj, ns: str) -> Obj | None:
    try:
        return await client.get(str(obj.get("kind")), str(obj["metadata"].get("name", "")), ns)
    except NotFound:
        return None
    except ApiError as exc:
        raise api_failure(exc, "failed to retrieve existing object") from None


async def _update(client: ResourceClient, obj: Obj, ns: str, firing: Firing) -> Obj | None:
    old = await _existing(client, obj, ns)
    if old is None:
        return await create_once(client, obj, ns, firing)
    try:
        return await client.update(merge_override(old, obj))
    except ApiError as exc:
        raise api_failure(exc, "failed to update the object") from None


async def _patch(client: ResourceClient, obj: Obj, ns: str, firing: Firing) -> Obj | None:
    if await _existing(client, obj, ns) is None:
        return await create_once(client, obj, ns, firing)
    try:
        return await client.patch(str(obj["kind"]), str(obj["metadata"]["name"]), obj, ns)
    except ApiError as exc:
        raise api_failure(exc, "failed to patch the object") from None


async def _delete(client: ResourceClient, obj: Obj, ns: str, firing: Firing) -> Obj | None:
    if await _existing(client, obj, ns) is None:
        return None
    try:
        await client.delete(str(obj["kind"]), str(obj["metadata"]["name"]), ns)
    except NotFound:
        return None
    except ApiError as exc:
        raise api_failure(exc, "failed to delete object") from None
    return None


OPERATIONS: dict[str, Operation] = {"create": _create, "update": _update, "patch": _patch, "delete": _delete}


@dataclass
class K8sTrigger:
    spec: TriggerSpec
    services: Services
    type: str = "k8s"

    def __post_init__(self) -> None:
        self.parameters = params.compile_parameters(self.spec.body.get("parameters"), f"{self.spec.where}.parameters")
        self.operation = str(self.spec.body.get("operation") or "create")
        if self.operation not in OPERATIONS:
            raise TriggerError(
                f"{self.spec.where}.operation: unknown operation type {self.operation!r}; "
                "use create, update, patch or delete", retryable=False,
            )

    async def fetch(self) -> Any:
        obj = await fetch_source(self.spec.body.get("source"), self.services, self.spec.where)
        if self.spec.body.get("liveObject") and self.operation == "update":
            name = (obj.get("metadata") or {}).get("name")
            if not name:
                raise TriggerError(f"{self.spec.where}: resource name must be specified for fetching live object",
                                   retryable=False)
            client = self.services.require_client(self.spec.where)
            try:
                return await client.get(str(obj.get("kind")), str(name), namespace_of(obj, self.services.namespace))
            except ApiError as exc:
                raise api_failure(exc, "fetching the live object") from None
        return obj

    def apply_parameters(self, resource: Any, events: dict[str, Event]) -> Any:
        return parameterize(resource, self.parameters, events, f"{self.spec.where}.parameters")

    async def execute(self, resource: Any, firing: Firing) -> Any:
        client = self.services.require_client(self.spec.where)
        ns = namespace_of(resource, self.services.namespace)
        resource.setdefault("metadata", {})["namespace"] = ns
        if not resource.get("kind"):
            raise TriggerError(f"{self.spec.where}.source: the resource has no kind", retryable=False)
        return await OPERATIONS[self.operation](client, resource, ns, firing)

    async def apply_policy(self, result: Any) -> None:
        await apply_k8s_policy(self.spec, self.services, result)


@register("k8s")
def build(spec: TriggerSpec, services: Services) -> K8sTrigger:
    return K8sTrigger(spec, services)
