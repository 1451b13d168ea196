"""Where a workflow/k8s trigger's object comes from (Argo's ``pkg/sensors/artifacts``).

``resource`` (inline object), ``inline`` (YAML text), ``file``, ``url`` and ``configmap`` are
supported; ``git`` and ``s3`` are refused with a message naming the field.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from pinnace.resources.errors import ApiError
from pinnace.resources.refs import KeyRefError, read_configmap_key
from triggers.base import Services, TriggerError

Reader = Callable[[Any, Services, str], Awaitable[Any]]


def _decode(text: str, where: str) -> dict[str, Any]:
    try:
        obj = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TriggerError(f"{where}: the trigger resource is not valid YAML/JSON: {exc}", retryable=False) from None
    if not isinstance(obj, dict):
        raise TriggerError(f"{where}: the trigger resource must be an object", retryable=False)
    return obj


async def _resource(value: Any, services: Services, where: str) -> Any:
    if isinstance(value, str):
        return _decode(value, f"{where}.resource")
    if not isinstance(value, dict):
        raise TriggerError(f"{where}.resource: must be a Kubernetes object", retryable=False)
    return copy.deepcopy(value)


async def _inline(value: Any, services: Services, where: str) -> Any:
    return _decode(str(value), f"{where}.inline")


async def _file(value: Any, services: Services, where: str) -> Any:
    path = Path(str((value or {}).get("path", "")))
    try:
        text = await asyncio.to_thread(path.read_text)
    except OSError as exc:
        raise TriggerError(f"{where}.file.path: cannot read {path}: {exc.strerror}", retryable=False) from None
    return _decode(text, f"{where}.file")


async def _url(value: Any, services: Services, where: str) -> Any:
    url = str((value or {}).get("path", ""))
    verify = bool((value or {}).get("verifyCert", False))
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session,
            session.get(url, ssl=verify) as resp,
        ):
            if resp.status >= 400:
                raise TriggerError(f"{where}.url.path: GET {url} answered {resp.status}")
            text = await resp.text()
    except aiohttp.ClientError as exc:
        raise TriggerError(f"{where}.url.path: GET {url} failed: {exc}") from None
    return _decode(text, f"{where}.url")


async def _configmap(value: Any, services: Services, where: str) -> Any:
    ref = value or {}
    client = services.require_client(f"{where}.configmap")
    name, key = str(ref.get("name", "")), str(ref.get("key", ""))
    namespace = str(ref.get("namespace") or services.namespace)
    try:
        text = await read_configmap_key(client, name, key, namespace)
    except KeyRefError as exc:
        raise TriggerError(f"{where}.configmap{'.key' if exc.reason == 'key' else ''}: {exc}") from None
    except ApiError as exc:
        raise TriggerError(f"{where}.configmap: cannot read ConfigMap {namespace}/{name}: {exc}") from None
    return _decode(text, f"{where}.configmap")


async def _unsupported(value: Any, services: Services, where: str) -> Any:
    raise TriggerError(f"{where}: git and s3 trigger sources are not supported by pinnace; "
                       "use resource, file, url or configmap", retryable=False)


SOURCE_READERS: dict[str, Reader] = {
    "resource": _resource,
    "inline": _inline,
    "file": _file,
    "url": _url,
    "configmap": _configmap,
    "git": _unsupported,
    "s3": _unsupported,
}


async def fetch_source(source: dict[str, Any] | None, services: Services, where: str) -> dict[str, Any]:
    for key, value in (source or {}).items():
        reader = SOURCE_READERS.get(key)
        if reader is not None and value is not None:
            result: dict[str, Any] = await reader(value, services, f"{where}.source")
            return result
    raise TriggerError(f"{where}.source: no trigger source given (resource, file, url or configmap)", retryable=False)
