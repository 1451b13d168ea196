"""The API's ``/metrics``: requests, objects by kind and phase, watchers, plus the process-wide registry."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

from pinnace.metrics import REGISTRY, Registry, render

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
VERB_KEY: web.RequestKey[dict[str, str]] = web.RequestKey("pinnace_verb")


class Metrics:
    """One API app's own series (each app counts apart, so two servers in a test do not mix)."""

    def __init__(self, registry: Registry | None = None) -> None:
        self.registry = registry if registry is not None else Registry()
        r = self.registry
        self.requests = r.counter("pinnace_api_requests_total", "API requests by verb, resource and HTTP code.",
                                  ("verb", "resource", "code"))
        self.seconds = r.counter("pinnace_api_request_seconds_total", "Time spent answering API requests.",
                                 ("verb", "resource"))
        self.objects = r.gauge("pinnace_objects", "Stored objects by kind and status.phase.", ("kind", "phase"))
        self.watch_clients = r.gauge("pinnace_api_watch_clients", "Open watch streams.")
        self.watch_events = r.counter("pinnace_api_watch_events_total", "Events sent to watch streams.")
        self.resource_version = r.gauge("pinnace_store_resource_version", "Last resourceVersion handed out.")

    def observe(self, verb: str, resource: str, code: int, elapsed: float) -> None:
        self.requests.inc(verb, resource, str(code))
        self.seconds.inc(verb, resource, amount=elapsed)

    def render(self, objects: list[tuple[str, str, int]], resource_version: int) -> str:
        """This app's series, then the process-wide ones (event sources and sensors in this process)."""
        self.objects.replace({(kind, phase): n for kind, phase, n in objects})
        self.resource_version.set(resource_version)
        return render(self.registry, REGISTRY)


def metrics_middleware(metrics: Metrics) -> Middleware:
    @web.middleware
    async def count(request: web.Request, handler: Handler) -> web.StreamResponse:
        start = time.perf_counter()
        request[VERB_KEY] = {"verb": request.method.lower(), "resource": ""}
        code = 500
        try:
            resp = await handler(request)
            code = resp.status
            return resp
        except web.HTTPException as exc:
            code = exc.status
            raise
        finally:
            tag = request[VERB_KEY]
            metrics.observe(tag["verb"], tag["resource"] or "nonresource", code, time.perf_counter() - start)

    return count
