"""The controller's side of memoization: writing cache entries into their ConfigMap."""

from __future__ import annotations

import datetime as dt
import logging

from pinnace.resources.client import ResourceClient
from pinnace.resources.errors import AlreadyExists, ApiError, NotFound
from workflows.engine.memo import CACHE_TYPE, CONFIGMAP_TYPE_LABEL, CacheSave

log = logging.getLogger(__name__)


async def save_cache_entry(client: ResourceClient, namespace: str, save: CacheSave, now: dt.datetime) -> bool:
    """``configMapCache.Save``: create the ConfigMap when missing, else add or replace the key.

    A ConfigMap that exists without the cache label is not touched (Argo refuses it too).
    """
    entry = save.entry(now)
    labels = {CONFIGMAP_TYPE_LABEL: CACHE_TYPE}
    try:
        current = await client.get("ConfigMap", save.configmap, namespace)
    except NotFound:
        body = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": save.configmap, "namespace": namespace, "labels": labels},
            "data": {save.key: entry},
        }
        try:
            await client.create(body, namespace)
            return True
        except AlreadyExists:
            current = await client.get("ConfigMap", save.configmap, namespace)
        except ApiError as err:
            log.warning("could not save memoization entry %s in ConfigMap %s: %s", save.key, save.configmap, err)
            return False
    except ApiError as err:
        log.warning("could not read memoization ConfigMap %s: %s", save.configmap, err)
        return False
    if ((current.get("metadata") or {}).get("labels") or {}).get(CONFIGMAP_TYPE_LABEL) != CACHE_TYPE:
        log.warning(
            "memoization configmap %s lacks label %s=%s; not saving", save.configmap, CONFIGMAP_TYPE_LABEL, CACHE_TYPE
        )
        return False
    try:
        await client.patch("ConfigMap", save.configmap, {"data": {save.key: entry}}, namespace)
    except ApiError as err:
        log.warning("could not save memoization entry %s in ConfigMap %s: %s", save.key, save.configmap, err)
        return False
    return True
