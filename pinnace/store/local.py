"""``LocalClient``: the ``ResourceClient`` of planes running in the same process as the store.

Same semantics as the HTTP API (validation, optimistic concurrency, watch), without HTTP.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import AsyncIterator
from typing import Any

from pinnace.resources.client import Obj, WatchEvent
from pinnace.resources.patching import MERGE
from pinnace.store.store import Store


class LocalClient:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def get(self, kind: str, name: str, namespace: str | None = "default") -> Obj:
        return await self.store.get(kind, name, namespace)

    async def list(
        self, kind: str, namespace: str | None = "default", label_selector: str | None = None
    ) -> list[Obj]:
        page = await self.store.list(kind, namespace, label_selector)
        return page.objects()

    async def create(self, obj: Obj, namespace: str | None = "default") -> Obj:
        meta = obj.get("metadata") or {}
        return await self.store.create(obj, meta.get("namespace") or namespace)

    async def update(self, obj: Obj) -> Obj:
        return await self.store.replace(obj)

    async def update_status(self, obj: Obj) -> Obj:
        return await self.store.replace_status(obj)

    async def patch(self, kind: str, name: str, patch: Obj, namespace: str | None = "default",
                    content_type: str = MERGE) -> Obj:
        return await self.store.patch(kind, name, patch, namespace, content_type)

    async def delete(self, kind: str, name: str, namespace: str | None = "default") -> None:
        await self.store.delete(kind, name, namespace)

    async def list_archived(self, kind: str = "Workflow", namespace: str | None = None,
                            label_selector: str | None = None) -> builtins.list[Obj]:
        return await self.store.list_archived(kind, namespace, label_selector)

    async def watch(
        self, kind: str, namespace: str | None = "default", resource_version: str | None = None
    ) -> AsyncIterator[WatchEvent]:
        """Current objects as ADDED (unless resuming from ``resource_version``), then changes."""
        w = await self.store.watch(kind, namespace, resource_version)
        try:
            async for ev in w:
                data: dict[str, Any] = json.loads(ev.data)
                yield WatchEvent(ev.type, data)  # type: ignore[arg-type]
        finally:
            w.close()
