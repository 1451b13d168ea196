"""Values referenced by ``secretKeyRef`` / ``configMapKeyRef``, read through the resource API.

Argo reads them from volumes mounted into the sensor pod; pinnace reads the same Secret and
ConfigMap objects from the API the sensor already talks to.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pinnace.resources.client import ResourceClient
from pinnace.resources.errors import ApiError
from pinnace.resources.refs import KeyRefError, read_configmap_key, read_secret_key
from triggers.base import Services, TriggerError

KeyReader = Callable[[ResourceClient, str, str, str], Awaitable[str]]


async def _read(read: KeyReader, kind: str, services: Services, ref: dict[str, Any], where: str) -> str:
    client = services.require_client(where)
    name, key = str(ref.get("name", "")), str(ref.get("key", ""))
    try:
        return await read(client, name, key, services.namespace)
    except KeyRefError as exc:
        raise TriggerError(f"{where}: {exc}", retryable=False) from None
    except ApiError as exc:
        raise TriggerError(f"{where}: cannot read {kind} {name!r}: {exc.message}", retryable=False) from None


async def secret_value(services: Services, ref: dict[str, Any], where: str) -> str:
    return await _read(read_secret_key, "Secret", services, ref, where)


async def configmap_value(services: Services, ref: dict[str, Any], where: str) -> str:
    return await _read(read_configmap_key, "ConfigMap", services, ref, where)


async def value_from(services: Services, source: dict[str, Any], where: str) -> str:
    if source.get("secretKeyRef"):
        return await secret_value(services, source["secretKeyRef"], f"{where}.secretKeyRef")
    if source.get("configMapKeyRef"):
        return await configmap_value(services, source["configMapKeyRef"], f"{where}.configMapKeyRef")
    raise TriggerError(f"{where}: give secretKeyRef or configMapKeyRef", retryable=False)
