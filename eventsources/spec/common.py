"""Pieces shared by every event source (and by sensors): secrets, TLS, auth, backoff, webhook context.

Field names follow argo-events ``pkg/apis/events/v1alpha1`` (``eventsource_types.go``,
``webhook_context.go``, ``tls.go``, ``basic_auth.go``, ``backoff.go``, ``template.go``). Fields
Argo declares without ``omitempty`` are still optional here: Argo's own ``validate.go`` decides
what is required, and our checks report a missing value with its field path instead of a bare
schema error.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from pinnace.resources.base import ArgoModel, any_string

AnyStr = Annotated[str, BeforeValidator(any_string)]
"""A string field that YAML users often write as a number (``port: 12000``)."""

Mapping = dict[str, Any]
"""A Kubernetes sub-object carried without interpretation (volumes, affinity, env, ...)."""


def canonical_keys(data: Any, names: tuple[str, ...]) -> Any:
    """Rename keys that match a wire name only case-insensitively (``verifycert`` -> ``verifyCert``)."""
    if not isinstance(data, dict):
        return data
    by_lower = {name.lower(): name for name in names}
    out: dict[Any, Any] = {}
    for key, value in data.items():
        canon = by_lower.get(key.lower(), key) if isinstance(key, str) and key not in names else key
        out[key if canon in data else canon] = value
    return out


_WIRE_NAMES: dict[type, tuple[str, ...]] = {}


class EventsModel(ArgoModel):
    """Base of every EventSource/Sensor spec model.

    Argo Events' CRDs keep unknown fields and its controllers decode with Go's encoding/json,
    which matches keys case-insensitively: Argo's own examples write ``verifycert`` and
    ``openwhisk``. Such keys are mapped to the field they mean; any other key stays an error.
    """

    @model_validator(mode="before")
    @classmethod
    def _go_json_keys(cls, data: Any) -> Any:
        names = _WIRE_NAMES.get(cls)
        if names is None:
            names = _WIRE_NAMES[cls] = tuple(info.alias or name for name, info in cls.model_fields.items())
        return canonical_keys(data, names)


class SecretKeySelector(EventsModel):
    name: str | None = None
    key: str = ""
    optional: bool | None = None


class ConfigMapKeySelector(EventsModel):
    name: str | None = None
    key: str = ""
    optional: bool | None = None


class Metadata(EventsModel):
    annotations: dict[str, AnyStr] | None = None
    labels: dict[str, AnyStr] | None = None


class EventSourceFilter(EventsModel):
    expression: str = ""


class TLSConfig(EventsModel):
    ca_cert_secret: SecretKeySelector | None = None
    client_cert_secret: SecretKeySelector | None = None
    client_key_secret: SecretKeySelector | None = None
    insecure_skip_verify: bool | None = None
    enabled: bool | None = None


class BasicAuth(EventsModel):
    username: SecretKeySelector | None = None
    password: SecretKeySelector | None = None


class Backoff(EventsModel):
    """``duration``: an integer is nanoseconds (Go ``time.Duration``), a string a Go duration."""

    duration: int | str | None = None
    factor: float | None = None
    jitter: float | None = None
    steps: int | None = None


class WebhookContext(EventsModel):
    endpoint: str = ""
    method: str = ""
    port: AnyStr = ""
    url: str = ""
    server_cert_secret: SecretKeySelector | None = None
    server_key_secret: SecretKeySelector | None = None
    metadata: dict[str, AnyStr] | None = None
    auth_secret: SecretKeySelector | None = None
    max_payload_size: int | None = None


class Container(EventsModel):
    """The container patch of an EventSource/Sensor pod ``template``."""

    resources: Mapping | None = None
    image_pull_policy: str | None = None
    security_context: Mapping | None = None
    volume_mounts: list[Mapping] | None = None
    env: list[Mapping] | None = None
    env_from: list[Mapping] | None = None


class Template(EventsModel):
    """Pod template of the EventSource or Sensor deployment (Kubernetes mode only)."""

    metadata: Metadata | None = None
    service_account_name: str | None = None
    container: Container | None = None
    volumes: list[Mapping] | None = None
    security_context: Mapping | None = None
    node_selector: dict[str, str] | None = None
    tolerations: list[Mapping] | None = None
    image_pull_secrets: list[Mapping] | None = None
    priority_class_name: str | None = None
    priority: int | None = None
    affinity: Mapping | None = None


class Service(EventsModel):
    metadata: Metadata | None = None
    ports: list[Mapping] | None = None
    cluster_ip: str | None = Field(default=None, alias="clusterIP")


class Condition(EventsModel):
    type: str = ""
    status: str = ""
    last_transition_time: str | None = None
    reason: str | None = None
    message: str | None = None


class Status(EventsModel):
    conditions: list[Condition] | None = None
