"""One webhook request -> Argo's event data ``{header, body, metadata}`` or an HTTP error.

As Argo's ``webhook/start.go``: ``header`` is the request header map with Go's canonical keys and
value lists (``Authorization`` masked, ``Host`` absent as in Go's ``http.Request.Header``);
``body`` is the query map for GET, the form map for an urlencoded POST, otherwise the body as
JSON (a body that is not JSON is a 400).
"""

from __future__ import annotations

import asyncio
import json
import math
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web

from eventsources.webhook.auth import MASKED_AUTH

IDEMPOTENCY_HEADERS = ("X-Idempotency-Key", "Idempotency-Key")
MAX_IDEMPOTENCY_KEY = 256
_FORM = "application/x-www-form-urlencoded"
_TOKEN_CHARS = frozenset("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


class RequestRejected(Exception):
    """Answer ``status`` with ``message`` instead of publishing."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@lru_cache(maxsize=1024)
def canonical_header_key(key: str) -> str:
    """Go's ``textproto.CanonicalMIMEHeaderKey``: ``content-type`` -> ``Content-Type``."""
    if not key or any(ch not in _TOKEN_CHARS for ch in key):
        return key
    out = []
    upper = True
    for ch in key:
        out.append(ch.upper() if upper else ch.lower())
        upper = ch == "-"
    return "".join(out)


def header_map(request: web.BaseRequest) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in request.headers.items():
        name = canonical_header_key(key)
        if name == "Host":
            continue
        out.setdefault(name, []).append(value)
    if "Authorization" in out:
        out["Authorization"] = [MASKED_AUTH]
    return out


async def read_body(request: web.BaseRequest, limit: int, read_timeout: float) -> bytes:
    """The whole body, or 413 past ``limit`` bytes, or 408 when the client is too slow."""
    declared = request.content_length
    if declared is not None and declared > limit:
        raise RequestRejected(413, f"request body of {declared} bytes exceeds maxPayloadSize {limit}")
    content = request.content
    if content.is_eof():
        # Common case: the whole (small) body arrived with the headers; no timer needed.
        raw = content.read_nowait()
        if len(raw) > limit:
            raise RequestRejected(413, f"request body exceeds maxPayloadSize {limit}")
        return raw
    chunks: list[bytes] = []
    total = 0
    try:
        async with asyncio.timeout(read_timeout):
            while True:
                chunk = await request.content.readany()
                if not chunk:
                    break
                total += len(chunk)
                if total > limit:
                    raise RequestRejected(413, f"request body exceeds maxPayloadSize {limit}")
                chunks.append(chunk)
    except TimeoutError:
        raise RequestRejected(408, f"request body not received within {read_timeout:g}s") from None
    return b"".join(chunks)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number {text[:40]} is out of range")
    return value


def parse_json(raw: bytes) -> Any:
    if not raw:
        raise RequestRejected(400, "request body is empty; send a JSON document")
    try:
        return json.loads(raw, parse_constant=_reject_constant, parse_float=_finite_float)
    except (ValueError, RecursionError) as exc:
        raise RequestRejected(400, f"request body is not valid JSON: {str(exc)[:200]}") from None


def _form_map(text: str) -> dict[str, list[str]]:
    return parse_qs(text, keep_blank_values=True)


def parse_body(request: web.BaseRequest, raw: bytes) -> Any:
    if request.method == "GET":
        return {k: request.query.getall(k) for k in request.query}
    if request.content_type == _FORM:
        try:
            return _form_map(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise RequestRejected(400, "form body is not UTF-8") from None
    return parse_json(raw)


def idempotency_key(request: web.BaseRequest) -> str | None:
    for name in IDEMPOTENCY_HEADERS:
        value = request.headers.get(name)
        if value is None:
            continue
        if not 0 < len(value) <= MAX_IDEMPOTENCY_KEY or not all("!" <= ch <= "~" for ch in value):
            raise RequestRejected(
                400, f"{name} must be 1-{MAX_IDEMPOTENCY_KEY} visible ASCII characters without spaces"
            )
        return value
    return None


def trace_extensions(request: web.BaseRequest) -> dict[str, str] | None:
    """W3C trace context carried into the CloudEvent, as Argo's ``WithHTTPHeaders``."""
    parent = request.headers.get("traceparent")
    if not parent:
        return None
    ext = {"traceparent": parent}
    state = request.headers.get("tracestate")
    if state:
        ext["tracestate"] = state
    return ext
