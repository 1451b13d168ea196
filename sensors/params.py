"""Trigger parameters, resolved exactly as Argo's ``pkg/sensors/triggers/params.go``.

A parameter takes a value from one dependency's event (``src``) and writes it at an sjson path
(``dest``) of the trigger's resource. Values are strings unless ``useRawData`` asks for a JSON
block/number/bool to be written raw. Pinnace adds ``src.jmespath``: a JMESPath query over the
event data, whose non-string result is a raw JSON value.

Resources are handled as decoded JSON objects rather than bytes; ``jsonpaths.set_path`` follows
sjson's rules for creating intermediate objects and arrays.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from jmespath.exceptions import JMESPathError
from jmespath.parser import ParsedResult

from pinnace.expressions.errors import ExpressionError
from pinnace.expressions.gotemplate import render as render_template
from pinnace.expressions.paths import result_string
from sensors import jsonpaths
from sensors.event import Event, PayloadError
from sensors.filters.query import compile_query
from sensors.jsonvalues import gjson_type, raw_json

log = logging.getLogger(__name__)

STRING = "String"
JSON_BLOCK = "JSON"
OPERATIONS = ("", "overwrite", "append", "prepend")


class ParameterError(ValueError):
    """A parameter could not be resolved or applied; the trigger fails with this message."""


@dataclass(frozen=True)
class Source:
    dependency_name: str = ""
    context_key: str = ""
    context_template: str = ""
    data_key: str = ""
    data_template: str = ""
    value: str | None = None
    use_raw_data: bool = False
    jmespath: ParsedResult | None = None

    @classmethod
    def from_wire(cls, src: dict[str, Any], where: str = "src") -> Source:
        query = src.get("jmespath")
        return cls(
            dependency_name=str(src.get("dependencyName") or ""),
            context_key=str(src.get("contextKey") or ""),
            context_template=str(src.get("contextTemplate") or ""),
            data_key=str(src.get("dataKey") or ""),
            data_template=str(src.get("dataTemplate") or ""),
            value=None if src.get("value") is None else str(src["value"]),
            use_raw_data=bool(src.get("useRawData")),
            jmespath=compile_query(str(query), f"{where}.jmespath") if query else None,
        )


@dataclass(frozen=True)
class Parameter:
    src: Source
    dest: str = ""
    operation: str = ""

    @classmethod
    def from_wire(cls, item: dict[str, Any], where: str = "parameters") -> Parameter:
        operation = str(item.get("operation") or "")
        if operation not in OPERATIONS:
            raise ParameterError(
                f"{where}.operation: unsupported trigger parameter operation {operation!r}; "
                "use overwrite, append or prepend"
            )
        return cls(Source.from_wire(item.get("src") or {}, f"{where}.src"), str(item.get("dest") or ""), operation)


def compile_parameters(items: list[dict[str, Any]] | None, where: str = "parameters") -> list[Parameter]:
    return [Parameter.from_wire(item, f"{where}[{i}]") for i, item in enumerate(items or [])]


def _template_value(payload: Any, template: str) -> str:
    out: str = render_template(template, {"Input": payload})
    if out in ("", "<no value>"):
        raise ExpressionError(f"template evaluated to empty string or no value: {template}")
    return out


def _key_value(payload: Any, key: str) -> tuple[str, str]:
    value, exists = jsonpaths.get_path(payload, key)
    if not exists:
        raise ParameterError(f"key {key} does not exist to in the event payload")
    kind = gjson_type(value)
    if kind in (JSON_BLOCK, "Null"):
        return raw_json(value), kind
    return result_string(value), kind


def _query_value(src: Source, event: Event) -> tuple[str, str]:
    assert src.jmespath is not None
    try:
        result = src.jmespath.search(event.data())
    except (JMESPathError, PayloadError) as exc:
        raise ParameterError(f"jmespath: {exc}") from None
    if result is None:
        raise ParameterError("jmespath query evaluated to null")
    if isinstance(result, str):
        return result, STRING
    return raw_json(result), gjson_type(result)


def resolve(src: Source, events: dict[str, Event]) -> tuple[str | None, str]:
    """Argo's ``ResolveParamValue``: ``(value, type)``; ``(None, String)`` when nothing applies."""
    event = events.get(src.dependency_name)
    if event is None:
        # A missing dependency is normal with || conditions: use the default or skip the parameter.
        return (src.value, STRING) if src.value is not None else (None, STRING)
    selectors = src.context_key or src.data_key or src.data_template or src.context_template
    if src.jmespath is not None:
        try:
            return _query_value(src, event)
        except ParameterError:
            if src.value is not None:
                return src.value, STRING
            raise
    if not selectors:
        if src.value is not None:
            return src.value, STRING
        return raw_json(event.whole()), STRING
    key, template, payload_error = "", "", None
    payload: Any = None
    if src.context_key or src.context_template:
        key, template, payload = src.context_key, src.context_template, event.context()
    if src.data_key or src.data_template:
        key, template = src.data_key, src.data_template
        try:
            payload = event.data_as_json()
        except PayloadError as exc:
            payload_error = exc
    if payload_error is not None:
        if src.value is not None:
            log.info("failed to parse the event payload, using default value: %s", payload_error)
            return src.value, STRING
        raise ParameterError(str(payload_error))
    return _from_payload(src, payload, key, template)


def _from_payload(src: Source, payload: Any, key: str, template: str) -> tuple[str, str]:
    err: Exception | None = None
    if template:
        try:
            return _template_value(payload, template), STRING
        except ExpressionError as exc:
            err = exc
            log.info("failed to execute the src event template, falling back to key or value: %s", exc)
    if key:
        try:
            return _key_value(payload, key)
        except ParameterError as exc:
            err = exc
            log.info("failed to get value by key: %s", exc)
    if src.value is not None:
        return src.value, STRING
    raise ParameterError(f"unable to resolve '{src.dependency_name}' parameter value. err: {err}")


def _set(obj: Any, dest: str, value: str, kind: str, raw: bool) -> Any:
    if kind != STRING and raw:
        try:
            decoded = json.loads(value)
        except ValueError as exc:
            raise ParameterError(f"dest {dest!r}: value is not valid JSON for useRawData: {exc}") from None
        return jsonpaths.set_path(obj, dest, decoded)
    return jsonpaths.set_path(obj, dest, value)


def apply(obj: Any, parameters: list[Parameter], events: dict[str, Event]) -> Any:
    """Argo's ``ApplyParams`` on a decoded JSON object; returns the updated object."""
    for param in parameters:
        value, kind = resolve(param.src, events)
        if value is None:
            continue
        if param.operation in ("append", "prepend"):
            current, exists = jsonpaths.get_path(obj, param.dest)
            if exists:
                kind = STRING
                text = result_string(current)
                value = text + value if param.operation == "append" else value + text
        try:
            obj = _set(obj, param.dest, value, kind, param.src.use_raw_data)
        except ExpressionError as exc:
            raise ParameterError(f"dest {param.dest!r}: {exc}") from None
    return obj


def construct_payload(parameters: list[Parameter], events: dict[str, Event]) -> bytes:
    """Argo's ``ConstructPayload``: a JSON body built from scratch; an empty ``dest`` is the whole body."""
    payload: Any = None
    for param in parameters:
        value, kind = resolve(param.src, events)
        if not param.dest:
            if value is not None:
                return value.encode()
            continue
        if value is None:
            # sjson would write JSON null for a nil string pointer; Argo dereferences and panics.
            raise ParameterError(f"payload parameter for dest {param.dest!r} resolved to no value")
        try:
            payload = _set(payload if payload is not None else {}, param.dest, value, kind, param.src.use_raw_data)
        except ExpressionError as exc:
            raise ParameterError(f"dest {param.dest!r}: {exc}") from None
    if payload is None:
        return b""
    return raw_json(payload).encode()
