"""gjson GET for sensors: ``pinnace.expressions.paths`` plus gjson multipaths (``[a,b.c]``, ``{a,b}``).

Argo's own filter tests use multipaths (``[k,k1.a.#(k2=="v2").k2]``) to match several fields with
one regex; the result is a JSON array (or object) of the components that exist.
"""

from __future__ import annotations

from typing import Any

from pinnace.expressions import paths

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
    return paths.get_path(data, path)
