"""Kubernetes label and field selectors: parsing and matching.

Label grammar (as ``kubectl -l``): ``a=b``, ``a==b``, ``a!=b``, ``a in (x,y)``,
``a notin (x)``, ``a`` (exists), ``!a`` (does not exist), joined by commas.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pinnace.resources.errors import BadRequest

_KEY = r"[A-Za-z0-9][-A-Za-z0-9_./]*"
_VALUE = r"[-A-Za-z0-9_.]*"
_SET_RE = re.compile(rf"^\s*({_KEY})\s+(in|notin)\s*\(([^)]*)\)\s*")
_CMP_RE = re.compile(rf"^\s*({_KEY})\s*(==|!=|=)\s*({_VALUE})\s*")
_EXISTS_RE = re.compile(rf"^\s*(!?)\s*({_KEY})\s*")


@dataclass(frozen=True)
class Requirement:
    key: str
    op: str  # "=", "!=", "in", "notin", "exists", "!exists"
    values: frozenset[str] = frozenset()

    def matches(self, labels: Mapping[str, str]) -> bool:
        return _OPS[self.op](self, labels)


_OPS: dict[str, Callable[[Requirement, Mapping[str, str]], bool]] = {
    "=": lambda r, lb: r.key in lb and lb[r.key] in r.values,
    "!=": lambda r, lb: r.key not in lb or lb[r.key] not in r.values,
    "in": lambda r, lb: r.key in lb and lb[r.key] in r.values,
    "notin": lambda r, lb: r.key not in lb or lb[r.key] not in r.values,
    "exists": lambda r, lb: r.key in lb,
    "!exists": lambda r, lb: r.key not in lb,
}


def _take(text: str) -> tuple[Requirement, str]:
    m = _SET_RE.match(text)
    if m:
        values = frozenset(v.strip() for v in m.group(3).split(",") if v.strip())
        return Requirement(m.group(1), m.group(2), values), text[m.end() :]
    m = _CMP_RE.match(text)
    if m:
        op = "=" if m.group(2) in ("=", "==") else "!="
        return Requirement(m.group(1), op, frozenset([m.group(3)])), text[m.end() :]
    m = _EXISTS_RE.match(text)
    if m:
        return Requirement(m.group(2), "!exists" if m.group(1) else "exists"), text[m.end() :]
    raise BadRequest(f"unable to parse label selector at {text!r}: use key=value, key!=value, "
                     "key in (a,b), key notin (a), key or !key, joined by commas")


@dataclass(frozen=True)
class LabelSelector:
    requirements: tuple[Requirement, ...] = ()

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        lb = labels or {}
        return all(r.matches(lb) for r in self.requirements)

    @classmethod
    def parse(cls, text: str | None) -> LabelSelector:
        reqs: list[Requirement] = []
        rest = (text or "").strip()
        while rest:
            req, rest = _take(rest)
            reqs.append(req)
            rest = rest.strip()
            if rest.startswith(","):
                rest = rest[1:].strip()
            elif rest:
                raise BadRequest(f"unable to parse label selector at {rest!r}: requirements are comma-separated")
        return cls(tuple(reqs))


_FIELDS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "metadata.name": lambda o: str(o.get("metadata", {}).get("name") or ""),
    "metadata.namespace": lambda o: str(o.get("metadata", {}).get("namespace") or ""),
}


@dataclass(frozen=True)
class FieldSelector:
    """Only ``metadata.name`` and ``metadata.namespace``, with ``=``, ``==`` and ``!=``."""

    terms: tuple[tuple[str, bool, str], ...] = ()  # (field, equal?, value)

    @classmethod
    def parse(cls, text: str | None) -> FieldSelector:
        terms: list[tuple[str, bool, str]] = []
        for part in (text or "").split(","):
            part = part.strip()
            if not part:
                continue
            m = re.match(r"^([\w.]+)\s*(==|!=|=)\s*(.*)$", part)
            if not m or m.group(1) not in _FIELDS:
                raise BadRequest(
                    f"field selector {part!r} is not supported: use metadata.name=NAME or metadata.namespace=NS"
                )
            terms.append((m.group(1), m.group(2) != "!=", m.group(3).strip()))
        return cls(tuple(terms))

    def matches(self, obj: Mapping[str, Any]) -> bool:
        return all((_FIELDS[f](obj) == v) == eq for f, eq, v in self.terms)

    def equal_to(self, field: str) -> str | None:
        """The value a field must equal, so the store can narrow its query."""
        for f, eq, v in self.terms:
            if f == field and eq:
                return v
        return None
