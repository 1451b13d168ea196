"""gjson GET paths (Argo Events filter ``path`` and parameter ``dataKey``) and sjson SET paths
(trigger parameter ``dest``) over JSON-shaped Python values.

GET: ``a.b``, ``list.0``, ``list.#`` (length), ``list.#.name`` (map over the elements),
``list.#(name=="x")`` / ``#(…)#`` queries, ``\\.`` escapes, ``*``/``?`` wildcards in keys,
``@this``/``@reverse``/``@keys``/``@values``/``@flatten`` modifiers, ``|`` as a separator.
SET: intermediate maps are created, a numeric key creates or extends an array, ``-1`` appends and
``:0`` forces a map key.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Mapping
from typing import Any

from pinnace.expressions.errors import ExpressionError
from pinnace.expressions.goformat import format_float_f

_MISSING: Any = object()


def split_path(path: str) -> list[tuple[str, bool]]:
    """Components of a gjson/sjson path as (text, has_wildcard); ``\\`` escapes the next character."""
    parts: list[tuple[str, bool]] = []
    buf: list[str] = []
    wild = False
    depth = 0
    i = 0
    while i < len(path):
        ch = path[i]
        if ch == "\\" and i + 1 < len(path):
            buf.append(path[i + 1])
            i += 2
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        if ch in ".|" and depth == 0:
            parts.append(("".join(buf), wild))
            buf, wild = [], False
        else:
            wild = wild or (ch in "*?" and depth == 0)
            buf.append(ch)
        i += 1
    parts.append(("".join(buf), wild))
    return parts


def get_path(data: Any, path: str) -> tuple[Any, bool]:
    """gjson ``Get``: (value, exists). JSON ``null`` found at the path is (None, True)."""
    if path == "":
        return None, False
    value = _get(data, split_path(path))
    return (None, False) if value is _MISSING else (value, True)


def _get(node: Any, parts: list[tuple[str, bool]]) -> Any:
    if not parts:
        return node
    (key, wild), rest = parts[0], parts[1:]
    if key.startswith("@"):
        return _get(_modifier(node, key), rest) if _modifier(node, key) is not _MISSING else _MISSING
    if isinstance(node, list):
        return _get_in_list(node, key, rest)
    if isinstance(node, Mapping):
        if wild:
            found = next((k for k in node if fnmatch.fnmatchcase(str(k), key.replace("[", "[[]"))), None)
            return _MISSING if found is None else _get(node[found], rest)
        return _get(node[key], rest) if key in node else _MISSING
    return _MISSING


def _get_in_list(node: list[Any], key: str, rest: list[tuple[str, bool]]) -> Any:
    if key == "#":
        if not rest:
            return len(node)
        results = [r for item in node if (r := _get(item, rest)) is not _MISSING]
        return results
    if key.startswith("#(") and (key.endswith(")") or key.endswith(")#")):
        every = key.endswith("#")
        matches = [item for item in node if _query(item, key[2 : -2 if every else -1])]
        if every:
            return [r for item in matches if (r := _get(item, rest)) is not _MISSING]
        return _get(matches[0], rest) if matches else _MISSING
    if key.isdigit():
        index = int(key)
        return _get(node[index], rest) if index < len(node) else _MISSING
    return _MISSING


_QUERY_OPS = ("==", "!=", "<=", ">=", "!%", "<", ">", "%", "=")


def _split_query(query: str) -> tuple[str, str, str] | None:
    """(path, operator, value) of a ``#(…)`` query; operators inside nested parentheses are skipped."""
    depth = 0
    i = 0
    while i < len(query):
        ch = query[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == '"' and depth == 0:
            break
        elif depth == 0:
            op = next((o for o in _QUERY_OPS if query.startswith(o, i)), None)
            if op is not None:
                return query[:i].strip(), op, query[i + len(op) :].strip()
        i += 1
    return None


def _query(item: Any, query: str) -> bool:
    parts = _split_query(query)
    if parts is None:
        value, found = (item, True) if query.strip() == "" else get_path(item, query.strip())
        return found and value is not None and value is not False
    left_path, op, raw = parts
    left, found = (item, True) if left_path == "" else get_path(item, left_path)
    if not found:
        return False
    try:
        right = json.loads(raw)
    except json.JSONDecodeError:
        right = raw
    return _compare(op, left, right)


def _compare(op: str, left: Any, right: Any) -> bool:
    if op in ("%", "!%"):
        matched = isinstance(left, str) and fnmatch.fnmatchcase(left, str(right))
        return matched if op == "%" else not matched
    if op in ("==", "="):
        return bool(left == right) and isinstance(left, bool) == isinstance(right, bool)
    if op == "!=":
        return not (bool(left == right) and isinstance(left, bool) == isinstance(right, bool))
    comparable = (isinstance(left, int | float) and isinstance(right, int | float)) or (
        isinstance(left, str) and isinstance(right, str)
    )
    if not comparable:
        return False
    return bool({"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op])


def _modifier(node: Any, name: str) -> Any:
    if name == "@this":
        return node
    if name == "@reverse":
        if isinstance(node, list):
            return node[::-1]
        if isinstance(node, Mapping):
            return dict(reversed(list(node.items())))
        return node
    if name == "@keys":
        return list(node.keys()) if isinstance(node, Mapping) else _MISSING
    if name == "@values":
        return list(node.values()) if isinstance(node, Mapping) else _MISSING
    if name == "@flatten":
        if not isinstance(node, list):
            return node
        return [x for item in node for x in (item if isinstance(item, list) else [item])]
    return _MISSING


def result_string(value: Any) -> str:
    """gjson ``Result.String()``: strings as they are, "" for null/missing, and maps/lists as their
    raw JSON, which for a decoded payload is compact JSON in the payload's own key order."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float_f(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def set_path(obj: Any, path: str, value: Any) -> Any:
    """sjson ``Set``: a copy of ``obj`` with ``value`` at ``path``; intermediate containers are created."""
    parts = split_path(path)
    if path == "" or any(wild for _, wild in parts):
        raise ExpressionError(f"invalid dest path {path!r}: paths for setting cannot be empty or hold wildcards")
    return set_keys(obj, [p for p, _ in parts], value)


def set_keys(obj: Any, keys: list[str], value: Any) -> Any:
    """``set_path`` on a path already split into its (non-empty) keys."""
    return _set(obj, keys, value)


def _is_index(key: str) -> bool:
    return key == "-1" or key.isdigit()


def _set(node: Any, keys: list[str], value: Any) -> Any:
    # Copy-on-write: every map or list along the path is copied before it changes, the rest shared.
    key, rest = keys[0], keys[1:]
    forced = key.startswith(":")
    if forced:
        key = key[1:]
    if isinstance(node, list) and not forced and _is_index(key):
        out = list(node)
        index = len(out) if key == "-1" else int(key)
        while len(out) <= index:
            out.append(None)
        out[index] = _child(out[index], rest, value)
        return out
    if isinstance(node, dict):
        out_map = dict(node)
        out_map[key] = _child(out_map.get(key, _MISSING), rest, value)
        return out_map
    if node is None or node is _MISSING:
        if not forced and _is_index(key):
            return _set([], [key, *rest], value)
        return _set({}, [(":" if forced else "") + key, *rest], value)
    raise ExpressionError(f"cannot set {'.'.join(keys)!r}: the value there is a {type(node).__name__}, not a map")


def _child(existing: Any, rest: list[str], value: Any) -> Any:
    return _set(existing, rest, value) if rest else value
