"""Bus failures split by what the caller should do next: retry later, or give up and fix something.

An event source turns a :class:`TemporaryBusError` into "503, try again"; a
:class:`PermanentBusError` means configuration or data is wrong and retrying will not help.
"""

from __future__ import annotations


class BusError(Exception):
    """Base of every bus failure."""


class TemporaryBusError(BusError):
    """The bus is unreachable or busy right now; retry after ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentBusError(BusError):
    """Retrying will not help: bad configuration, missing binary, oversized message, ..."""


class EmbeddedServerError(PermanentBusError):
    """The embedded nats-server could not be started (binary, port or data directory)."""


class KeyConflictError(BusError):
    """A KV write lost a race: the key exists (create) or changed since it was read (update)."""

    def __init__(self, message: str, *, key: str, current_revision: int | None = None) -> None:
        super().__init__(message)
        self.key = key
        self.current_revision = current_revision
