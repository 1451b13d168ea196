"""Creating objects exactly once per triggering event set, shared by the workflow and k8s triggers.

Every created object carries Argo's sensor/trigger labels and ``events.pinnace.dev/trigger-id``,
a hash of the triggering CloudEvent ids. With ``atLeastOnce`` an object that only has a
``generateName`` gets a deterministic ``name`` (generateName + hash), so a redelivered event
collides with the object its first delivery created and the collision counts as success.
"""

from __future__ import annotations

import time
from typing import Any

from pinnace.resources.client import Obj, ResourceClient
from pinnace.resources.errors import AlreadyExists, ApiError, Conflict, Unavailable
from triggers import policy
from triggers.base import (
    IDENTITY_LABEL,
    SENSOR_LABEL,
    TIMESTAMP_LABEL,
    TRIGGER_LABEL,
    Firing,
    Services,
    TriggerError,
    TriggerSpec,
)

NAME_HASH_LENGTH = 10
_MAX_NAME = 253


def stamp(obj: Obj, firing: Firing) -> Obj:
    """Add the trigger labels and, with atLeastOnce, a deterministic name."""
    meta = obj.setdefault("metadata", {})
    labels = meta.get("labels") or {}
    labels.update(
        {
            SENSOR_LABEL: firing.sensor,
            TRIGGER_LABEL: firing.trigger,
            TIMESTAMP_LABEL: str(int(time.time() * 1000)),
            IDENTITY_LABEL: firing.identity,
        }
    )
    meta["labels"] = labels
    if firing.at_least_once and not meta.get("name") and meta.get("generateName"):
        base = str(meta["generateName"])[: _MAX_NAME - NAME_HASH_LENGTH]
        meta["name"] = base + firing.identity[:NAME_HASH_LENGTH]
    return obj


def api_failure(exc: ApiError, doing: str) -> TriggerError:
    """Kubernetes errors worth retrying (conflicts, unavailability) stay retryable; the rest do not."""
    retryable = isinstance(exc, Conflict | Unavailable) or exc.code >= 500
    return TriggerError(f"{doing}: {exc.reason}: {exc.message}", retryable=retryable,
                        unavailable=isinstance(exc, Unavailable))


GENERATE_ATTEMPTS = 5


async def create_once(client: ResourceClient, obj: Obj, namespace: str, firing: Firing) -> Obj:
    kind = str(obj.get("kind", ""))
    name = str(obj.get("metadata", {}).get("name") or "")
    attempts = 1 if name else GENERATE_ATTEMPTS
    for attempt in range(attempts):
        try:
            return await client.create(obj, namespace)
        except AlreadyExists:
            if name:
                return await _existing_or_conflict(client, kind, name, namespace, firing)
            # The server's random generateName suffix collided; a new attempt draws a new one.
            if attempt == attempts - 1:
                raise TriggerError(f"creating {kind}: generateName kept colliding with existing names") from None
        except ApiError as exc:
            raise api_failure(exc, f"creating {kind}") from None
    raise AssertionError("unreachable")


async def _existing_or_conflict(client: ResourceClient, kind: str, name: str, namespace: str, firing: Firing) -> Obj:
    try:
        existing = await client.get(kind, name, namespace)
    except ApiError as exc:
        raise api_failure(exc, f"reading existing {kind} {namespace}/{name}") from None
    labels = (existing.get("metadata") or {}).get("labels") or {}
    if labels.get(IDENTITY_LABEL) == firing.identity:
        return existing
    raise TriggerError(
        f"{kind} {namespace}/{name} already exists and was not created by this trigger for these events; "
        "use generateName or a parameterized name", retryable=False,
    )


def namespace_of(obj: Obj, default: str) -> str:
    return str((obj.get("metadata") or {}).get("namespace") or default)


def merge_override(dst: Any, src: Any) -> Any:
    """mergo.Merge(dst, src, WithOverride) on JSON objects: nested maps merge, other values replace."""
    if isinstance(dst, dict) and isinstance(src, dict):
        for key, value in src.items():
            if key in dst and isinstance(dst[key], dict) and isinstance(value, dict):
                merge_override(dst[key], value)
            elif value not in (None, "", [], {}):
                dst[key] = value
        return dst
    return src


async def apply_k8s_policy(trigger: TriggerSpec, services: Services, result: Any, kind: str | None = None) -> None:
    """Argo's ``policy.k8s``: wait until the object the trigger made carries the given labels."""
    spec = (trigger.policy or {}).get("k8s")
    if not spec or not spec.get("labels") or not isinstance(result, dict):
        return
    client = services.require_client(trigger.where)
    meta = result.get("metadata") or {}
    key = (kind or str(result.get("kind")), str(meta.get("name")), str(meta.get("namespace")))

    async def read() -> dict[str, Any]:
        return await client.get(*key)

    await policy.wait_for_labels(read, spec, trigger.where)
