"""Core Kubernetes kinds pinnace serves itself: ConfigMap, Secret, Namespace."""

from __future__ import annotations

import base64
import binascii

from pydantic import Field, field_validator, model_validator

from pinnace.resources.base import ArgoModel, LooseModel, Resource, any_string
from pinnace.resources.kinds import KindInfo, register_kind


class ConfigMap(Resource):
    api_version: str = "v1"
    kind: str = "ConfigMap"
    data: dict[str, str] | None = None
    binary_data: dict[str, str] | None = None
    immutable: bool | None = None

    @field_validator("data", mode="before")
    @classmethod
    def _stringify(cls, value: object) -> object:
        if isinstance(value, dict):
            return {k: any_string(v) for k, v in value.items()}
        return value


class Secret(Resource):
    api_version: str = "v1"
    kind: str = "Secret"
    data: dict[str, str] | None = None
    string_data: dict[str, str] | None = None
    type: str | None = None
    immutable: bool | None = None

    @model_validator(mode="after")
    def _check_base64(self) -> Secret:
        for key, value in (self.data or {}).items():
            try:
                base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                raise ValueError(f"data.{key}: value is not valid base64") from None
        return self

    def decoded(self) -> dict[str, str]:
        """``data`` decoded, with ``stringData`` overriding, as the API server stores it."""
        out = {k: base64.b64decode(v).decode("utf-8", "replace") for k, v in (self.data or {}).items()}
        out.update(self.string_data or {})
        return out


class NamespaceSpec(ArgoModel):
    finalizers: list[str] | None = None


class Namespace(Resource):
    api_version: str = "v1"
    kind: str = "Namespace"
    spec: NamespaceSpec | None = None
    status: LooseModel | None = Field(default=None)


register_kind(KindInfo("ConfigMap", ConfigMap, "configmaps", group="", version="v1", short_names=("cm",)))
register_kind(KindInfo("Secret", Secret, "secrets", group="", version="v1"))
register_kind(
    KindInfo("Namespace", Namespace, "namespaces", group="", version="v1", namespaced=False, short_names=("ns",))
)
