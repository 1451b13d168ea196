"""Turn a pydantic JSON schema into a Kubernetes *structural* OpenAPI v3 schema.

Structural schemas forbid ``$ref`` and ``anyOf`` at the type level, so references are inlined,
``Optional[X]`` becomes ``X`` with ``nullable``, and shapes Kubernetes cannot express (recursion,
mixed unions, free-form objects) fall back to ``x-kubernetes-preserve-unknown-fields``.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

PRESERVE: Schema = {"x-kubernetes-preserve-unknown-fields": True}
MAX_DEPTH = 6


def _free_object() -> Schema:
    return {"type": "object", **PRESERVE}


class Converter:
    def __init__(self, defs: dict[str, Schema]) -> None:
        self._defs = defs

    def convert(self, node: Schema, stack: tuple[str, ...] = ()) -> Schema:
        if len(stack) > MAX_DEPTH:
            return _free_object() if node.get("type") == "object" or "$ref" in node else dict(PRESERVE)
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            if name in stack:
                return _free_object()
            return self.convert(self._defs[name], (*stack, name))
        if "anyOf" in node:
            return self._union(node["anyOf"], stack)
        return self._typed(node, stack)

    def _union(self, branches: list[Schema], stack: tuple[str, ...]) -> Schema:
        real = [b for b in branches if b.get("type") != "null"]
        nullable = len(real) != len(branches)
        if len(real) == 1:
            out = self.convert(real[0], stack)
        elif {b.get("type") for b in real} <= {"integer", "string", "number"}:
            out = {"x-kubernetes-int-or-string": True}
        else:
            out = dict(PRESERVE)
        if nullable and "type" in out:
            out["nullable"] = True
        return out

    def _typed(self, node: Schema, stack: tuple[str, ...]) -> Schema:
        kind = node.get("type")
        if kind is None:
            return dict(PRESERVE) if "enum" not in node else {"type": "string", "enum": node["enum"]}
        out: Schema = {"type": kind}
        if "enum" in node:
            out["enum"] = node["enum"]
        if "const" in node:
            out["enum"] = [node["const"]]
        if kind == "array":
            out["items"] = self.convert(node.get("items", {}), stack)
        elif kind == "object":
            out.update(self._object(node, stack))
        return out

    def _object(self, node: Schema, stack: tuple[str, ...]) -> Schema:
        props = node.get("properties")
        extra = node.get("additionalProperties")
        if props:
            out: Schema = {"properties": {k: self.convert(v, stack) for k, v in sorted(props.items())}}
            if node.get("required"):
                out["required"] = sorted(node["required"])
            if extra not in (None, False):
                out.update(PRESERVE)
            return out
        if isinstance(extra, dict) and extra:
            return {"additionalProperties": self.convert(extra, stack)}
        return dict(PRESERVE)


def structural(schema: Schema) -> Schema:
    return Converter(schema.get("$defs", {})).convert(schema)
