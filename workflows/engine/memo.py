"""Memoization (``memoize``): outputs of a template cached in a ConfigMap under a key.

After ``operator.go handleMemoization`` and ``workflow/controller/cache/configmap_cache.go``. The
core only reads the cache (the ConfigMaps the controller passes to ``operate``) and asks, through
``Outcome.cache_saves``, for the outputs of nodes that just succeeded to be stored; the controller
writes them as Argo does: one ConfigMap data key per cache key, the value a JSON entry
``{"nodeID", "outputs", "creationTimestamp", "lastHitTimestamp"}``, the ConfigMap labelled
``workflows.argoproj.io/configmap-type: Cache``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pinnace.resources.durations import DurationError, parse_go_duration
from workflows.engine import templates as tpl
from workflows.engine.model import RETRY, SUCCEEDED, Obj, format_time, parse_time

CONFIGMAP_TYPE_LABEL = "workflows.argoproj.io/configmap-type"
CACHE_TYPE = "Cache"
_KEY = re.compile(r"^[a-zA-Z0-9][-a-zA-Z0-9]*$")

_NODE_TYPES = {"steps": "Steps", "dag": "DAG", "suspend": "Suspend", "http": "HTTP", "plugin": "Plugin"}


class MemoError(Exception):
    """The cache cannot be used; the node becomes Error with this message."""


@dataclass
class CacheSave:
    """Store ``outputs`` under ``key`` in ConfigMap ``configmap`` (namespace of the workflow)."""

    configmap: str
    key: str
    node_id: str
    outputs: Obj = field(default_factory=dict)

    def entry(self, now: dt.datetime) -> str:
        stamp = format_time(now)
        body = {"nodeID": self.node_id, "outputs": self.outputs, "creationTimestamp": stamp, "lastHitTimestamp": stamp}
        return json.dumps(body, separators=(",", ":"))


def node_type(tmpl: Obj, retry: bool) -> str:
    """``wfutil.GetNodeType``: Retry when a retry strategy applies, else by template type."""
    if retry:
        return RETRY
    return _NODE_TYPES.get(tpl.template_type(tmpl), "Pod")


def lookup(memoize: Obj, configmaps: Mapping[str, Obj], now: dt.datetime) -> tuple[Obj, Obj | None]:
    """(memoizationStatus, cached outputs or None on a miss); ``MemoError`` when unusable."""
    key = str(memoize.get("key", ""))
    name = str(((memoize.get("cache") or {}).get("configMap") or {}).get("name", ""))
    status: Obj = {"hit": False, "key": key, "cacheName": name}
    if not _KEY.match(key):
        raise MemoError(f"invalid cache key: {key}")
    cm = configmaps.get(name)
    if cm is None:
        return status, None
    labels = (cm.get("metadata") or {}).get("labels") or {}
    if CONFIGMAP_TYPE_LABEL not in labels:
        raise MemoError(f"memoization configmap doesn't have {CONFIGMAP_TYPE_LABEL} label, refusing to use it")
    if labels[CONFIGMAP_TYPE_LABEL] != CACHE_TYPE:
        raise MemoError(
            f"memoization configmap doesn't have label {CONFIGMAP_TYPE_LABEL} = {CACHE_TYPE}, refusing to use it"
        )
    raw = (cm.get("data") or {}).get(key)
    if not raw:
        return status, None
    try:
        entry: Any = json.loads(raw)
    except ValueError as err:
        raise MemoError(f"malformed cache entry: could not unmarshal JSON; unable to parse: {err}") from err
    if not isinstance(entry, dict) or entry.get("outputs") is None:
        return status, None
    if memoize.get("maxAge") and not _fresh(entry, str(memoize["maxAge"]), now):
        return status, None
    status["hit"] = True
    return status, dict(entry["outputs"])


def _fresh(entry: Obj, max_age: str, now: dt.datetime) -> bool:
    try:
        limit = parse_go_duration(max_age)
    except DurationError as err:
        raise MemoError(f"invalid maxAge: {err}") from err
    try:
        created = parse_time(str(entry.get("creationTimestamp", "")))
    except ValueError:
        return False
    return (now - created).total_seconds() <= limit


def saves(before: Mapping[str, Obj], after: Mapping[str, Obj]) -> list[CacheSave]:
    """Memoized nodes that succeeded during this pass (a cache miss that ran)."""
    out = []
    for nid, node in after.items():
        memo = node.get("memoizationStatus")
        if not memo or memo.get("hit") or node["phase"] != SUCCEEDED:
            continue
        if (before.get(nid) or {}).get("phase") == SUCCEEDED:
            continue
        out.append(CacheSave(memo.get("cacheName", ""), memo.get("key", ""), nid, dict(node.get("outputs") or {})))
    return out
