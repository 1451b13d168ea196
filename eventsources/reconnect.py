"""Reconnect-with-backoff around a consumer session, logged so operators see upstream loss."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pinnace.resources.durations import DurationError, parse_duration


@dataclass(frozen=True)
class Backoff:
    initial: float = 0.5
    factor: float = 2.0
    maximum: float = 30.0
    jitter: float = 0.2

    def delay(self, attempt: int) -> float:
        base = min(self.maximum, self.initial * (self.factor ** max(0, attempt - 1)))
        return base * (1.0 + random.uniform(0, self.jitter))

    @classmethod
    def from_spec(cls, spec: Any) -> Backoff:
        """Argo's ``connectionBackoff`` (duration, factor, jitter); ``steps`` is not a limit here
        because an event source that gives up stops ingesting for good."""
        if spec is None:
            return cls()
        initial, factor, jitter = cls.initial, cls.factor, cls.jitter
        duration = getattr(spec, "duration", None)
        if isinstance(duration, int):
            initial = max(0.05, duration / 1e9)  # a bare integer is a Go time.Duration: nanoseconds
        elif duration is not None:
            with contextlib.suppress(DurationError):
                initial = max(0.05, parse_duration(str(duration)))
        for name in ("factor", "jitter"):
            raw = getattr(spec, name, None)
            try:
                value = float(str(raw)) if raw is not None else None
            except ValueError:
                value = None
            if value is not None and name == "factor" and value >= 1:
                factor = value
            if value is not None and name == "jitter" and value >= 0:
                jitter = value
        return cls(initial=initial, factor=factor, jitter=jitter)


# A session that ran this long before failing is considered healthy; the next failure
# starts again from the initial delay instead of the grown one.
_HEALTHY_AFTER = 10.0


async def keep_connected(
    what: str,
    session: Callable[[], Awaitable[None]],
    log: logging.Logger,
    backoff: Backoff | None = None,
    on_lost: Callable[[], None] | None = None,
) -> None:
    """Run ``session`` forever: when it returns or raises, log and start it again after a backoff."""
    backoff = backoff or Backoff()
    attempt = 0
    while True:
        started = time.monotonic()
        try:
            await session()
            reason = "upstream closed the connection"
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                # Some client libraries turn a cancellation into their own error; honour the
                # cancellation instead of reconnecting.
                raise asyncio.CancelledError() from exc
            reason = f"{type(exc).__name__}: {exc}"
        if time.monotonic() - started > _HEALTHY_AFTER:
            attempt = 0
        attempt += 1
        delay = backoff.delay(attempt)
        if on_lost is not None:
            on_lost()
        log.warning("%s: upstream lost (%s); reconnecting in %.2fs (attempt %d)", what, reason, delay, attempt)
        await asyncio.sleep(delay)
