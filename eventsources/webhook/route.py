"""One webhook endpoint: checks, payload, publish, and the status code that tells the truth.

200 only after the bus acknowledged the event; 503 with ``Retry-After`` when the bus is
unavailable (the client retries, ideally with the same idempotency key); 405 wrong method,
401 bad token or signature, 413 over ``maxPayloadSize``, 408 a body that arrives too slowly,
400 a body the endpoint cannot accept.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from aiohttp import web

from bus.errors import BusError, TemporaryBusError
from eventsources.base import Emit
from eventsources.metrics import EventSourceMetrics
from eventsources.webhook.auth import AuthFailure, SignatureCheck, check_bearer
from eventsources.webhook.request import (
    RequestRejected,
    header_map,
    idempotency_key,
    parse_body,
    read_body,
    trace_extensions,
)

DEFAULT_MAX_PAYLOAD = 1_048_576  # Argo's DefaultMaxWebhookPayloadSize
DEFAULT_READ_TIMEOUT = 10.0


@dataclass
class Route:
    source_name: str
    event_name: str
    endpoint: str
    method: str
    emit: Emit
    metrics: EventSourceMetrics
    metadata: dict[str, str] | None = None
    max_payload: int = DEFAULT_MAX_PAYLOAD
    token: str | None = None
    signature: SignatureCheck | None = None
    read_timeout: float = DEFAULT_READ_TIMEOUT

    async def handle(self, request: web.BaseRequest) -> web.Response:
        if request.method != self.method:
            return web.Response(status=405, text="http method does not match", headers={"Allow": self.method})
        started = time.monotonic()
        try:
            return await self._accept(request)
        except RequestRejected as rej:
            self.metrics.processing_failed(self.source_name, self.event_name)
            return web.Response(status=rej.status, text=rej.message, headers=rej.headers)
        finally:
            elapsed = (time.monotonic() - started) * 1000.0
            self.metrics.processing_duration(self.source_name, self.event_name, elapsed)

    async def _accept(self, request: web.BaseRequest) -> web.Response:
        try:
            if self.token is not None:
                check_bearer(request.headers, self.token)
        except AuthFailure as exc:
            raise RequestRejected(401, str(exc)) from None
        raw = await read_body(request, self.max_payload, self.read_timeout)
        if self.signature is not None:
            try:
                self.signature.verify(request.headers, raw)
            except AuthFailure as exc:
                raise RequestRejected(401, str(exc)) from None
        data: dict[str, object] = {"header": header_map(request), "body": parse_body(request, raw)}
        if self.metadata:
            data["metadata"] = self.metadata
        event_id = idempotency_key(request)
        try:
            await self.emit(self.event_name, data, event_id=event_id, extensions=trace_extensions(request))
        except TemporaryBusError as exc:
            retry = str(max(1, math.ceil(exc.retry_after)))
            return web.Response(status=503, text=f"event bus unavailable: {exc}", headers={"Retry-After": retry})
        except BusError as exc:
            return web.Response(status=500, text=f"failed to record event: {exc}")
        return web.Response(status=200, text="success")
