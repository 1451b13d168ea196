"""The registry of resource kinds: a dict and a register function.

Each plane registers the kinds it owns (``workflows.spec`` registers Workflow and friends,
``sensors.spec`` registers Sensor, ...). The API server, the validator and the CLI read it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pinnace.resources.base import Problem, Resource

Checker = Callable[[Resource], list[Problem]]


def _no_checks(_: Resource) -> list[Problem]:
    return []


@dataclass(frozen=True)
class KindInfo:
    kind: str
    model: type[Resource]
    plural: str
    group: str = "argoproj.io"
    version: str = "v1alpha1"
    namespaced: bool = True
    short_names: tuple[str, ...] = ()
    check: Checker = field(default=_no_checks)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def singular(self) -> str:
        return self.kind.lower()


KINDS: dict[str, KindInfo] = {}


def register_kind(info: KindInfo) -> KindInfo:
    if info.kind in KINDS:
        raise ValueError(f"kind {info.kind!r} registered twice")
    KINDS[info.kind] = info
    return info


def lookup(name: str) -> KindInfo | None:
    """Find a kind by its Kind, plural, singular or short name (``wf``, ``workflows``, ...)."""
    ensure_loaded()
    wanted = name.lower()
    for info in KINDS.values():
        if wanted in (info.kind.lower(), info.plural, *info.short_names):
            return info
    return None


def ensure_loaded() -> None:
    """Import every module that registers kinds (idempotent)."""
    import pinnace.resources.catalog  # noqa: F401
