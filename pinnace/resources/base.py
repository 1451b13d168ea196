"""The base every resource model stands on: Argo's camelCase wire names, strict fields.

Unknown fields are an error (like ``argo lint --strict``): a typo such as ``entryPoint`` must
not be silently ignored. Objects Argo copies verbatim from Kubernetes (volumes, affinity,
pod spec patches) are typed as ``dict[str, Any]`` where we do not interpret them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

Severity = Literal["error", "unsupported"]


class ArgoModel(BaseModel):
    """Base of every spec model: camelCase aliases, unknown fields forbidden."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        alias_generator=to_camel,
        protected_namespaces=(),
    )

    def wire(self) -> dict[str, Any]:
        """The object as it travels: camelCase keys, unset fields left out."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


class LooseModel(ArgoModel):
    """For Kubernetes objects we carry but do not interpret: any field accepted."""

    model_config = ConfigDict(extra="allow")


def any_string(value: Any) -> Any:
    """Argo's ``AnyString``: YAML numbers and booleans are accepted and stringified."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


class OwnerReference(LooseModel):
    api_version: str = ""
    kind: str = ""
    name: str = ""
    uid: str = ""


class ObjectMeta(ArgoModel):
    name: str | None = None
    generate_name: str | None = None
    namespace: str | None = None
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None
    uid: str | None = None
    resource_version: str | None = None
    generation: int | None = None
    creation_timestamp: str | None = None
    deletion_timestamp: str | None = None
    deletion_grace_period_seconds: int | None = None
    finalizers: list[str] | None = None
    owner_references: list[OwnerReference] | None = None
    managed_fields: list[dict[str, Any]] | None = None
    self_link: str | None = None

    @field_validator("labels", "annotations", mode="before")
    @classmethod
    def _stringify(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: any_string(v) for k, v in value.items()}
        return value


class Resource(ArgoModel):
    """A top-level object: ``apiVersion``, ``kind``, ``metadata``."""

    api_version: str = "argoproj.io/v1alpha1"
    kind: str
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)

    @property
    def display_name(self) -> str:
        meta = self.metadata
        if meta.name:
            return meta.name
        if meta.generate_name:
            return meta.generate_name
        return "<unnamed>"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document; ``path`` is the field path on the wire."""

    path: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        prefix = "unsupported: " if self.severity == "unsupported" else ""
        where = f"{self.path}: " if self.path else ""
        return f"{where}{prefix}{self.message}"


@dataclass
class Problems:
    """Collects problems while a checker walks a document."""

    items: list[Problem] = field(default_factory=list)

    def error(self, path: str, message: str) -> None:
        self.items.append(Problem(path, message))

    def unsupported(self, path: str, message: str) -> None:
        self.items.append(Problem(path, message, "unsupported"))

    def extend(self, problems: list[Problem]) -> None:
        self.items.extend(problems)

    def __bool__(self) -> bool:
        return bool(self.items)


def join_path(base: str, *parts: str | int) -> str:
    """Build ``spec.templates[1].steps[0][0].template`` from pieces."""
    out = base
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif out:
            out += f".{part}"
        else:
            out = part
    return out
