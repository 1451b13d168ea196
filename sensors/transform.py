"""``dependencies[].transform``: reshape the payload before filtering (Argo's ``ApplyTransform``).

``jq`` runs through the ``jq`` bindings and Lua ``script`` through ``lupa`` when installed (a
clear start-up error otherwise); ``jmespath`` (pinnace extension) always works. As in Argo the
result must be a JSON object; it replaces the event data (content type ``application/json``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jmespath.exceptions import JMESPathError

from sensors import lua
from sensors.event import Event, PayloadError
from sensors.filters.query import compile_query


class TransformError(ValueError):
    """The transform could not run on this event; the event is dropped and the reason logged."""


class UnsupportedTransform(ValueError):
    """A transform pinnace cannot run; raised at sensor start."""


def _compile_jq(program: str, where: str) -> Callable[[Any], Any]:
    try:
        import jq  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise UnsupportedTransform(
            f"{where}.jq: jq transforms need the 'jq' Python package (pip install jq); or use transform.jmespath"
        ) from None
    try:
        compiled = jq.compile(program)
    except ValueError as exc:
        raise UnsupportedTransform(f"{where}.jq: invalid jq program {program!r}: {exc}") from None

    def run(data: Any) -> Any:
        try:
            outputs = compiled.input_value(data).all()
        except ValueError as exc:
            raise TransformError(f"jq {program!r} failed: {exc}") from None
        if not outputs:
            raise TransformError("no output available from the jq command execution")
        return outputs[0]

    return run


def _compile_jmespath(expression: str, where: str) -> Callable[[Any], Any]:
    compiled = compile_query(expression, f"{where}.jmespath")

    def run(data: Any) -> Any:
        try:
            return compiled.search(data)
        except JMESPathError as exc:
            raise TransformError(f"jmespath {expression!r} failed: {exc}") from None

    return run


def _compile_script(script: str, where: str) -> Callable[[Any], Any]:
    try:
        lua.check_available()
    except lua.LuaUnavailable as exc:
        raise UnsupportedTransform(f"{where}.script: {exc}; or use transform.jq or transform.jmespath") from None

    def run(data: Any) -> Any:
        try:
            return lua.run_transform(script, data)
        except lua.LuaError as exc:
            raise TransformError(str(exc)) from None

    return run


@dataclass
class Transform:
    run: Callable[[Any], Any]
    kind: str

    def apply(self, event: Event) -> Event:
        if not event.has_data:
            return event
        try:
            data = event.data()
        except PayloadError as exc:
            raise TransformError(str(exc)) from None
        result = self.run(data)
        if not isinstance(result, dict):
            raise TransformError(f"{self.kind} transformation output must be a JSON object")
        return event.with_data(result)


def compile_transform(spec: dict[str, Any] | None, where: str = "transform") -> Transform | None:
    if not spec:
        return None
    if spec.get("script"):
        return Transform(_compile_script(str(spec["script"]), where), "script")
    if spec.get("jq"):
        return Transform(_compile_jq(str(spec["jq"]), where), "jq")
    if spec.get("jmespath"):
        return Transform(_compile_jmespath(str(spec["jmespath"]), where), "jmespath")
    return None
