"""When a finished Workflow expires (``spec.ttlStrategy``), and the loop that removes it."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pinnace.store.store import Store

log = logging.getLogger(__name__)

TERMINAL_PHASES = frozenset({"Succeeded", "Failed", "Error"})


def parse_time(value: Any) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def is_completed(obj: dict[str, Any]) -> bool:
    status = obj.get("status") or {}
    return obj.get("kind") == "Workflow" and status.get("phase") in TERMINAL_PHASES


def expires_at(obj: dict[str, Any]) -> float | None:
    """Epoch seconds after which a completed Workflow is deleted, or None to keep it."""
    if not is_completed(obj):
        return None
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    ttl = spec.get("ttlStrategy") or {}
    finished = parse_time(status.get("finishedAt"))
    if not ttl or finished is None:
        return None
    # As Argo's gc controller: Failed → secondsAfterFailure, Succeeded → secondsAfterSuccess, and
    # everything else (Error included) falls back to secondsAfterCompletion.
    specific = {"Succeeded": "secondsAfterSuccess", "Failed": "secondsAfterFailure"}.get(str(status.get("phase")))
    seconds = ttl.get(specific) if specific else None
    if seconds is None:
        seconds = ttl.get("secondsAfterCompletion")
    if not isinstance(seconds, int | float):
        return None
    return finished + float(seconds)


async def collect_forever(store: Store, interval: float = 5.0) -> None:
    """Delete expired workflows every ``interval`` seconds (they move to the archive)."""
    while True:
        try:
            removed = await store.collect_garbage()
            if removed:
                log.info("deleted %d workflows past their ttlStrategy", removed)
        except Exception:
            log.exception("workflow garbage collection failed; retrying")
        await asyncio.sleep(interval)
