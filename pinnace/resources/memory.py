"""``MemoryClient``: an in-memory ``ResourceClient`` for fast tests and single-process embedding.

Semantics follow the Kubernetes API where callers depend on them: a global ``resourceVersion``
counter, ``Conflict`` on an update carrying a stale version, ``generateName``, status written only
through ``update_status`` (and spec only through ``update``), and watch fan-out with an initial
``ADDED`` replay.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import secrets
import string
import uuid
from collections.abc import AsyncIterator

from pinnace.resources.client import Obj, WatchEvent
from pinnace.resources.errors import AlreadyExists, Conflict, Invalid, NotFound
from pinnace.resources.patching import merge_patch

_SUFFIX = string.ascii_lowercase + string.digits

Key = tuple[str, str | None, str]  # kind, namespace, name


def _labels_match(obj: Obj, selector: str | None) -> bool:
    if not selector:
        return True
    labels = (obj.get("metadata") or {}).get("labels") or {}
    for term in selector.split(","):
        term = term.strip()
        if "!=" in term:
            k, v = term.split("!=", 1)
            if labels.get(k.strip()) == v.strip():
                return False
        elif "=" in term:
            k, v = term.replace("==", "=").split("=", 1)
            if labels.get(k.strip()) != v.strip():
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term and term not in labels:
            return False
    return True


class MemoryClient:
    def __init__(self) -> None:
        self.objects: dict[Key, Obj] = {}
        self.version = 0
        self.watchers: list[tuple[str, str | None, asyncio.Queue[WatchEvent | None]]] = []

    def _key(self, kind: str, name: str, namespace: str | None) -> Key:
        return (kind, namespace, name)

    def _bump(self, obj: Obj) -> Obj:
        self.version += 1
        obj["metadata"]["resourceVersion"] = str(self.version)
        return obj

    def _emit(self, etype: str, obj: Obj) -> None:
        kind = obj["kind"]
        ns = obj["metadata"].get("namespace")
        for wkind, wns, queue in list(self.watchers):
            if wkind == kind and (wns is None or wns == ns):
                queue.put_nowait(WatchEvent(etype, copy.deepcopy(obj)))  # type: ignore[arg-type]

    async def get(self, kind: str, name: str, namespace: str | None = "default") -> Obj:
        obj = self.objects.get(self._key(kind, name, namespace))
        if obj is None:
            raise NotFound(f'{kind} "{name}" not found', kind=kind, name=name)
        return copy.deepcopy(obj)

    async def list(self, kind: str, namespace: str | None = "default", label_selector: str | None = None) -> list[Obj]:
        return [
            copy.deepcopy(o)
            for (k, ns, _), o in sorted(self.objects.items(), key=lambda i: i[0][2])
            if k == kind and (namespace is None or ns == namespace) and _labels_match(o, label_selector)
        ]

    async def create(self, obj: Obj, namespace: str | None = "default") -> Obj:
        new = copy.deepcopy(obj)
        kind = new.get("kind", "")
        meta = new.setdefault("metadata", {})
        if not meta.get("name"):
            prefix = meta.get("generateName")
            if not prefix:
                raise Invalid("metadata.name or metadata.generateName is required", [], kind=kind)
            meta["name"] = prefix + "".join(secrets.choice(_SUFFIX) for _ in range(5))
        ns = meta.get("namespace") or namespace
        if ns is not None:
            meta["namespace"] = ns
        key = self._key(kind, meta["name"], ns)
        if key in self.objects:
            raise AlreadyExists(f'{kind} "{meta["name"]}" already exists', kind=kind, name=meta["name"])
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        meta.setdefault("generation", 1)
        self.objects[key] = self._bump(new)
        self._emit("ADDED", new)
        return copy.deepcopy(new)

    def _current(self, obj: Obj) -> tuple[Key, Obj]:
        meta = obj.get("metadata") or {}
        key = self._key(obj.get("kind", ""), meta.get("name", ""), meta.get("namespace"))
        cur = self.objects.get(key)
        if cur is None:
            raise NotFound(f'{key[0]} "{key[2]}" not found', kind=key[0], name=key[2])
        rv = meta.get("resourceVersion")
        if rv and rv != cur["metadata"]["resourceVersion"]:
            raise Conflict(
                f'Operation cannot be fulfilled on {key[0]} "{key[2]}": the object has been modified; '
                "please apply your changes to the latest version and try again",
                kind=key[0],
                name=key[2],
            )
        return key, cur

    async def update(self, obj: Obj) -> Obj:
        key, cur = self._current(obj)
        new = copy.deepcopy(obj)
        if "status" in cur:
            new["status"] = copy.deepcopy(cur["status"])
        else:
            new.pop("status", None)
        for field in ("uid", "creationTimestamp", "namespace", "name"):
            if field in cur["metadata"]:
                new["metadata"][field] = cur["metadata"][field]
        if new.get("spec") != cur.get("spec"):
            new["metadata"]["generation"] = cur["metadata"].get("generation", 1) + 1
        self.objects[key] = self._bump(new)
        self._emit("MODIFIED", new)
        return copy.deepcopy(new)

    async def update_status(self, obj: Obj) -> Obj:
        key, cur = self._current(obj)
        new = copy.deepcopy(cur)
        new["status"] = copy.deepcopy(obj.get("status") or {})
        self.objects[key] = self._bump(new)
        self._emit("MODIFIED", new)
        return copy.deepcopy(new)

    async def patch(self, kind: str, name: str, patch: Obj, namespace: str | None = "default") -> Obj:
        key = self._key(kind, name, namespace)
        cur = self.objects.get(key)
        if cur is None:
            raise NotFound(f'{kind} "{name}" not found', kind=kind, name=name)
        new = merge_patch(copy.deepcopy(cur), patch)
        new["metadata"]["name"], new["kind"] = name, kind
        self.objects[key] = self._bump(new)
        self._emit("MODIFIED", new)
        return copy.deepcopy(new)

    async def delete(self, kind: str, name: str, namespace: str | None = "default") -> None:
        obj = self.objects.pop(self._key(kind, name, namespace), None)
        if obj is None:
            raise NotFound(f'{kind} "{name}" not found', kind=kind, name=name)
        self._emit("DELETED", self._bump(obj))

    async def watch(
        self, kind: str, namespace: str | None = "default", resource_version: str | None = None
    ) -> AsyncIterator[WatchEvent]:
        queue: asyncio.Queue[WatchEvent | None] = asyncio.Queue()
        entry = (kind, namespace, queue)
        if resource_version is None:
            for o in await self.list(kind, namespace):
                queue.put_nowait(WatchEvent("ADDED", o))
        self.watchers.append(entry)
        try:
            while (event := await queue.get()) is not None:
                yield event
        finally:
            self.watchers.remove(entry)

    def close_watches(self) -> None:
        for _, _, queue in self.watchers:
            queue.put_nowait(None)


