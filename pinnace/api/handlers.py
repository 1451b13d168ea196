"""CRUD for every registered kind, generically: one handler per verb, chosen from a table."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from pinnace.api.paths import Target
from pinnace.api.status import respond, success
from pinnace.resources.errors import ApiError, BadRequest, NotFound
from pinnace.resources.patching import MERGE
from pinnace.store.store import Store

JSON = "application/json"
MAX_BODY = web.AppKey("pinnace_max_body", int)


class MethodNotAllowed(ApiError):
    code = 405
    reason = "MethodNotAllowed"


class RequestTooLarge(ApiError):
    code = 413
    reason = "RequestEntityTooLarge"


def text_response(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type=JSON)


def obj_response(obj: Any, status: int = 200) -> web.Response:
    return text_response(json.dumps(obj, separators=(",", ":"), ensure_ascii=False), status)


async def _read(request: web.Request) -> bytes:
    try:
        return await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise RequestTooLarge(f"the request body is too large; the limit is {request.app[MAX_BODY]} bytes") from None


async def read_json(request: web.Request, *, optional: bool = False) -> Any:
    raw = await _read(request)
    if not raw.strip():
        if optional:
            return None
        raise BadRequest("the request body is empty; send the object as JSON")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"the request body is not valid JSON: {exc}") from None


def _check_dry_run(request: web.Request) -> None:
    if request.query.get("dryRun"):
        raise BadRequest("dryRun is not supported by this server; leave it out")


def _check_body(target: Target, body: Any, *, want_name: bool) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object")
    info = target.info
    # Like Kubernetes, the URL supplies a missing kind/apiVersion; a different one is an error.
    body.setdefault("kind", info.kind)
    body.setdefault("apiVersion", info.api_version)
    if body.get("kind") != info.kind or body.get("apiVersion") != info.api_version:
        raise BadRequest(f"the body is a {body.get('apiVersion')}/{body.get('kind')} but this URL is for "
                         f"{info.api_version}/{info.kind} ({info.plural}); send it to the right URL")
    meta = body.get("metadata")
    if meta is not None and not isinstance(meta, dict):
        raise BadRequest("metadata must be an object")
    meta = meta or {}
    if target.namespace and meta.get("namespace") not in (None, "", target.namespace):
        raise BadRequest("the namespace of the provided object does not match the namespace sent on the request")
    if want_name and meta.get("name") != target.name:
        raise BadRequest(f"the name of the object ({meta.get('name')!r}) does not match the name on the URL "
                         f"({target.name!r})")
    return body


def _int_param(request: web.Request, name: str) -> int | None:
    value = request.query.get(name)
    if value in (None, ""):
        return None
    try:
        return int(str(value))
    except ValueError:
        raise BadRequest(f"query parameter {name} must be an integer, got {value!r}") from None


async def list_objects(request: web.Request, store: Store, target: Target) -> web.StreamResponse:
    page = await store.list(target.info.kind, target.namespace, request.query.get("labelSelector"),
                            request.query.get("fieldSelector"), _int_param(request, "limit"),
                            request.query.get("continue") or None)
    meta: dict[str, Any] = {"resourceVersion": str(page.resource_version)}
    if page.continue_token:
        meta["continue"] = page.continue_token
    head = json.dumps({"apiVersion": target.info.api_version, "kind": f"{target.info.kind}List", "metadata": meta})
    return text_response(head[:-1] + ',"items":[' + ",".join(page.items) + "]}")


async def create(request: web.Request, store: Store, target: Target) -> web.StreamResponse:
    if target.info.namespaced and target.namespace is None:
        raise MethodNotAllowed(f"create {target.info.plural} under /namespaces/<namespace>/{target.info.plural}")
    _check_dry_run(request)
    body = _check_body(target, await read_json(request), want_name=False)
    return obj_response(await store.create(body, target.namespace), 201)


async def delete_collection(request: web.Request, store: Store, target: Target) -> web.StreamResponse:
    _check_dry_run(request)
    page = await store.list(target.info.kind, target.namespace, request.query.get("labelSelector"),
                            request.query.get("fieldSelector"))
    deleted: list[Any] = []
    for obj in page.objects():
        meta = obj["metadata"]
        try:
            deleted.append(await store.delete(target.info.kind, meta["name"], meta.get("namespace")))
        except NotFound:
            continue
    head = json.dumps({"apiVersion": target.info.api_version, "kind": f"{target.info.kind}List", "metadata": {}})
    return text_response(head[:-1] + ',"items":' + json.dumps(deleted) + "}")


async def get(request: web.Request, store: Store, target: Target) -> web.StreamResponse:
    assert target.name is not None
    return text_response(await store.get_text(target.info.kind, target.name, target.namespace))


async def replace(request: web.Request, store: Store, target: Target) -> web.StreamResponse:
    _check_dry_run(request)
    body = _check_body(target, await read_json(request), want_name=True)
    if target.subresource == "status":
        return obj_response(await store.replace_status(body, target.namespace))
    return obj_response(await store.replace(body, target.namespace))


async def patch(request: web.Request, store: Store, target: Target) -> web.StreamResponse:
    assert target.name is not None
    _check_dry_run(request)
    content_type = request.headers.get("Content-Type", MERGE).split(";")[0].strip()
    body = await read_json(request)
    obj = await store.patch(target.info.kind, target.name, body, target.namespace, content_type,
                            status_only=target.subresource == "status")
    return obj_response(obj)


async def delete(request: web.Request, store: Store, target: Target) -> web.StreamResponse:
    assert target.name is not None
    _check_dry_run(request)
    pre: dict[str, Any] = {}
    options = await read_json(request, optional=True)
    if isinstance(options, dict) and isinstance(options.get("preconditions"), dict):
        pre = options["preconditions"]
    obj = await store.delete(target.info.kind, target.name, target.namespace, pre)
    if target.info.group:
        return obj_response(obj)  # custom resources answer with the deleted object, as Kubernetes does
    return respond(success(target.info.kind, target.name, obj["metadata"].get("uid", "")), 200)


Verb = Callable[[web.Request, Store, Target], Awaitable[web.StreamResponse]]

# (has a name?, subresource, method) → (verb name for metrics, handler)
VERBS: dict[tuple[bool, str | None, str], tuple[str, Verb]] = {
    (False, None, "GET"): ("list", list_objects),
    (False, None, "POST"): ("create", create),
    (False, None, "DELETE"): ("deletecollection", delete_collection),
    (True, None, "GET"): ("get", get),
    (True, None, "PUT"): ("update", replace),
    (True, None, "PATCH"): ("patch", patch),
    (True, None, "DELETE"): ("delete", delete),
    (True, "status", "GET"): ("get", get),
    (True, "status", "PUT"): ("update", replace),
    (True, "status", "PATCH"): ("patch", patch),
}
