"""Reading a ``SecretKeySelector`` (``{name, key}``) referenced from an EventSource spec.

Looked up, in order: the Secret in the API (``ResourceClient``, data base64 as in Kubernetes),
the file Argo mounts it as (``<secrets_dir>/<name>/<key>``, default ``/argo-events/secrets``),
and the environment variable ``PINNACE_SECRET_<NAME>_<KEY>`` (upper case, non-alphanumerics as
``_``) so a single-machine setup needs no API object.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pinnace.resources.client import ResourceClient
from pinnace.resources.refs import KeyRefError, read_secret_key

DEFAULT_SECRETS_DIR = Path("/argo-events/secrets")


class SecretError(LookupError):
    pass


def env_name(name: str, key: str) -> str:
    return "PINNACE_SECRET_" + re.sub(r"[^A-Za-z0-9]", "_", f"{name}_{key}").upper()


def _selector(selector: Any) -> tuple[str, str]:
    if isinstance(selector, Mapping):
        return str(selector.get("name", "")), str(selector.get("key", ""))
    return str(getattr(selector, "name", "") or ""), str(getattr(selector, "key", "") or "")


class SecretResolver:
    def __init__(
        self,
        client: ResourceClient | None = None,
        namespace: str = "default",
        secrets_dir: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.client = client
        self.namespace = namespace
        self.secrets_dir = secrets_dir if secrets_dir is not None else DEFAULT_SECRETS_DIR
        self.env = env if env is not None else os.environ

    async def get(self, selector: Any, path: str) -> str:
        """The secret's value; raises SecretError naming ``path`` and how to provide it."""
        name, key = _selector(selector)
        if not name or not key:
            raise SecretError(f"{path}: a secret reference needs both name and key")
        value = await self._from_api(name, key, path)
        if value is None:
            value = self._from_file(name, key)
        if value is None:
            value = self.env.get(env_name(name, key))
        if value is None:
            raise SecretError(
                f"{path}: secret {name!r} key {key!r} not found in namespace {self.namespace!r}; "
                f"create it (kubectl create secret generic {name} --from-literal={key}=...) "
                f"or set {env_name(name, key)}"
            )
        return value

    async def _from_api(self, name: str, key: str, path: str) -> str | None:
        if self.client is None:
            return None
        try:
            return await read_secret_key(self.client, name, key, self.namespace)
        except KeyRefError as exc:
            if exc.missing:  # the file or the environment may still hold it
                return None
            raise SecretError(f"{path}: {exc}") from None

    def _from_file(self, name: str, key: str) -> str | None:
        candidate = self.secrets_dir / name / key
        try:
            return candidate.read_text()
        except OSError:
            return None
