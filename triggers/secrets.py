"""Values referenced by ``secretKeyRef`` / ``configMapKeyRef``, read through the resource API.

Argo reads them from volumes mounted into the sensor pod; pinnace reads the same Secret and
ConfigMap objects from the API the sensor already talks to.
"""

from __future__ import annotations

import base64
from typing import Any

from pinnace.resources.errors import ApiError
from triggers.base import Services, TriggerError


async def secret_value(services: Services, ref: dict[str, Any], where: str) -> str:
    client = services.require_client(where)
    name, key = str(ref.get("name", "")), str(ref.get("key", ""))
    try:
        secret = await client.get("Secret", name, services.namespace)
    except ApiError as exc:
        raise TriggerError(f"{where}: cannot read Secret {name!r}: {exc.message}", retryable=False) from None
    string_data = secret.get("stringData") or {}
    if key in string_data:
        return str(string_data[key])
    data = secret.get("data") or {}
    if key not in data:
        raise TriggerError(f"{where}: Secret {name!r} has no key {key!r}", retryable=False)
    return base64.b64decode(str(data[key])).decode("utf-8", "replace")


async def configmap_value(services: Services, ref: dict[str, Any], where: str) -> str:
    client = services.require_client(where)
    name, key = str(ref.get("name", "")), str(ref.get("key", ""))
    try:
        cm = await client.get("ConfigMap", name, services.namespace)
    except ApiError as exc:
        raise TriggerError(f"{where}: cannot read ConfigMap {name!r}: {exc.message}", retryable=False) from None
    data = cm.get("data") or {}
    if key not in data:
        raise TriggerError(f"{where}: ConfigMap {name!r} has no key {key!r}", retryable=False)
    return str(data[key])


async def value_from(services: Services, source: dict[str, Any], where: str) -> str:
    if source.get("secretKeyRef"):
        return await secret_value(services, source["secretKeyRef"], f"{where}.secretKeyRef")
    if source.get("configMapKeyRef"):
        return await configmap_value(services, source["configMapKeyRef"], f"{where}.configMapKeyRef")
    raise TriggerError(f"{where}: give secretKeyRef or configMapKeyRef", retryable=False)
