"""Kubernetes ``Status`` objects: how every error (and some successes) travel."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from pinnace.resources.errors import ApiError, Invalid, TooManyRequests
from pinnace.resources.kinds import KINDS

_CAUSE_REASON = {"error": "FieldValueInvalid", "unsupported": "FieldValueNotSupported"}


def failure(code: int, reason: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason, "code": code,
    }
    if details:
        body["details"] = details
    return body


def from_error(exc: ApiError) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if exc.name:
        details["name"] = exc.name
    if exc.kind:
        info = KINDS.get(exc.kind)
        details["kind"] = info.plural if info else exc.kind.lower()
        if info and info.group:
            details["group"] = info.group
    if isinstance(exc, Invalid) and exc.problems:
        details["causes"] = [
            {"reason": _CAUSE_REASON.get(p.severity, "FieldValueInvalid"), "message": p.message, "field": p.path}
            for p in exc.problems
        ]
    return failure(exc.code, exc.reason, exc.message, details or None)


def success(kind: str, name: str, uid: str = "") -> dict[str, Any]:
    info = KINDS.get(kind)
    details: dict[str, Any] = {"name": name, "kind": info.plural if info else kind.lower()}
    if info and info.group:
        details["group"] = info.group
    if uid:
        details["uid"] = uid
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}


def respond(body: dict[str, Any], status: int | None = None) -> web.Response:
    return web.json_response(body, status=status or int(body.get("code") or 200))


def error_response(exc: ApiError) -> web.Response:
    response = respond(from_error(exc))
    if isinstance(exc, TooManyRequests):
        response.headers["Retry-After"] = str(max(1, round(exc.retry_after)))
    return response
