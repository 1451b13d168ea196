"""The ``webhook`` source type: registers its endpoint on the shared server of its port."""

from __future__ import annotations

import asyncio
from typing import Any

from eventsources.base import Emit, EventSourceType, SourceContext, SpecError
from eventsources.registry import register
from eventsources.webhook.auth import ALGORITHMS, PROVIDERS, SignatureCheck
from eventsources.webhook.route import DEFAULT_MAX_PAYLOAD, Route
from eventsources.webhook.server import PortConflict, TLSMaterial


def parse_port(value: Any, path: str) -> int:
    try:
        port = int(str(value))
    except ValueError:
        raise SpecError(path, f"port {value!r} is not a number") from None
    if not 0 <= port <= 65535:
        raise SpecError(path, f"port {port} is outside 0-65535")
    return port


@register
class WebhookSource(EventSourceType):
    key = "webhook"

    def __init__(self, ctx: SourceContext) -> None:
        super().__init__(ctx)
        spec = ctx.spec
        self.port = parse_port(spec.port, self.path("port"))
        if not spec.endpoint.startswith("/"):
            raise SpecError(self.path("endpoint"), f"endpoint {spec.endpoint!r} must start with /")
        if not spec.method:
            raise SpecError(self.path("method"), "method is required (e.g. POST)")
        self.max_payload = spec.max_payload_size if spec.max_payload_size is not None else DEFAULT_MAX_PAYLOAD
        if self.max_payload <= 0:
            raise SpecError(self.path("maxPayloadSize"), "maxPayloadSize must be positive")
        signature = getattr(spec, "signature", None)
        if signature is not None:
            provider = getattr(signature, "provider", "") or "generic"
            if provider not in PROVIDERS:
                raise SpecError(self.path("signature", "provider"), f"provider must be one of {PROVIDERS}")
            algorithm = getattr(signature, "algorithm", None) or "sha256"
            if algorithm not in ALGORITHMS:
                raise SpecError(self.path("signature", "algorithm"), f"algorithm must be one of {ALGORITHMS}")

    async def _signature(self) -> SignatureCheck | None:
        sig = getattr(self.ctx.spec, "signature", None)
        if sig is None:
            return None
        secret = await self.secret(sig.secret, "signature", "secret")
        return SignatureCheck(
            provider=getattr(sig, "provider", "") or "generic",
            secret=secret,
            header=getattr(sig, "header", "") or "",
            algorithm=getattr(sig, "algorithm", None) or "sha256",
        )

    async def _tls(self) -> TLSMaterial | None:
        spec = self.ctx.spec
        if spec.server_cert_secret is None or spec.server_key_secret is None:
            return None
        cert = await self.secret(spec.server_cert_secret, "serverCertSecret", strip=False)
        key = await self.secret(spec.server_key_secret, "serverKeySecret", strip=False)
        return TLSMaterial(cert, key)

    async def build_route(self, emit: Emit) -> Route:
        spec = self.ctx.spec
        token = None
        if spec.auth_secret is not None:
            token = await self.secret(spec.auth_secret, "authSecret")
        return Route(
            source_name=self.ctx.source_name,
            event_name=self.ctx.event_name,
            endpoint=spec.endpoint,
            method=spec.method.upper(),
            emit=emit,
            metrics=self.ctx.metrics,
            metadata=dict(spec.metadata) if spec.metadata else None,
            max_payload=self.max_payload,
            token=token,
            signature=await self._signature(),
        )

    async def run(self, emit: Emit) -> None:
        pool = self.ctx.webhooks
        if pool is None:
            raise SpecError(self.path(), "webhook sources need a webhook server pool")
        route = await self.build_route(emit)
        try:
            await pool.add(self.port, route, await self._tls())
        except PortConflict as exc:
            raise SpecError(self.path("endpoint"), str(exc)) from None
        self.log.info("route %s %s active on port %d", route.method, route.endpoint, self.port)
        self.ready.set()
        try:
            await asyncio.Event().wait()
        finally:
            pool.remove(self.port, route.endpoint)
