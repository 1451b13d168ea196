"""API errors, shaped after Kubernetes' ``Status`` reasons so every client can react the same way."""

from __future__ import annotations

from pinnace.resources.base import Problem


class ApiError(Exception):
    """Base of every resource-API failure; ``code`` and ``reason`` follow Kubernetes."""

    code = 500
    reason = "InternalError"

    def __init__(self, message: str, *, kind: str = "", name: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.name = name


class NotFound(ApiError):
    code = 404
    reason = "NotFound"


class AlreadyExists(ApiError):
    code = 409
    reason = "AlreadyExists"


class Conflict(ApiError):
    """The object changed since it was read (stale ``resourceVersion``): re-read and retry."""

    code = 409
    reason = "Conflict"


class Invalid(ApiError):
    code = 422
    reason = "Invalid"

    def __init__(self, message: str, problems: list[Problem], *, kind: str = "", name: str = "") -> None:
        super().__init__(message, kind=kind, name=name)
        self.problems = problems


class BadRequest(ApiError):
    code = 400
    reason = "BadRequest"


class Unavailable(ApiError):
    """Temporary: the API could not be reached or is not ready; retry after a delay."""

    code = 503
    reason = "ServiceUnavailable"


class TooManyRequests(Unavailable):
    """Temporary: the engine already has as many unfinished workflows as it admits; retry after a delay.

    A subclass of :class:`Unavailable` so every client that retries an unreachable API (the
    sensors' atLeastOnce triggers, the CLI) holds back the same way while the backlog drains.
    """

    code = 429
    reason = "TooManyRequests"

    def __init__(self, message: str, *, kind: str = "", name: str = "", retry_after: float = 1.0) -> None:
        super().__init__(message, kind=kind, name=name)
        self.retry_after = retry_after
