"""JSON merge patch (RFC 7386) and JSON patch (RFC 6902) on plain dicts.

Strategic merge patch is applied as a merge patch: lists are replaced, not merged by key.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from pinnace.resources.errors import BadRequest, Invalid

MERGE = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"


def merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _split(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise BadRequest(f"JSON patch path {pointer!r} must start with '/'")
    return [_unescape(t) for t in pointer[1:].split("/")]


def _parent(doc: Any, pointer: str) -> tuple[Any, str]:
    tokens = _split(pointer)
    if not tokens:
        raise BadRequest("JSON patch cannot replace the whole document; patch its fields instead")
    node = doc
    for token in tokens[:-1]:
        node = _child(node, token, pointer)
    return node, tokens[-1]


def _child(node: Any, token: str, pointer: str) -> Any:
    try:
        if isinstance(node, list):
            return node[int(token)]
        return node[token]
    except (KeyError, IndexError, ValueError, TypeError):
        raise Invalid(f"JSON patch path {pointer!r} does not exist", []) from None


def _get(doc: Any, pointer: str) -> Any:
    node = doc
    for token in _split(pointer):
        node = _child(node, token, pointer)
    return node


def _add(doc: Any, pointer: str, value: Any) -> None:
    parent, key = _parent(doc, pointer)
    if isinstance(parent, list):
        index = len(parent) if key == "-" else int(key)
        if not 0 <= index <= len(parent):
            raise Invalid(f"JSON patch index {pointer!r} is out of range", [])
        parent.insert(index, value)
    elif isinstance(parent, dict):
        parent[key] = value
    else:
        raise Invalid(f"JSON patch path {pointer!r} does not point into an object or list", [])


def _remove(doc: Any, pointer: str) -> Any:
    parent, key = _parent(doc, pointer)
    try:
        return parent.pop(int(key) if isinstance(parent, list) else key)
    except (KeyError, IndexError, ValueError):
        raise Invalid(f"JSON patch path {pointer!r} does not exist", []) from None


def _discard(_: Any) -> None:
    return None


def _op_test(doc: Any, op: dict[str, Any]) -> None:
    if _get(doc, op["path"]) != op.get("value"):
        raise Invalid(f"JSON patch test failed at {op['path']!r}", [])


def _op_replace(doc: Any, op: dict[str, Any]) -> None:
    _remove(doc, op["path"])
    _add(doc, op["path"], copy.deepcopy(op.get("value")))


_JSON_OPS: dict[str, Callable[[Any, dict[str, Any]], None]] = {
    "add": lambda d, op: _add(d, op["path"], copy.deepcopy(op.get("value"))),
    "remove": lambda d, op: _discard(_remove(d, op["path"])),
    "replace": _op_replace,
    "move": lambda d, op: _add(d, op["path"], _remove(d, op["from"])),
    "copy": lambda d, op: _add(d, op["path"], copy.deepcopy(_get(d, op["from"]))),
    "test": _op_test,
}


def json_patch(target: Any, ops: Any) -> Any:
    if not isinstance(ops, list):
        raise BadRequest("a JSON patch must be a list of operations like {\"op\":\"add\",\"path\":...}")
    doc = copy.deepcopy(target)
    for op in ops:
        if not isinstance(op, dict) or op.get("op") not in _JSON_OPS or "path" not in op:
            raise BadRequest(f"invalid JSON patch operation {op!r}: need op (one of {sorted(_JSON_OPS)}) and path")
        _JSON_OPS[op["op"]](doc, op)
    return doc


_PATCHERS: dict[str, Callable[[Any, Any], Any]] = {
    MERGE: merge_patch,
    STRATEGIC: merge_patch,
    JSON_PATCH: json_patch,
}


def apply_patch(target: dict[str, Any], patch: Any, content_type: str = MERGE) -> dict[str, Any]:
    patcher = _PATCHERS.get(content_type)
    if patcher is None:
        raise UnsupportedPatch(content_type)
    out = patcher(target, patch)
    if not isinstance(out, dict):
        raise BadRequest("the patch must leave an object")
    return out


class UnsupportedPatch(BadRequest):
    code = 415
    reason = "UnsupportedMediaType"

    def __init__(self, content_type: str) -> None:
        super().__init__(f"patch content type {content_type!r} is not supported; use one of {sorted(_PATCHERS)}")
