"""The API's bearer token and the kubeconfig that carries it to clients.

The token is made on first start and kept in ``<data-dir>/token`` (mode 0600); the kubeconfig
``<data-dir>/kubeconfig`` lets ``kubectl``, the ``kubernetes`` client and the CLI find the
server and the token.
"""

from __future__ import annotations

import base64
import hmac
import os
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path

import yaml
from aiohttp import web
from aiohttp.typedefs import Middleware

from pinnace.api.status import failure, respond

TOKEN_FILE = "token"
KUBECONFIG_FILE = "kubeconfig"
CONTEXT = "pinnace"
# Probes must work without credentials (load balancers, `pinnace up` readiness checks).
OPEN_PATHS = frozenset({"/healthz", "/readyz", "/livez"})


def _write_private(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def load_or_create_token(data_dir: Path) -> str:
    path = data_dir / TOKEN_FILE
    if path.exists():
        token = path.read_text(encoding="utf-8").strip()
        if token:
            return token
    data_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    _write_private(path, token + "\n")
    return token


def kubeconfig_text(server: str, token: str, namespace: str = "default", ca_pem: bytes | None = None) -> str:
    cluster: dict[str, str] = {"server": server}
    if ca_pem:
        cluster["certificate-authority-data"] = base64.b64encode(ca_pem).decode()
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": CONTEXT, "cluster": cluster}],
        "users": [{"name": CONTEXT, "user": {"token": token}}],
        "contexts": [{"name": CONTEXT, "context": {"cluster": CONTEXT, "user": CONTEXT, "namespace": namespace}}],
        "current-context": CONTEXT,
        "preferences": {},
    }
    return yaml.safe_dump(config, sort_keys=False)


def write_kubeconfig(data_dir: Path, server: str, token: str, namespace: str = "default",
                     ca_pem: bytes | None = None) -> Path:
    """Write ``<data-dir>/kubeconfig`` (0600) pointing at ``server`` with ``token`` (and the CA for https)."""
    path = data_dir / KUBECONFIG_FILE
    _write_private(path, kubeconfig_text(server, token, namespace, ca_pem))
    return path


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _unauthorized(message: str) -> web.Response:
    resp = respond(failure(401, "Unauthorized", message))
    resp.headers["WWW-Authenticate"] = 'Bearer realm="pinnace"'
    return resp


def bearer_middleware(token: str) -> Middleware:
    expected = token.encode()

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path in OPEN_PATHS:
            return await handler(request)
        header = request.headers.get("Authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer" or not given:
            return _unauthorized("Unauthorized: send 'Authorization: Bearer <token>'; the token is in "
                                 "<data-dir>/kubeconfig")
        if not hmac.compare_digest(given.strip().encode(), expected):
            return _unauthorized("Unauthorized: the bearer token is not valid for this server")
        return await handler(request)

    return check
