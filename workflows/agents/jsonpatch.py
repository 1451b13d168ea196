"""JSON merge patch (RFC 7386) and JSON patch (RFC 6902) over plain JSON values."""

from __future__ import annotations

import copy
from typing import Any


class PatchError(ValueError):
    pass


def merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if not isinstance(target, dict):
        target = {}
    for k, v in patch.items():
        if v is None:
            target.pop(k, None)
        else:
            target[k] = merge_patch(target.get(k), v)
    return target


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f"json patch path {path!r} must start with '/'")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _parent(doc: Any, parts: list[str]) -> tuple[Any, str]:
    node = doc
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node, parts[-1]


def _get(doc: Any, path: str) -> Any:
    node = doc
    for part in _pointer(path):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _add(doc: Any, path: str, value: Any) -> Any:
    parts = _pointer(path)
    if not parts:
        return value
    parent, key = _parent(doc, parts)
    if isinstance(parent, list):
        parent.insert(len(parent) if key == "-" else int(key), value)
    else:
        parent[key] = value
    return doc


def _remove(doc: Any, path: str) -> Any:
    parent, key = _parent(doc, _pointer(path))
    if isinstance(parent, list):
        parent.pop(int(key))
    else:
        del parent[key]
    return doc


def apply_json_patch(doc: Any, ops: list[Any]) -> Any:
    doc = copy.deepcopy(doc)
    for op in ops:
        try:
            kind, path = op["op"], op["path"]
            if kind == "add":
                doc = _add(doc, path, copy.deepcopy(op["value"]))
            elif kind == "remove":
                doc = _remove(doc, path)
            elif kind == "replace":
                doc = _add(_remove(doc, path), path, copy.deepcopy(op["value"]))
            elif kind in ("move", "copy"):
                value = copy.deepcopy(_get(doc, op["from"]))
                if kind == "move":
                    doc = _remove(doc, op["from"])
                doc = _add(doc, path, value)
            elif kind == "test":
                if _get(doc, path) != op["value"]:
                    raise PatchError(f"json patch test failed at {path}")
            else:
                raise PatchError(f"unknown json patch op {kind!r}")
        except (KeyError, IndexError, ValueError, TypeError) as err:
            if isinstance(err, PatchError):
                raise
            raise PatchError(f"json patch {op!r} cannot be applied: {err}") from err
    return doc
