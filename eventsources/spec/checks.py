"""Semantic checks shared by event sources and sensors; each reports on the exact field path.

Rules mirror argo-events ``pkg/apis/events/v1alpha1/validate.go`` (TLS, basic auth),
``pkg/eventsources/common/webhook/validate.go`` and ``pkg/shared/util/retry.go`` (backoff).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable

from eventsources.spec.common import Backoff, BasicAuth, TLSConfig, WebhookContext
from pinnace.resources.base import Problems, join_path
from pinnace.resources.durations import DurationError, parse_go_duration

HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE")


def one_of(values: Iterable[str]) -> str:
    return ", ".join(values)


def require(value: object, path: str, problems: Problems, hint: str = "") -> bool:
    """Report ``path`` as missing when ``value`` is empty; True when present."""
    if value is None or value == "" or value == [] or value == {}:
        problems.error(path, f"required field is missing{': ' + hint if hint else ''}")
        return False
    return True


def check_enum(value: str, allowed: Iterable[str], path: str, problems: Problems, what: str) -> None:
    allowed = tuple(allowed)
    if value not in allowed:
        problems.error(path, f"{what} {value!r} is not one of {one_of(allowed)}")


def check_timezone(name: str | None, path: str, problems: Problems) -> None:
    """Go ``time.LoadLocation``: empty means UTC, ``Local`` the machine zone, else an IANA name."""
    if not name or name in ("UTC", "Local"):
        return
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        problems.error(path, f"unknown timezone {name!r}: use an IANA name such as 'Europe/Paris' or 'UTC'")


def check_go_duration(text: str | None, path: str, problems: Problems, *, positive: bool = False) -> float | None:
    """A Go ``time.ParseDuration`` string (``30s``, ``1h30m``); returns seconds when valid."""
    if not text:
        return None
    try:
        seconds = parse_go_duration(text)
    except DurationError:
        problems.error(path, f"invalid duration {text!r}: use a Go duration such as '30s', '5m' or '1h30m'")
        return None
    if seconds < 0 or (positive and seconds == 0):
        problems.error(path, f"duration {text!r} must be {'positive' if positive else 'zero or more'}")
        return None
    return seconds


def check_backoff(backoff: Backoff | None, path: str, problems: Problems) -> None:
    if backoff is None:
        return
    if isinstance(backoff.duration, str):
        check_go_duration(backoff.duration, join_path(path, "duration"), problems)
    elif backoff.duration is not None and backoff.duration < 0:
        problems.error(join_path(path, "duration"), f"duration must not be negative, got {backoff.duration}")
    if backoff.steps is not None and backoff.steps < 0:
        problems.error(join_path(path, "steps"), f"steps must not be negative, got {backoff.steps}")
    if backoff.factor is not None and backoff.factor <= 0:
        problems.error(join_path(path, "factor"), f"factor must be positive, got {backoff.factor:g}")
    if backoff.jitter is not None and backoff.jitter < 0:
        problems.error(join_path(path, "jitter"), f"jitter must not be negative, got {backoff.jitter:g}")


def check_tls(tls: TLSConfig | None, path: str, problems: Problems) -> None:
    if tls is None or tls.insecure_skip_verify:
        return
    cert, key = tls.client_cert_secret is not None, tls.client_key_secret is not None
    if tls.ca_cert_secret is None and not cert and not key and not tls.enabled:
        problems.error(path, "tls needs caCertSecret, or clientCertSecret and clientKeySecret, or enabled: true")
    elif cert != key:
        problems.error(path, "tls needs both clientCertSecret and clientKeySecret, not just one")


def check_basic_auth(auth: BasicAuth | None, path: str, problems: Problems) -> None:
    if auth is None:
        return
    require(auth.username, join_path(path, "username"), problems, "a Secret key selector for the user name")
    require(auth.password, join_path(path, "password"), problems, "a Secret key selector for the password")


def check_port(port: str, path: str, problems: Problems) -> None:
    if not require(port, path, problems, 'the port to listen on, such as "12000"'):
        return
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        problems.error(path, f"port {port!r} is not a number between 1 and 65535")


def check_webhook_context(ctx: WebhookContext, path: str, problems: Problems) -> None:
    endpoint_path = join_path(path, "endpoint")
    if require(ctx.endpoint, endpoint_path, problems, "the URL path to serve, such as /example") and (
        not ctx.endpoint.startswith("/")
    ):
        problems.error(endpoint_path, f"endpoint {ctx.endpoint!r} must start with '/'")
    if require(ctx.method, join_path(path, "method"), problems, f"one of {one_of(HTTP_METHODS)}"):
        check_enum(ctx.method, HTTP_METHODS, join_path(path, "method"), problems, "method")
    check_port(ctx.port, join_path(path, "port"), problems)
    if ctx.max_payload_size is not None and ctx.max_payload_size <= 0:
        message = f"maxPayloadSize must be a positive byte count, got {ctx.max_payload_size}"
        problems.error(join_path(path, "maxPayloadSize"), message)
    if (ctx.server_cert_secret is None) != (ctx.server_key_secret is None):
        problems.error(path, "serverCertSecret and serverKeySecret must be given together to serve TLS")
