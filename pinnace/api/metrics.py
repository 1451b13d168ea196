"""Prometheus text exposition for ``/metrics``: requests, objects by kind and phase, watchers."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.typedefs import Middleware

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
VERB_KEY: web.RequestKey[dict[str, str]] = web.RequestKey("pinnace_verb")


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(**labels: str) -> str:
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items()) + "}"


@dataclass
class Metrics:
    requests: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    seconds: dict[tuple[str, str], float] = field(default_factory=dict)
    watch_clients: int = 0
    watch_events: int = 0

    def observe(self, verb: str, resource: str, code: int, elapsed: float) -> None:
        self.requests[(verb, resource, str(code))] += 1
        self.seconds[(verb, resource)] = self.seconds.get((verb, resource), 0.0) + elapsed

    def render(self, objects: list[tuple[str, str, int]], resource_version: int) -> str:
        out = [
            "# HELP pinnace_api_requests_total API requests by verb, resource and HTTP code.",
            "# TYPE pinnace_api_requests_total counter",
        ]
        for (verb, res, code), n in sorted(self.requests.items()):
            out.append(f"pinnace_api_requests_total{_labels(verb=verb, resource=res, code=code)} {n}")
        out += ["# HELP pinnace_api_request_seconds_total Time spent answering API requests.",
                "# TYPE pinnace_api_request_seconds_total counter"]
        for (verb, res), secs in sorted(self.seconds.items()):
            out.append(f"pinnace_api_request_seconds_total{_labels(verb=verb, resource=res)} {secs:.6f}")
        out += ["# HELP pinnace_objects Stored objects by kind and status.phase.", "# TYPE pinnace_objects gauge"]
        for kind, phase, n in sorted(objects):
            out.append(f"pinnace_objects{_labels(kind=kind, phase=phase)} {n}")
        out += [
            "# HELP pinnace_api_watch_clients Open watch streams.", "# TYPE pinnace_api_watch_clients gauge",
            f"pinnace_api_watch_clients {self.watch_clients}",
            "# HELP pinnace_api_watch_events_total Events sent to watch streams.",
            "# TYPE pinnace_api_watch_events_total counter", f"pinnace_api_watch_events_total {self.watch_events}",
            "# HELP pinnace_store_resource_version Last resourceVersion handed out.",
            "# TYPE pinnace_store_resource_version gauge", f"pinnace_store_resource_version {resource_version}",
        ]
        return "\n".join(out) + "\n"


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
