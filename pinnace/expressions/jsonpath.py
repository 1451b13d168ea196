"""JSONPath queries as Argo's ``jsonpath(json, path)`` evaluates them (``$.a.b``, ``$.items[0]``,
``$..name``, ``[*]``, slices, unions and ``[?(@.x == 'y' && @.n > 1)]`` filters joined by ``&&``/``||``).

A definite path (no wildcard, recursion, slice, union or filter) yields the value itself; any other
path yields the list of matches.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pinnace.expressions.errors import ExpressionError

_SEGMENT = re.compile(
    r"""\.\.(?P<deep>[A-Za-z0-9_$-]+|\*)
      | \.(?P<name>[A-Za-z0-9_$-]+|\*)
      | \[\s*(?P<bracket>(?:'[^']*'|"[^"]*"|\?\((?:[^()]|\([^()]*\))*\)|[^\]])*)\s*\]
    """,
    re.VERBOSE,
)
_FILTER = re.compile(r"\?\(\s*@(?P<path>(?:\.[A-Za-z0-9_$-]+)*)\s*(?:(?P<op>==|!=|<=|>=|<|>)\s*(?P<rhs>.+?))?\s*\)")

_MISSING = object()


def query(path: str, document: Any) -> Any:
    path = path.strip()
    if not path.startswith("$"):
        raise ExpressionError(f"jsonpath: invalid path {path!r}: must start with '$'")
    nodes = [document]
    definite = True
    pos = 1
    while pos < len(path):
        match = _SEGMENT.match(path, pos)
        if match is None:
            raise ExpressionError(f"jsonpath: invalid path {path!r} at position {pos}")
        pos = match.end()
        nodes, is_definite = _step(nodes, match)
        definite = definite and is_definite
    if definite:
        if not nodes:
            raise ExpressionError(f"jsonpath: key not found in {path!r}")
        return nodes[0]
    return nodes


def _children(node: Any) -> list[Any]:
    if isinstance(node, Mapping):
        return [node[k] for k in sorted(node)]
    if isinstance(node, list):
        return list(node)
    return []


def _descendants(node: Any) -> list[Any]:
    out = [node]
    for child in _children(node):
        out.extend(_descendants(child))
    return out


def _key(node: Any, key: str) -> Any:
    if isinstance(node, Mapping):
        return node.get(key, _MISSING)
    return _MISSING


def _step(nodes: list[Any], match: re.Match[str]) -> tuple[list[Any], bool]:
    if match.group("deep") is not None:
        name = match.group("deep")
        found = [d for n in nodes for d in _descendants(n)]
        if name == "*":
            return [c for d in found for c in _children(d)], False
        return [x for d in found if (x := _key(d, name)) is not _MISSING], False
    if match.group("name") is not None:
        name = match.group("name")
        if name == "*":
            return [c for n in nodes for c in _children(n)], False
        return [x for n in nodes if (x := _key(n, name)) is not _MISSING], True
    return _bracket(nodes, match.group("bracket").strip())


def _bracket(nodes: list[Any], body: str) -> tuple[list[Any], bool]:
    if body == "*":
        return [c for n in nodes for c in _children(n)], False
    if body.startswith("?"):
        return [c for n in nodes for c in _children(n) if _filter(body, c)], False
    parts = [p.strip() for p in re.split(r",(?=(?:[^'\"]|'[^']*'|\"[^\"]*\")*$)", body)]
    out: list[Any] = []
    for part in parts:
        for node in nodes:
            out.extend(_select(node, part))
    return out, len(parts) == 1 and ":" not in parts[0]


def _select(node: Any, part: str) -> list[Any]:
    if part[:1] in "'\"":
        value = _key(node, part[1:-1])
        return [] if value is _MISSING else [value]
    if not isinstance(node, list):
        return []
    try:
        if ":" in part:
            bounds = [int(b) if b.strip() else None for b in part.split(":")]
            return node[slice(*bounds)]
        index = int(part)
    except ValueError:
        raise ExpressionError(f"jsonpath: invalid subscript [{part}]") from None
    if -len(node) <= index < len(node):
        return [node[index]]
    return []


def _filter(body: str, item: Any) -> bool:
    inner = body.strip()
    if not (inner.startswith("?(") and inner.endswith(")")):
        raise ExpressionError(f"jsonpath: unsupported filter [{body}]")
    # ``||`` binds looser than ``&&``, as in the JSONPath implementations Argo uses.
    return any(
        all(_comparison(term, item, body) for term in _split_logical(alt, "&&"))
        for alt in _split_logical(inner[2:-1], "||")
    )


def _split_logical(text: str, op: str) -> list[str]:
    """Split on ``op`` outside quotes and parentheses."""
    parts: list[str] = []
    depth, quote, start, i = 0, "", 0, 0
    while i < len(text):
        ch = text[i]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and text.startswith(op, i):
            parts.append(text[start:i])
            start = i = i + len(op)
            continue
        i += 1
    parts.append(text[start:])
    return parts


def _comparison(term: str, item: Any, body: str) -> bool:
    term = term.strip()
    while term.startswith("(") and term.endswith(")"):
        term = term[1:-1].strip()
    match = _FILTER.fullmatch(f"?({term})")
    if match is None:
        raise ExpressionError(f"jsonpath: unsupported filter [{body}]")
    value: Any = item
    for name in filter(None, match.group("path").split(".")):
        value = _key(value, name)
        if value is _MISSING:
            return False
    if match.group("op") is None:
        return bool(value)
    rhs = _literal(match.group("rhs").strip())
    op = match.group("op")
    try:
        return bool(
            {"==": value == rhs, "!=": value != rhs}.get(op)
            if op in ("==", "!=")
            else {"<": value < rhs, ">": value > rhs, "<=": value <= rhs, ">=": value >= rhs}[op]
        )
    except TypeError:
        return False


def _literal(text: str) -> Any:
    if text[:1] in "'\"":
        return text[1:-1]
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    try:
        return float(text)
    except ValueError:
        raise ExpressionError(f"jsonpath: invalid literal {text}") from None
