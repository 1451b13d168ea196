"""The one interface every plane uses to read and write resources.

Implemented by the embedded store (in-process, used by ``pinnace up``), by an HTTP client of
the Kubernetes-compatible API (split deployment, real clusters), and by ``MemoryClient`` for
fast unit tests. Objects are plain JSON dicts exactly as they travel on the wire.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Literal, Protocol

Obj = dict[str, Any]
EventType = Literal["ADDED", "MODIFIED", "DELETED", "BOOKMARK"]


@dataclass(frozen=True)
class WatchEvent:
    type: EventType
    object: Obj


class ResourceClient(Protocol):
    """CRUD + watch by ``kind`` (the Kind name, e.g. ``Workflow``, ``ConfigMap``).

    Raises ``pinnace.resources.errors`` exceptions: NotFound, AlreadyExists, Conflict (stale
    ``metadata.resourceVersion`` on update), Invalid, Unavailable.
    """

    async def get(self, kind: str, name: str, namespace: str | None = "default") -> Obj: ...

    async def list(
        self, kind: str, namespace: str | None = "default", label_selector: str | None = None
    ) -> list[Obj]: ...

    async def create(self, obj: Obj, namespace: str | None = "default") -> Obj: ...

    async def update(self, obj: Obj) -> Obj: ...

    async def update_status(self, obj: Obj) -> Obj: ...

    async def patch(self, kind: str, name: str, patch: Obj, namespace: str | None = "default") -> Obj: ...

    async def delete(self, kind: str, name: str, namespace: str | None = "default") -> None: ...

    def watch(
        self, kind: str, namespace: str | None = "default", resource_version: str | None = None
    ) -> AsyncIterator[WatchEvent]: ...
