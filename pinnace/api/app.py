"""The aiohttp application: middlewares (errors, metrics, auth) and routes."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from pinnace.api import discovery, handlers, paths, podlogs, watch
from pinnace.api.auth import bearer_middleware
from pinnace.api.metrics import VERB_KEY, Metrics, metrics_middleware
from pinnace.api.status import error_response, failure, respond
from pinnace.resources.errors import ApiError, NotFound
from pinnace.store.store import Store

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
STORE = web.AppKey("pinnace_store", Store)
READY: web.AppKey[dict[str, bool]] = web.AppKey("pinnace_ready")


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        return error_response(exc)
    except web.HTTPRequestEntityTooLarge:
        return respond(failure(413, "RequestEntityTooLarge", "the request body is too large"))
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        reason = exc.reason.replace(" ", "")
        return respond(failure(exc.status, reason, f"{exc.reason}: {request.method} {request.path}"))
    except Exception:
        log.exception("internal error answering %s %s", request.method, request.path)
        return respond(failure(500, "InternalError", "internal server error; see the server log"))


def _json(body: object) -> web.Response:
    return handlers.text_response(json.dumps(body))


async def _version(_: web.Request) -> web.Response:
    return _json(discovery.version_info())


async def _healthz(_: web.Request) -> web.Response:
    return web.Response(text="ok")


async def _readyz(request: web.Request) -> web.Response:
    if not request.app[READY]["ready"]:
        return web.Response(text="shutting down", status=503)
    return web.Response(text="ok")


async def _metrics(request: web.Request) -> web.Response:
    store = request.app[STORE]
    text = request.app[watch.METRICS].render(await store.counts(), store.resource_version)
    return web.Response(text=text, content_type="text/plain", charset="utf-8",
                        headers={"X-Prometheus-Format": "0.0.4"})


async def _api(request: web.Request) -> web.Response:
    return _json(discovery.api_versions(request.host))


async def _apis(_: web.Request) -> web.Response:
    return _json(discovery.api_group_list())


async def _api_group(request: web.Request) -> web.Response:
    group = discovery.api_group(request.match_info["group"])
    if group is None:
        raise NotFound(f"API group {request.match_info['group']!r} is not served here")
    return _json(group)


async def _openapi_v2(_: web.Request) -> web.Response:
    # An empty protobuf OpenAPI document: kubectl then skips client-side schema validation
    # (the server validates every object itself and answers 422 with field causes).
    return web.Response(body=b"", content_type="application/com.github.proto-openapi.spec.v2.v1.0+protobuf")


async def _archived(request: web.Request) -> web.Response:
    request[VERB_KEY]["resource"] = "archived-workflows"
    store = request.app[STORE]
    items = await store.list_archived("Workflow", request.query.get("namespace") or None,
                                      request.query.get("listOptions.labelSelector"))
    return _json({"metadata": {}, "items": items})


async def _resources(request: web.Request, group: str, version: str) -> web.StreamResponse:
    target = paths.resolve(group, version, request.match_info["tail"])
    if target is None:
        listing = discovery.resource_list(group, version)
        if listing is None or request.method != "GET":
            raise NotFound(f"API {group or 'core'}/{version} is not served here")
        return _json(listing)
    store = request.app[STORE]
    if request.method == "GET" and target.name is None and watch.is_watch(request):
        request[VERB_KEY].update(verb="watch", resource=target.resource)
        return await watch.stream(request, store, target)
    entry = handlers.VERBS.get((target.name is not None, target.subresource, request.method))
    if entry is None:
        raise handlers.MethodNotAllowed(f"{request.method} is not allowed on {request.path}")
    request[VERB_KEY].update(verb=entry[0], resource=target.resource)
    return await entry[1](request, store, target)


async def _core(request: web.Request) -> web.StreamResponse:
    return await _resources(request, "", "v1")


async def _grouped(request: web.Request) -> web.StreamResponse:
    return await _resources(request, request.match_info["group"], request.match_info["version"])


def build_app(store: Store, token: str, *, max_body: int = 3 * 1024 * 1024,
              bookmark_interval: float = 30.0) -> web.Application:
    metrics = Metrics()
    app = web.Application(
        client_max_size=max_body,
        middlewares=[metrics_middleware(metrics), errors_middleware, bearer_middleware(token)],
    )
    app[STORE] = store
    app[READY] = {"ready": True}
    app[watch.METRICS] = metrics
    app[watch.ACTIVE_WATCHES] = set()
    app[watch.BOOKMARK_INTERVAL] = bookmark_interval
    app[handlers.MAX_BODY] = max_body
    methods = ("GET", "POST", "PUT", "PATCH", "DELETE")
    app.router.add_get("/version", _version)
    app.router.add_get("/version/", _version)
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/livez", _healthz)
    app.router.add_get("/readyz", _readyz)
    app.router.add_get("/metrics", _metrics)
    for suffix in ("", "/"):
        app.router.add_get("/api" + suffix, _api)
        app.router.add_get("/apis" + suffix, _apis)
    app.router.add_get("/openapi/v2", _openapi_v2)
    app.router.add_get("/api/v1/archived-workflows", _archived)
    app.router.add_get("/apis/{group}", _api_group)
    app.router.add_get("/apis/{group}/", _api_group)
    podlogs.add_routes(app, store)
    for method in methods:
        app.router.add_route(method, "/api/v1{tail:(/.*)?}", _core)
        app.router.add_route(method, "/apis/{group}/{version}{tail:(/.*)?}", _grouped)
    return app
