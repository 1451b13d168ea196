"""Short human durations and ages, as kubectl and argo print them."""

from __future__ import annotations

import time
from datetime import datetime


def parse_time(value: object) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def short(seconds: float | None) -> str:
    """``5s``, ``3m2s``, ``4h5m``, ``2d3h``."""
    if seconds is None:
        return ""
    s = max(0, int(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60}s" if s % 60 and s < 600 else f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h{(s % 3600) // 60}m" if (s % 3600) // 60 else f"{s // 3600}h"
    return f"{s // 86400}d{(s % 86400) // 3600}h" if (s % 86400) // 3600 else f"{s // 86400}d"


def age(timestamp: object, now: float | None = None) -> str:
    t = parse_time(timestamp)
    if t is None:
        return "<unknown>"
    return short((now or time.time()) - t)


def between(start: object, end: object, now: float | None = None) -> str:
    s = parse_time(start)
    if s is None:
        return ""
    e = parse_time(end)
    return short((e if e is not None else (now or time.time())) - s)
