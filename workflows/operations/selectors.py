"""Node field selectors (k8s ``fields.ParseSelector``) as ``argo retry --node-field-selector`` reads them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from workflows.operations.wire import Obj, OperationError


@dataclass(frozen=True)
class SelectorTerm:
    key: str
    value: str
    equal: bool


def _split_unescaped(text: str, sep: str) -> list[str]:
    parts, cur, escaped = [], [], False
    for ch in text:
        if escaped:
            cur.append(ch)
            escaped = False
        elif ch == "\\":
            cur.append(ch)
            escaped = True
        elif ch == sep:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def _unescape(text: str) -> str:
    return text.replace("\\,", ",").replace("\\=", "=").replace("\\\\", "\\")


def parse_field_selector(text: str) -> list[SelectorTerm]:
    terms: list[SelectorTerm] = []
    for part in _split_unescaped(text, ","):
        if not part.strip():
            continue
        for op, equal in (("!=", False), ("==", True), ("=", True)):
            key, sep, value = part.partition(op)
            if sep:
                terms.append(SelectorTerm(key.strip(), _unescape(value.strip()), equal))
                break
        else:
            raise OperationError(f"invalid selector: '{text}'; can't understand '{part}'")
    return terms


def node_fields(node: Obj) -> dict[str, str]:
    """The fields a node selector can name (``SelectorMatchesNode``)."""
    ref = node.get("templateRef") or {}
    out = {
        "displayName": str(node.get("displayName") or ""),
        "templateName": str(ref.get("template") or node.get("templateName") or ""),
        "phase": str(node.get("phase") or ""),
        "name": str(node.get("name") or ""),
        "id": str(node.get("id") or ""),
    }
    if ref:
        out["templateRef.name"] = str(ref.get("name") or "")
        out["templateRef.template"] = str(ref.get("template") or "")
    for p in (node.get("inputs") or {}).get("parameters") or []:
        out[f"inputs.parameters.{p.get('name')}.value"] = str(p.get("value") or "")
    return out


def selector_matches(terms: Iterable[SelectorTerm], node: Obj) -> bool:
    fields = node_fields(node)
    return all((fields.get(t.key, "") == t.value) == t.equal for t in terms)
