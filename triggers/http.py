"""The ``http`` trigger: one request per firing (Argo's http trigger) through a shared aiohttp session.

The body is built from ``payload`` parameters; ``headers``, ``dynamicHeaders``, ``secureHeaders``
(Secret/ConfigMap values) and ``basicAuth`` are added. ``timeout`` is in seconds (default 60).
Any response is a success unless ``policy.status.allow`` lists the accepted statuses.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from sensors import params
from sensors.event import Event
from triggers import policy
from triggers.base import Firing, Services, TriggerError, TriggerSpec, parameterize, payload_of, register
from triggers.secrets import secret_value, value_from

DEFAULT_TIMEOUT = 60.0


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes


def _build_tls(insecure: bool, ca: str | None, cert: str | None, key: str | None) -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    if insecure:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if ca:
        ctx.load_verify_locations(cadata=ca)
    if cert and key:
        with tempfile.TemporaryDirectory() as tmp:
            # load_cert_chain only reads files: the PEM texts from the Secrets go to a private temp dir.
            cert_path, key_path = Path(tmp, "tls.crt"), Path(tmp, "tls.key")
            cert_path.write_text(cert)
            key_path.write_text(key)
            ctx.load_cert_chain(cert_path, key_path)
    return ctx


async def _tls_context(services: Services, tls: dict[str, Any], where: str) -> ssl.SSLContext:
    async def read(field: str) -> str | None:
        return await secret_value(services, tls[field], f"{where}.{field}") if tls.get(field) else None

    ca, cert, key = await read("caCertSecret"), await read("clientCertSecret"), await read("clientKeySecret")
    return await asyncio.to_thread(_build_tls, bool(tls.get("insecureSkipVerify")), ca, cert, key)


@dataclass
class HttpTrigger:
    spec: TriggerSpec
    services: Services
    type: str = "http"

    def __post_init__(self) -> None:
        where = self.spec.where
        self.parameters = params.compile_parameters(self.spec.body.get("parameters"), f"{where}.parameters")
        self.payload = params.compile_parameters(self.spec.body.get("payload"), f"{where}.payload")
        self.dynamic = params.compile_parameters(self.spec.body.get("dynamicHeaders"), f"{where}.dynamicHeaders")

    async def fetch(self) -> Any:
        body = copy.deepcopy(self.spec.body)
        body["method"] = body.get("method") or "POST"
        return body

    def apply_parameters(self, resource: Any, events: dict[str, Event]) -> Any:
        return parameterize(resource, self.parameters, events, f"{self.spec.where}.parameters")

    async def _session(self) -> aiohttp.ClientSession:
        key = f"http:{self.spec.name}"
        session = self.services.cache.get(key)
        if session is None:
            tls = self.spec.body.get("tls")
            connector = aiohttp.TCPConnector(ssl=await _tls_context(self.services, tls, f"{self.spec.where}.tls")) \
                if tls else None
            session = aiohttp.ClientSession(connector=connector)
            self.services.cache[key] = session
            self.services.closers.append(session.close)
        assert isinstance(session, aiohttp.ClientSession)
        return session

    async def _headers(self, body: dict[str, Any], events: dict[str, Event]) -> dict[str, str]:
        where = self.spec.where
        headers = {str(k): str(v) for k, v in (body.get("headers") or {}).items()}
        for param in self.dynamic:
            value, _ = params.resolve(param.src, events)
            if value is None:
                raise TriggerError(f"{where}.dynamicHeaders: failed to resolve the value for {param.dest}")
            headers[param.dest] = value
        for i, secure in enumerate(body.get("secureHeaders") or []):
            headers[str(secure.get("name"))] = await value_from(
                self.services, secure.get("valueFrom") or {}, f"{where}.secureHeaders[{i}].valueFrom"
            )
        return headers

    async def _auth(self, body: dict[str, Any]) -> str | None:
        basic = body.get("basicAuth")
        if not basic:
            return None
        where = f"{self.spec.where}.basicAuth"
        user, password = "", ""
        if basic.get("username"):
            user = await secret_value(self.services, basic["username"], f"{where}.username")
        if basic.get("password"):
            password = await secret_value(self.services, basic["password"], f"{where}.password")
        return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    async def execute(self, resource: Any, firing: Firing) -> Any:
        data = payload_of(self.payload, firing.events, f"{self.spec.where}.payload")
        headers = await self._headers(resource, firing.events)
        auth = await self._auth(resource)
        if auth is not None:
            headers["Authorization"] = auth
        if resource.get("host"):
            headers["Host"] = str(resource["host"])
        timeout = float(resource.get("timeout") or DEFAULT_TIMEOUT)
        method, url = str(resource["method"]), str(resource.get("url", ""))
        session = await self._session()
        try:
            async with session.request(
                method, url, data=data, headers=headers,
                timeout=aiohttp.ClientTimeout(total=timeout),
            ) as resp:
                return Response(resp.status, await resp.read())
        except TimeoutError:
            raise TriggerError(f"http trigger: {method} {url} timed out after {timeout:g}s "
                               f"({self.spec.where}.timeout)") from None
        except (aiohttp.ClientError, ValueError) as exc:
            raise TriggerError(f"http trigger: {method} {url} failed: {exc}") from None

    async def apply_policy(self, result: Any) -> None:
        allow = ((self.spec.policy or {}).get("status") or {}).get("allow")
        if isinstance(result, Response):
            policy.check_status(result.status, None if allow is None else [int(s) for s in allow])


@register("http")
def build(spec: TriggerSpec, services: Services) -> HttpTrigger:
    return HttpTrigger(spec, services)



