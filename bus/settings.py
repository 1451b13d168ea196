"""Stream limits: Argo's ``streamConfig`` YAML (``maxMsgs``, ``maxAge``, ``maxBytes``, ``replicas``,
``duplicates``, ``retention``, ``discard``) parsed into :class:`StreamSettings`.

Keys are matched case-insensitively, as Argo's viper does (``maxage`` == ``maxAge``); keys
Argo ignores are ignored here too. Defaults are Argo's controller-config defaults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Literal

import yaml

from bus.naming import DEFAULT_BUS, stream_name
from pinnace.resources.durations import DurationError, parse_go_duration

Retention = Literal["limits", "interest", "workqueue"]
Discard = Literal["old", "new"]
_RETENTION: tuple[Retention, ...] = ("limits", "interest", "workqueue")
_DISCARD: tuple[Discard, ...] = ("old", "new")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b?)\s*$", re.IGNORECASE)
_POWERS = {"": 0, "k": 1, "m": 2, "g": 3, "t": 4, "p": 5}


@dataclass(frozen=True)
class StreamSettings:
    """One EventBus's stream; ``-1`` means unlimited, durations are seconds."""

    name: str = DEFAULT_BUS
    max_msgs: int = 1_000_000
    max_age: float = 72 * 3600.0
    max_bytes: int = 1024**3
    replicas: int = 3
    duplicates: float = 300.0
    retention: Retention = "limits"
    discard: Discard = "old"
    max_msg_size: int = -1
    memory: bool = False


def parse_size(value: Any) -> int:
    """``1GB``, ``512Mi``, ``1e6``, ``-1`` → bytes (KB = 1024, as NATS and viper read them)."""
    if isinstance(value, bool):
        raise ValueError(f"invalid size {value!r}")
    if isinstance(value, int | float):
        return int(value)
    text = str(value).strip()
    try:
        return int(float(text))
    except ValueError:
        pass
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"invalid size {value!r}: use a number of bytes or e.g. 512MB, 1GB")
    number, unit, _ = match.groups()
    return int(float(number) * 1024 ** _POWERS[unit.lower()])


def _duration(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) / 1e9  # viper reads a bare number as nanoseconds
    try:
        return parse_go_duration(str(value))
    except DurationError as exc:
        raise ValueError(f"invalid duration {value!r}: use e.g. 72h, 300s") from exc


def _count(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"invalid number {value!r}")
    try:
        return int(float(value))
    except (TypeError, ValueError):
        raise ValueError(f"invalid number {value!r}") from None


def _choice(value: Any, names: tuple[str, ...]) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(names):
        return names[value]
    if isinstance(value, str) and value.lower() in names:
        return value.lower()
    allowed = ", ".join(f"{i} ({n})" for i, n in enumerate(names))
    raise ValueError(f"invalid value {value!r}: use one of {allowed}")


_FIELDS = {
    "maxmsgs": ("max_msgs", _count),
    "maxage": ("max_age", _duration),
    "maxbytes": ("max_bytes", parse_size),
    "replicas": ("replicas", _count),
    "duplicates": ("duplicates", _duration),
    "retention": ("retention", lambda v: _choice(v, _RETENTION)),
    "discard": ("discard", lambda v: _choice(v, _DISCARD)),
}


class StreamConfigError(ValueError):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key


def parse_stream_config(text: str | None, base: StreamSettings | None = None) -> StreamSettings:
    """Overlay Argo ``streamConfig`` YAML on ``base``; raises :class:`StreamConfigError`."""
    settings = base or StreamSettings()
    if not text or not text.strip():
        return settings
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise StreamConfigError("", f"not valid YAML: {exc}") from None
    if doc is None:
        return settings
    if not isinstance(doc, dict):
        raise StreamConfigError("", "must be a YAML mapping such as 'maxAge: 72h'")
    changes: dict[str, Any] = {}
    for key, value in doc.items():
        spec = _FIELDS.get(str(key).lower())
        if spec is None:
            continue
        attr, convert = spec
        try:
            changes[attr] = convert(value)
        except ValueError as exc:
            raise StreamConfigError(str(key), str(exc)) from None
    if changes.get("replicas", settings.replicas) < 1:
        raise StreamConfigError("replicas", "must be at least 1")
    return replace(settings, **changes)


def default_stream(bus: str = DEFAULT_BUS, namespace: str = "") -> StreamSettings:
    return StreamSettings(name=stream_name(bus, namespace))
