"""Turning a request path into (kind, namespace, name, subresource)."""

from __future__ import annotations

from dataclasses import dataclass

from pinnace.api.discovery import find
from pinnace.resources.errors import NotFound
from pinnace.resources.kinds import KindInfo

SUBRESOURCES = frozenset({"status"})


@dataclass(frozen=True)
class Target:
    info: KindInfo
    namespace: str | None  # None: every namespace (lists) or cluster-scoped
    name: str | None = None
    subresource: str | None = None

    @property
    def resource(self) -> str:
        return self.info.plural + (f"/{self.subresource}" if self.subresource else "")


def _not_found(path: str) -> NotFound:
    return NotFound(f"the server could not find the requested resource ({path})")


def _split(group: str, segs: list[str]) -> tuple[str, str | None, list[str]]:
    """→ (plural, namespace, rest). ``namespaces/NAME[/status]`` in core is the Namespace itself."""
    if segs[0] == "namespaces" and len(segs) >= 3 and not (group == "" and segs[2] in SUBRESOURCES):
        return segs[2], segs[1], segs[3:]
    return segs[0], None, segs[1:]


def resolve(group: str, version: str, tail: str) -> Target | None:
    """``None`` for the group-version root (discovery); raises NotFound for unknown paths."""
    segs = [s for s in tail.split("/") if s]
    if not segs:
        return None
    plural, namespace, rest = _split(group, segs)
    info = find(group, version, plural)
    if info is None or len(rest) > 2 or (len(rest) == 2 and rest[1] not in SUBRESOURCES):
        raise _not_found(tail)
    if namespace is not None and not info.namespaced:
        raise _not_found(tail)
    name = rest[0] if rest else None
    if name is not None and info.namespaced and namespace is None:
        raise _not_found(tail)
    return Target(info, namespace, name, rest[1] if len(rest) == 2 else None)
