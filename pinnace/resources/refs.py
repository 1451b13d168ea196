"""One key of a Secret or ConfigMap, read through a ``ResourceClient`` (``secretKeyRef`` /
``configMapKeyRef``; Argo mounts them into the pod, pinnace reads the same objects from the API).

A Secret's ``stringData`` wins over its ``data`` (as the API server merges them on write);
``data`` values are base64, as in Kubernetes. A missing object or key, or a value that is not
base64 text, raises ``KeyRefError``; any other API failure (unreachable, forbidden) propagates
as the ``ApiError`` it is, so callers can retry it.
"""

from __future__ import annotations

import base64
import binascii
from typing import Literal

from pinnace.resources.client import Obj, ResourceClient
from pinnace.resources.errors import NotFound

Reason = Literal["object", "key", "value"]


class KeyRefError(LookupError):
    """``reason``: the ``object`` or the ``key`` does not exist, or the ``value`` is unusable."""

    def __init__(self, message: str, *, reason: Reason, kind: str, name: str, key: str, namespace: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.kind, self.name, self.key, self.namespace = kind, name, key, namespace

    @property
    def missing(self) -> bool:
        """The object or key is absent: a caller with another place to look may look there."""
        return self.reason != "value"


async def _read(client: ResourceClient, kind: str, name: str, key: str, namespace: str) -> Obj:
    try:
        return await client.get(kind, name, namespace)
    except NotFound:
        raise KeyRefError(f"{kind} {name!r} not found in namespace {namespace!r}; create it or fix the name",
                          reason="object", kind=kind, name=name, key=key, namespace=namespace) from None


def _no_key(kind: str, name: str, key: str, namespace: str, keys: list[str]) -> KeyRefError:
    have = ", ".join(sorted(keys)) or "none"
    return KeyRefError(f"{kind} {name!r} in namespace {namespace!r} has no key {key!r} (its keys: {have})",
                       reason="key", kind=kind, name=name, key=key, namespace=namespace)


async def read_secret_key(client: ResourceClient, name: str, key: str, namespace: str) -> str:
    secret = await _read(client, "Secret", name, key, namespace)
    string_data = secret.get("stringData") or {}
    if key in string_data:
        return str(string_data[key])
    data = secret.get("data") or {}
    if key not in data:
        raise _no_key("Secret", name, key, namespace, [*data, *string_data])
    try:
        return base64.b64decode(str(data[key]), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise KeyRefError(f"Secret {name!r} key {key!r} in namespace {namespace!r} is not valid base64 text: {exc}",
                          reason="value", kind="Secret", name=name, key=key, namespace=namespace) from None


async def read_configmap_key(client: ResourceClient, name: str, key: str, namespace: str) -> str:
    configmap = await _read(client, "ConfigMap", name, key, namespace)
    data = configmap.get("data") or {}
    if key not in data:
        raise _no_key("ConfigMap", name, key, namespace, list(data))
    return str(data[key])
