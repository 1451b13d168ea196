"""Where the API is and how to authenticate: flags, environment, kubeconfig.

Server: ``--server``, else ``$PINNACE_SERVER``, else the kubeconfig's server, else
``http://127.0.0.1:2746``. Token: ``--token``, else the kubeconfig's. The kubeconfig is
``--kubeconfig`` or ``<data-dir>/kubeconfig`` (data dir: ``--data-dir``, ``$PINNACE_DATA_DIR``,
``./.pinnace``) — the one ``pinnace up`` / ``pinnace run api`` writes.
"""

from __future__ import annotations

import base64
import os
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pinnace.datadir import resolve as resolve_data_dir

DEFAULT_SERVER = "http://127.0.0.1:2746"
ENV_SERVER = "PINNACE_SERVER"
ENV_TOKEN = "PINNACE_TOKEN"


class ConfigError(ValueError):
    pass


@dataclass
class Connection:
    server: str
    token: str | None = None
    ca_pem: bytes | None = None
    insecure: bool = False
    namespace: str = "default"
    cert_pem: bytes | None = None
    key_pem: bytes | None = None

    def ssl_context(self) -> ssl.SSLContext | bool:
        if not self.server.startswith("https"):
            return True
        if self.insecure:
            return False
        ctx = ssl.create_default_context(cadata=self.ca_pem.decode() if self.ca_pem else None)
        if self.cert_pem and self.key_pem:
            _load_client_cert(ctx, self.cert_pem, self.key_pem)
        return ctx


def _load_client_cert(ctx: ssl.SSLContext, cert: bytes, key: bytes) -> None:
    import tempfile

    # ssl only loads key material from files; keep them private and short-lived.
    with tempfile.TemporaryDirectory() as tmp:
        c, k = Path(tmp) / "c.pem", Path(tmp) / "k.pem"
        c.write_bytes(cert)
        k.write_bytes(key)
        os.chmod(k, 0o600)
        ctx.load_cert_chain(c, k)


def _data(entry: dict[str, Any], key: str, base: Path) -> bytes | None:
    if entry.get(f"{key}-data"):
        return base64.b64decode(entry[f"{key}-data"])
    if entry.get(key):
        path = Path(entry[key])
        return (path if path.is_absolute() else base / path).read_bytes()
    return None


def _named(items: Any, name: str | None, what: str, path: Path) -> dict[str, Any]:
    for item in items or []:
        if isinstance(item, dict) and item.get("name") == name:
            body = item.get(what)
            return body if isinstance(body, dict) else {}
    raise ConfigError(f"{path}: no {what} named {name!r}")


def load_kubeconfig(path: Path, context: str | None = None) -> Connection:
    """The connection of ``context`` (default: current-context) in the kubeconfig at ``path``."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read kubeconfig {path}: {exc}") from None
    ctx = _named(doc.get("contexts"), context or doc.get("current-context"), "context", path)
    cluster = _named(doc.get("clusters"), ctx.get("cluster"), "cluster", path)
    user = _named(doc.get("users"), ctx.get("user"), "user", path) if ctx.get("user") else {}
    token = user.get("token")
    if not token and user.get("tokenFile"):
        token = Path(user["tokenFile"]).read_text(encoding="utf-8").strip()
    base = path.parent
    return Connection(
        server=str(cluster.get("server") or DEFAULT_SERVER).rstrip("/"),
        token=token,
        ca_pem=_data(cluster, "certificate-authority", base),
        insecure=bool(cluster.get("insecure-skip-tls-verify")),
        namespace=str(ctx.get("namespace") or "default"),
        cert_pem=_data(user, "client-certificate", base),
        key_pem=_data(user, "client-key", base),
    )


def resolve_connection(server: str | None = None, token: str | None = None, data_dir: str | None = None,
                       kubeconfig: str | None = None, namespace: str | None = None) -> Connection:
    path = Path(kubeconfig) if kubeconfig else resolve_data_dir(data_dir) / "kubeconfig"
    if kubeconfig and not path.exists():
        raise ConfigError(f"kubeconfig {path} does not exist")
    conn = load_kubeconfig(path) if path.exists() else Connection(DEFAULT_SERVER)
    chosen = server or os.environ.get(ENV_SERVER)
    if chosen:
        conn.server = chosen.rstrip("/")
    conn.token = token or os.environ.get(ENV_TOKEN) or conn.token
    if namespace:
        conn.namespace = namespace
    return conn
