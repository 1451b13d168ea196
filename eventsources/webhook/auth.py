"""Who may post to a webhook: Argo's bearer token (``authSecret``) and HMAC request signatures.

Signatures are what Argo's plain webhook lacks: GitHub's ``X-Hub-Signature-256``
(``sha256=<hex HMAC of the body>``), GitLab's shared ``X-Gitlab-Token``, and a generic
``<header>: [sha256=]<hex HMAC of the body>`` with a configurable header and algorithm.
Every comparison is constant-time.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass

MASKED_AUTH = "*** Masked Auth Secret ***"

_ALGORITHMS = ("sha1", "sha256", "sha512")


class AuthFailure(Exception):
    """The request is not authorised (401); the message says why without leaking the secret."""


def check_bearer(headers: Mapping[str, str], token: str) -> None:
    """Argo's ``authSecret``: ``Authorization: Bearer <token>``."""
    value = headers.get("Authorization", "")
    if not value.startswith("Bearer "):
        raise AuthFailure("Invalid Authorization Header")
    if not hmac.compare_digest(value[len("Bearer ") :].encode(), token.encode()):
        raise AuthFailure("Invalid Auth token")


def _hex_digest(algorithm: str, secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, algorithm).hexdigest()


def _matches_hmac(given: str, algorithm: str, secret: str, body: bytes) -> bool:
    given = given.strip()
    prefix = f"{algorithm}="
    if given.lower().startswith(prefix):
        given = given[len(prefix) :]
    expected = _hex_digest(algorithm, secret, body)
    return hmac.compare_digest(given.lower().encode(), expected.encode())


@dataclass(frozen=True)
class SignatureCheck:
    """``provider``: ``github`` | ``gitlab`` | ``generic``; ``header`` and ``algorithm`` for generic."""

    provider: str
    secret: str
    header: str = ""
    algorithm: str = "sha256"

    def header_name(self) -> str:
        if self.provider == "github":
            return "X-Hub-Signature-256" if self.algorithm == "sha256" else "X-Hub-Signature"
        if self.provider == "gitlab":
            return "X-Gitlab-Token"
        return self.header or "X-Signature"

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        name = self.header_name()
        given = headers.get(name)
        if not given:
            raise AuthFailure(f"missing signature header {name}")
        if self.provider == "gitlab":
            ok = hmac.compare_digest(given.encode(), self.secret.encode())
        else:
            ok = _matches_hmac(given, self.algorithm, self.secret, body)
        if not ok:
            raise AuthFailure(f"signature in {name} does not match the request body")


PROVIDERS = ("github", "gitlab", "generic")
ALGORITHMS = _ALGORITHMS


def sign(algorithm: str, secret: str, body: bytes) -> str:
    """The header value a sender computes (``sha256=<hex>``); used by tests and clients."""
    return f"{algorithm}={_hex_digest(algorithm, secret, body)}"
