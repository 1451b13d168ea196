"""gjson GET / sjson SET for sensors, on top of ``pinnace.expressions.paths``.

Adds gjson multipaths (``[a,b.c]``, ``{a,b}``): Argo's own filter tests use them to match several
fields with one regex; the result is a JSON array (or object) of the components that exist.

Plain paths (``body.action``, ``spec.arguments.parameters.0.value``: names and indexes only) take a
fast route with their split cached: every event walks the same few paths, and splitting a path
character by character dominated the cost of filtering and parameterizing an event. Anything
else (escapes, wildcards, ``#``, modifiers, ``:`` keys) goes to ``paths``, which defines the semantics.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pinnace.expressions import paths

_PLAIN = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*")


@lru_cache(maxsize=4096)
def _plain_keys(path: str) -> tuple[str, ...] | None:
    return tuple(path.split(".")) if _PLAIN.fullmatch(path) else None


def _get_plain(data: Any, keys: tuple[str, ...]) -> tuple[Any, bool]:
    node = data
    for key in keys:
        if isinstance(node, dict):
            if key not in node:
                return None, False
            node = node[key]
        elif isinstance(node, list) and key.isdigit():
            index = int(key)
            if index >= len(node):
                return None, False
            node = node[index]
        else:
            return None, False
    return node, True


def set_path(obj: Any, path: str, value: Any) -> Any:
    keys = _plain_keys(path) if "-1" not in path else None
    if keys is None:
        return paths.set_path(obj, path, value)
    return paths.set_keys(obj, list(keys), value)


_CLOSE = {"[": "]", "{": "}"}


def _split_top(body: str) -> list[str]:
    parts, depth, quote, start = [], 0, "", 0
    i = 0
    while i < len(body):
        ch = body[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch == '"':
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(body[start:i])
            start = i + 1
        i += 1
    parts.append(body[start:])
    return [p.strip() for p in parts]


def get_path(data: Any, path: str) -> tuple[Any, bool]:
    if len(path) >= 2 and path[0] in _CLOSE and path[-1] == _CLOSE[path[0]]:
        components = [p for p in _split_top(path[1:-1]) if p]
        found = [(p, paths.get_path(data, p)) for p in components]
        if path[0] == "[":
            return [v for _, (v, ok) in found if ok], True
        return {p.split(".")[-1]: v for p, (v, ok) in found if ok}, True
    keys = _plain_keys(path)
    if keys is not None:
        return _get_plain(data, keys)
    return paths.get_path(data, path)
