"""How a trigger is paced, retried and judged (Argo's rateLimit, retryStrategy, policy).

``retryStrategy`` is Argo's ``Backoff`` run the way ``wait.ExponentialBackoff`` runs it: up to
``steps`` attempts, sleeping ``duration`` (times ``factor`` after each attempt, plus up to
``jitter`` x duration at random) between them. A bare integer duration is nanoseconds, as in Argo.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pinnace.resources.durations import DurationError, parse_go_duration
from triggers.base import TriggerError

T = TypeVar("T")
_UNITS = {"Second": 1.0, "Minute": 60.0, "Hour": 3600.0}


def _amount(value: Any, default: float, where: str) -> float:
    if value is None or value == "":
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: {value!r} is not a number") from None


@dataclass(frozen=True)
class Backoff:
    steps: int = 5
    duration: float = 1.0
    factor: float = 1.0
    jitter: float = 1.0

    @classmethod
    def from_wire(cls, spec: dict[str, Any] | None, where: str, default_steps: int = 5) -> Backoff:
        spec = spec or {}
        raw = spec.get("duration")
        if raw is None or raw == "":
            duration = 1.0
        elif isinstance(raw, int | float) and not isinstance(raw, bool):
            duration = float(raw) / 1e9
        else:
            try:
                duration = parse_go_duration(str(raw))
            except DurationError:
                raise ValueError(f"{where}.duration: invalid duration {raw!r} (e.g. 1s, 500ms)") from None
        steps = int(spec.get("steps") or 0)
        return cls(
            steps=steps if steps > 0 else default_steps,
            duration=duration,
            factor=_amount(spec.get("factor"), 1.0, f"{where}.factor"),
            jitter=_amount(spec.get("jitter"), 1.0, f"{where}.jitter"),
        )

    def delays(self) -> list[float]:
        """The sleeps between attempts (``steps - 1`` of them)."""
        out, current = [], self.duration
        for _ in range(self.steps - 1):
            extra = random.random() * self.jitter * current if self.jitter > 0 else 0.0
            out.append(current + extra)
            current *= self.factor if self.factor > 0 else 1.0
        return out


ONE_SHOT = Backoff(steps=1)


async def with_retries(
    backoff: Backoff, attempt: Callable[[], Awaitable[T]], on_retry: Callable[[int, Exception], None] | None = None
) -> T:
    """Run ``attempt`` until it succeeds or the steps are used up; re-raises the last error."""
    delays = backoff.delays()
    for number in range(backoff.steps):
        try:
            return await attempt()
        except TriggerError as exc:
            if not exc.retryable or number == len(delays):
                raise
            if on_retry is not None:
                on_retry(number + 1, exc)
            await asyncio.sleep(delays[number])
    raise AssertionError("unreachable: backoff has at least one step")


class RateLimiter:
    """Evenly spaced permits (``requestsPerUnit`` per Second/Minute/Hour), as go.uber.org/ratelimit."""

    def __init__(self, requests_per_unit: int, unit: str = "Second") -> None:
        per = _UNITS.get(unit or "Second")
        if per is None:
            raise ValueError(f"rateLimit.unit: {unit!r} must be Second, Minute or Hour")
        if requests_per_unit <= 0:
            raise ValueError("rateLimit.requestsPerUnit: must be greater than 0")
        self.interval = per / requests_per_unit
        self._next = 0.0
        self._lock = asyncio.Lock()

    @classmethod
    def from_wire(cls, spec: dict[str, Any] | None) -> RateLimiter | None:
        if not spec:
            return None
        return cls(int(spec.get("requestsPerUnit") or 0), str(spec.get("unit") or "Second"))

    async def take(self) -> None:
        async with self._lock:
            now = time.monotonic()
            wait = self._next - now
            self._next = max(now, self._next) + self.interval
        if wait > 0:
            await asyncio.sleep(wait)


def check_status(status: int, allow: list[int] | None) -> None:
    """The http trigger's ``policy.status.allow`` list (no list: every status is a success)."""
    if allow is None or status in allow:
        return
    raise TriggerError(f"policy application resulted in failure. http response status {status} is not allowed")


async def wait_for_labels(
    read: Callable[[], Awaitable[dict[str, Any]]], spec: dict[str, Any], where: str
) -> None:
    """``policy.k8s``: poll the created object until it carries ``labels``, with ``backoff``."""
    wanted: dict[str, str] = {str(k): str(v) for k, v in (spec.get("labels") or {}).items()}
    if not wanted:
        return
    backoff = Backoff.from_wire(spec.get("backoff"), f"{where}.policy.k8s.backoff")
    delays = backoff.delays()
    for number in range(backoff.steps):
        obj = await read()
        labels = (obj.get("metadata") or {}).get("labels") or {}
        if all(labels.get(k) == v for k, v in wanted.items()):
            return
        if number < len(delays):
            await asyncio.sleep(delays[number])
    if spec.get("errorOnBackoffTimeout"):
        raise TriggerError(
            "failed to determine status of the triggered resource. setting trigger state as failed", retryable=False
        )
