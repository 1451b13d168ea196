"""Validation of one resource document: schema (pydantic) then semantic checks (argo lint)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from pinnace.resources.base import Problem, Resource
from pinnace.resources.kinds import KINDS, ensure_loaded

# Pydantic puts union branch names ("str", "function-after[...]") into error locations;
# they are not field names a user wrote, so they are left out of the path.
_BRANCH_NAMES = {"str", "int", "float", "bool", "dict", "list", "none", "literal"}


def format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        if "[" in part or part in _BRANCH_NAMES or part.startswith("literal"):
            continue
        out = f"{out}.{part}" if out else part
    return out


def _message(err: Any) -> str:
    kind = err["type"]
    loc = err["loc"]
    if kind == "extra_forbidden":
        return f"unknown field {str(loc[-1])!r}"
    if kind == "missing":
        return "required field is missing"
    msg = str(err["msg"])
    # "Value error, <ours>" — our own validators' text is already phrased for users.
    return msg.removeprefix("Value error, ")


def schema_problems(exc: ValidationError) -> list[Problem]:
    seen: set[tuple[str, str]] = set()
    out: list[Problem] = []
    for err in exc.errors():
        item = (format_loc(err["loc"]), _message(err))
        if item not in seen:
            seen.add(item)
            out.append(Problem(*item))
    return out


def validate_object(obj: Any) -> tuple[Resource | None, list[Problem]]:
    """Parse and check one document; returns the model (when it parsed) and every problem."""
    ensure_loaded()
    if not isinstance(obj, dict):
        return None, [Problem("", f"a resource must be a mapping, got {type(obj).__name__}")]
    kind = obj.get("kind")
    if not isinstance(kind, str) or not kind:
        return None, [Problem("kind", "required field is missing")]
    info = KINDS.get(kind)
    if info is None:
        return None, [Problem("kind", f"kind {kind!r} is not supported", "unsupported")]
    api_version = obj.get("apiVersion")
    if api_version is not None and api_version != info.api_version:
        return None, [Problem("apiVersion", f"expected {info.api_version!r} for {kind}, got {api_version!r}")]
    try:
        model = info.model.model_validate(obj)
    except ValidationError as exc:
        return None, schema_problems(exc)
    return model, info.check(model)
