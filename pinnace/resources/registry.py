"""Named types of one spec field (event source types, trigger types): key -> strict model and check.

Each implemented type module registers itself at import; the spec model builds one field per
key. ``argo_only`` lists the keys Argo defines that pinnace does not implement: they may not be
registered, and specs parse them as opaque mappings reported unsupported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from pinnace.resources.base import ArgoModel

C = TypeVar("C")


@dataclass(frozen=True)
class SpecType(Generic[C]):
    key: str
    model: type[ArgoModel]
    check: C


class SpecTypes(dict[str, SpecType[C]], Generic[C]):
    def __init__(self, what: str, argo_only: Iterable[str]) -> None:
        super().__init__()
        self.what = what
        self.argo_only = tuple(argo_only)

    def register(self, key: str, model: type[ArgoModel], check: C) -> None:
        if key in self or key in self.argo_only:
            raise ValueError(f"{self.what} {key!r} registered twice")
        self[key] = SpecType(key, model, check)
