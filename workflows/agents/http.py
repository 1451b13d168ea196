"""HTTP templates, as Argo's agent runs them (``workflow/executor/agent.go executeHTTPTemplate``).

Default success is a 2xx status (else Failed ``received non-2xx response code: N``); a
``successCondition`` is an expr-lang expression over ``request`` and ``response``. The response
body is always ``outputs.result``. A request that cannot be made fails the node with the error.
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import aiohttp

from pinnace.resources.client import Obj, ResourceClient
from pinnace.resources.errors import ApiError
from pinnace.resources.refs import KeyRefError, read_secret_key
from workflows.engine.conditions import expr_eval


class HttpError(Exception):
    pass


async def secret_value(client: ResourceClient, namespace: str, ref: Obj) -> str:
    """A Secret key's value for a header (``valueFrom.secretKeyRef``)."""
    try:
        return await read_secret_key(client, str(ref.get("name", "")), str(ref.get("key", "")), namespace)
    except KeyRefError as err:
        raise HttpError(str(err)) from err
    except ApiError as err:
        raise HttpError(err.message) from err


async def _headers(spec: Obj, client: ResourceClient, namespace: str) -> tuple[list[tuple[str, str]], str | None]:
    headers: list[tuple[str, str]] = []
    host = None
    for h in spec.get("headers") or []:
        value = str(h.get("value", ""))
        ref = (h.get("valueFrom") or {}).get("secretKeyRef")
        if ref:
            value = await secret_value(client, namespace, ref)
        if str(h.get("name", "")).lower() == "host":
            host = value
        else:
            headers.append((str(h.get("name", "")), value))
    return headers, host


def _body(spec: Obj) -> bytes:
    raw = (spec.get("bodyFrom") or {}).get("bytes")
    if raw is not None:
        return base64.b64decode(str(raw))
    return str(spec.get("body") or "").encode()


def _multi(pairs: Any) -> dict[str, list[str]]:
    """Go's ``http.Header``: canonical names to lists of values."""
    out: dict[str, list[str]] = {}
    for k, v in pairs:
        out.setdefault("-".join(p.capitalize() for p in str(k).split("-")), []).append(str(v))
    return out


async def run_http(tmpl: Obj, client: ResourceClient, namespace: str) -> tuple[str, str, str]:
    """(phase, message, result) of one HTTP template."""
    spec = tmpl.get("http") or {}
    method = str(spec.get("method") or "GET")
    url = str(spec.get("url", ""))
    timeout = spec.get("timeoutSeconds")
    try:
        headers, host = await _headers(spec, client, namespace)
        if host:
            headers.append(("Host", host))
        body = _body(spec)
        session_timeout = aiohttp.ClientTimeout(total=float(timeout) if timeout is not None else None)
        connector = aiohttp.TCPConnector(ssl=False) if spec.get("insecureSkipVerify") else None
        async with (
            aiohttp.ClientSession(timeout=session_timeout, connector=connector) as session,
            session.request(method, url, data=body or None, headers=headers) as resp,
        ):
            text = (await resp.read()).decode("utf-8", errors="replace")
            status, resp_headers = resp.status, _multi(resp.headers.items())
    except (TimeoutError, HttpError, aiohttp.ClientError, ValueError) as err:
        # Go's url.Error wording: ``Post "http://…": context deadline exceeded``.
        message = f'{method.capitalize()} "{url}": {err or type(err).__name__}'
        if isinstance(err, HttpError):
            message = str(err)
        elif isinstance(err, asyncio.TimeoutError):
            message = f'{method.capitalize()} "{url}": context deadline exceeded'
        return "Failed", message, ""
    condition = str(spec.get("successCondition") or "")
    if not condition:
        if 200 <= status < 300:
            return "Succeeded", "", text
        return "Failed", f"received non-2xx response code: {status}", text
    scope = {
        "request": {"method": method, "url": url, "body": str(spec.get("body") or ""), "headers": _multi(headers)},
        "response": {"statusCode": status, "body": text, "headers": resp_headers},
    }
    try:
        ok = expr_eval(condition, scope)
    except Exception as err:
        return "Failed", str(err), text
    if ok is not True:
        return "Failed", f"successCondition '{condition}' evaluated false", text
    return "Succeeded", "", text
