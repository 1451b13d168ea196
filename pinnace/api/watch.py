"""Watch streams: chunked JSON lines ``{"type": ..., "object": ...}``, as Kubernetes sends them."""

from __future__ import annotations

import asyncio
import json
import time

from aiohttp import web

from pinnace.api.metrics import Metrics
from pinnace.api.paths import Target
from pinnace.api.status import from_error
from pinnace.resources.errors import ApiError, BadRequest
from pinnace.store.store import Store
from pinnace.store.watching import Watch

ACTIVE_WATCHES: web.AppKey[set[Watch]] = web.AppKey("pinnace_active_watches")
BOOKMARK_INTERVAL = web.AppKey("pinnace_bookmark_interval", float)
METRICS = web.AppKey("pinnace_metrics", Metrics)


def is_watch(request: web.Request) -> bool:
    return request.query.get("watch", "").lower() in ("1", "true")


def _line(ev_type: str, data: str) -> bytes:
    return ('{"type":"' + ev_type + '","object":' + data + "}\n").encode()


def _timeout(request: web.Request) -> float | None:
    raw = request.query.get("timeoutSeconds")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        raise BadRequest(f"timeoutSeconds must be a number, got {raw!r}") from None


async def _start(request: web.Request) -> web.StreamResponse:
    resp = web.StreamResponse(headers={"Content-Type": "application/json", "Cache-Control": "no-cache"})
    resp.enable_chunked_encoding()
    await resp.prepare(request)
    return resp


async def stream(request: web.Request, store: Store, target: Target) -> web.StreamResponse:
    deadline = _timeout(request)
    resp: web.StreamResponse | None = None
    try:
        w = await store.watch(target.info.kind, target.namespace, request.query.get("resourceVersion"),
                              request.query.get("labelSelector"), request.query.get("fieldSelector"))
    except ApiError as exc:
        if exc.code != 410:
            raise
        # Kubernetes reports an expired version inside a 200 stream as an ERROR event.
        resp = await _start(request)
        await resp.write(_line("ERROR", json.dumps(from_error(exc))))
        return resp
    watches = request.app[ACTIVE_WATCHES]
    metrics = request.app[METRICS]
    watches.add(w)
    metrics.watch_clients.inc()
    try:
        resp = await _start(request)
        bookmarks = request.query.get("allowWatchBookmarks", "").lower() in ("1", "true")
        await _pump(resp, w, store, target, deadline, request.app[BOOKMARK_INTERVAL] if bookmarks else None, metrics)
    except (ConnectionResetError, asyncio.CancelledError):
        pass  # the client went away
    finally:
        w.close()
        watches.discard(w)
        metrics.watch_clients.dec()
    return resp or web.Response(status=499)


async def _pump(resp: web.StreamResponse, w: Watch, store: Store, target: Target, limit: float | None,
                bookmark_every: float | None, metrics: Metrics) -> None:
    end = time.monotonic() + limit if limit is not None else None
    while True:
        wait = bookmark_every
        if end is not None:
            left = end - time.monotonic()
            if left <= 0:
                return
            wait = left if wait is None else min(wait, left)
        try:
            async with asyncio.timeout(wait):
                ev = await w.next()
        except TimeoutError:
            if bookmark_every is not None and (end is None or time.monotonic() < end):
                await resp.write(_line("BOOKMARK", _bookmark(target, store.resource_version)))
            continue
        if ev is None:
            if w.overflowed:
                await resp.write(_line("ERROR", json.dumps(from_error(_Gone()))))
            return
        await resp.write(_line(ev.type, ev.data))
        metrics.watch_events.inc()


class _Gone(ApiError):
    code = 410
    reason = "Expired"

    def __init__(self) -> None:
        super().__init__("the watch fell too far behind; list again and watch from the list's resourceVersion")


def _bookmark(target: Target, rv: int) -> str:
    info = target.info
    return json.dumps({"kind": info.kind, "apiVersion": info.api_version, "metadata": {"resourceVersion": str(rv)}})
