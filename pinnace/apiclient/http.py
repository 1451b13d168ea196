"""``HttpClient``: the ``ResourceClient`` over the Kubernetes REST API (ours or a real cluster)."""

from __future__ import annotations

import builtins
import json
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any

import aiohttp

from pinnace.apiclient.config import Connection
from pinnace.resources.base import Problem
from pinnace.resources.client import Obj, WatchEvent
from pinnace.resources.errors import (
    AlreadyExists,
    ApiError,
    BadRequest,
    Conflict,
    Invalid,
    NotFound,
    TooManyRequests,
    Unavailable,
)
from pinnace.resources.kinds import KINDS, KindInfo, ensure_loaded

MERGE = "application/merge-patch+json"

_BY_REASON: dict[str, type[ApiError]] = {
    "NotFound": NotFound, "AlreadyExists": AlreadyExists, "Conflict": Conflict, "BadRequest": BadRequest,
    "ServiceUnavailable": Unavailable, "TooManyRequests": TooManyRequests,
}


def error_from_status(code: int, body: Any) -> ApiError:
    status = body if isinstance(body, dict) else {}
    message = str(status.get("message") or f"HTTP {code}")
    reason = str(status.get("reason") or "")
    details = status.get("details") or {}
    name = str(details.get("name") or "")
    if reason == "Invalid" or code == 422:
        problems = [Problem(str(c.get("field") or ""), str(c.get("message") or ""))
                    for c in details.get("causes") or [] if isinstance(c, dict)]
        return Invalid(message, problems, name=name)
    cls = _BY_REASON.get(reason)
    if cls is None:
        by_code = {404: NotFound, 409: Conflict, 400: BadRequest, 429: TooManyRequests, 503: Unavailable}
        cls = by_code.get(code, ApiError)
    err = cls(message, name=name)
    if cls is ApiError:
        err.code, err.reason = code, reason or "Unknown"
    return err


def _info(kind: str) -> KindInfo:
    ensure_loaded()
    info = KINDS.get(kind)
    if info is None:
        raise BadRequest(f"kind {kind!r} is unknown; known kinds: {', '.join(sorted(KINDS))}")
    return info


def collection_path(info: KindInfo, namespace: str | None) -> str:
    root = f"/apis/{info.group}/{info.version}" if info.group else f"/api/{info.version}"
    if info.namespaced and namespace:
        return f"{root}/namespaces/{namespace}/{info.plural}"
    return f"{root}/{info.plural}"


class HttpClient:
    """``async with HttpClient(conn) as c: await c.get("Workflow", "name")``."""

    def __init__(self, conn: Connection, *, timeout: float = 30.0) -> None:
        self.conn = conn
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _sess(self) -> aiohttp.ClientSession:
        if self._session is None:
            headers = {"Accept": "application/json", "User-Agent": "pinnace"}
            if self.conn.token:
                headers["Authorization"] = f"Bearer {self.conn.token}"
            connector = aiohttp.TCPConnector(ssl=self.conn.ssl_context())
            self._session = aiohttp.ClientSession(self.conn.server, headers=headers, connector=connector)
        return self._session

    async def request(self, method: str, path: str, *, body: Any = None, params: dict[str, str] | None = None,
                      content_type: str = "application/json") -> Any:
        data = None if body is None else json.dumps(body)
        headers = {"Content-Type": content_type} if data is not None else None
        try:
            async with self._sess().request(method, path, data=data, params=params, headers=headers,
                                            timeout=aiohttp.ClientTimeout(total=self._timeout)) as resp:
                text = await resp.text()
                parsed = json.loads(text) if text.strip().startswith(("{", "[")) else text
                if resp.status >= 400:
                    raise error_from_status(resp.status, parsed)
                return parsed
        except (aiohttp.ClientConnectionError, TimeoutError) as exc:
            raise Unavailable(f"cannot reach the API at {self.conn.server} ({exc}); is `pinnace up` running? "
                              "Point --server or PINNACE_SERVER at it") from None

    def _item(self, kind: str, name: str, namespace: str | None, sub: str = "") -> str:
        info = _info(kind)
        ns = (namespace or self.conn.namespace) if info.namespaced else None
        return f"{collection_path(info, ns)}/{name}" + (f"/{sub}" if sub else "")

    async def get(self, kind: str, name: str, namespace: str | None = "default") -> Obj:
        obj: Obj = await self.request("GET", self._item(kind, name, namespace))
        return obj

    async def list_raw(self, kind: str, namespace: str | None = "default", label_selector: str | None = None,
                       field_selector: str | None = None) -> Obj:
        """The whole list object (``items`` and ``metadata.resourceVersion``)."""
        params = {k: v for k, v in (("labelSelector", label_selector), ("fieldSelector", field_selector)) if v}
        out: Obj = await self.request("GET", collection_path(_info(kind), namespace), params=params)
        return out

    async def list(
        self, kind: str, namespace: str | None = "default", label_selector: str | None = None
    ) -> builtins.list[Obj]:
        items: builtins.list[Obj] = (await self.list_raw(kind, namespace, label_selector)).get("items") or []
        return items

    async def create(self, obj: Obj, namespace: str | None = "default") -> Obj:
        info = _info(str(obj.get("kind")))
        ns = (obj.get("metadata") or {}).get("namespace") or namespace or self.conn.namespace
        out: Obj = await self.request("POST", collection_path(info, ns if info.namespaced else None), body=obj)
        return out

    def _obj_path(self, obj: Obj, sub: str = "") -> str:
        meta = obj.get("metadata") or {}
        return self._item(str(obj.get("kind")), str(meta.get("name")), meta.get("namespace"), sub)

    async def update(self, obj: Obj) -> Obj:
        out: Obj = await self.request("PUT", self._obj_path(obj), body=obj)
        return out

    async def update_status(self, obj: Obj) -> Obj:
        out: Obj = await self.request("PUT", self._obj_path(obj, "status"), body=obj)
        return out

    async def patch(self, kind: str, name: str, patch: Any, namespace: str | None = "default",
                    content_type: str = MERGE) -> Obj:
        out: Obj = await self.request("PATCH", self._item(kind, name, namespace), body=patch,
                                      content_type=content_type)
        return out

    async def delete(self, kind: str, name: str, namespace: str | None = "default") -> None:
        await self.request("DELETE", self._item(kind, name, namespace))

    async def list_archived(
        self, namespace: str | None = None, label_selector: str | None = None
    ) -> builtins.list[Obj]:
        params = {k: v for k, v in (("namespace", namespace), ("listOptions.labelSelector", label_selector)) if v}
        out = await self.request("GET", "/api/v1/archived-workflows", params=params)
        items: builtins.list[Obj] = out.get("items") or []
        return items

    async def watch(
        self, kind: str, namespace: str | None = "default", resource_version: str | None = None
    ) -> AsyncIterator[WatchEvent]:
        """Events as they come; without ``resource_version`` the current objects come first as ADDED."""
        params = {"watch": "true", "allowWatchBookmarks": "true"}
        if resource_version:
            params["resourceVersion"] = resource_version
        path = collection_path(_info(kind), namespace)
        try:
            async with self._sess().get(path, params=params, timeout=aiohttp.ClientTimeout(total=None)) as resp:
                if resp.status >= 400:
                    raise error_from_status(resp.status, await resp.json(content_type=None))
                async for line in resp.content:
                    if not line.strip():
                        continue
                    ev = json.loads(line)
                    if ev.get("type") == "ERROR":
                        obj = ev.get("object") or {}
                        raise error_from_status(int(obj.get("code") or 500), obj)
                    yield WatchEvent(ev["type"], ev["object"])
        except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as exc:
            # A server that dies mid-stream ends the chunked body early: a payload error, not a
            # connection error, but the same thing to the watcher.
            raise Unavailable(f"the watch on {path} was cut ({exc}); watch again") from None
