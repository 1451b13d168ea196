"""The ``http`` trigger: send a request built from event data (``HTTPTrigger``)."""

from __future__ import annotations

from typing import Any

from pydantic import model_validator

from eventsources.spec.checks import check_basic_auth, check_enum, check_tls, require
from eventsources.spec.common import BasicAuth, ConfigMapKeySelector, EventsModel, SecretKeySelector, TLSConfig
from pinnace.resources.base import Problems, join_path
from sensors.spec.parameter import TriggerContext, TriggerParameter, check_parameters
from sensors.spec.trigger_types import register_trigger_type

HTTP_TRIGGER_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


class ValueFromSource(EventsModel):
    secret_key_ref: SecretKeySelector | None = None
    config_map_key_ref: ConfigMapKeySelector | None = None


class SecureHeader(EventsModel):
    name: str | None = None
    value_from: ValueFromSource | None = None


class HTTPTrigger(EventsModel):
    url: str = ""
    payload: list[TriggerParameter] | None = None
    tls: TLSConfig | None = None
    method: str | None = None
    parameters: list[TriggerParameter] | None = None
    timeout: int | None = None
    basic_auth: BasicAuth | None = None
    headers: dict[str, str] | None = None
    secure_headers: list[SecureHeader] | None = None
    dynamic_headers: list[TriggerParameter] | None = None
    host: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _server_url(cls, data: Any) -> Any:
        # ``serverURL`` was renamed ``url`` in Argo Events v1.0; its own tutorials still use it.
        if isinstance(data, dict) and "serverURL" in data and "url" not in data:
            data = {("url" if k == "serverURL" else k): v for k, v in data.items()}
        return data


def check_http(trigger: HTTPTrigger, path: str, ctx: TriggerContext, problems: Problems) -> None:
    require(trigger.url, join_path(path, "url"), problems, "the URL to send the request to")
    if trigger.method:
        check_enum(trigger.method, HTTP_TRIGGER_METHODS, join_path(path, "method"), problems, "method")
    if trigger.timeout is not None and trigger.timeout < 0:
        problems.error(join_path(path, "timeout"), f"timeout must be seconds of 0 or more, got {trigger.timeout}")
    check_parameters(trigger.parameters, join_path(path, "parameters"), ctx, problems)
    # An http payload parameter without dest sends the whole value as the body.
    check_parameters(trigger.payload, join_path(path, "payload"), ctx, problems, dest_required=False)
    check_parameters(trigger.dynamic_headers, join_path(path, "dynamicHeaders"), ctx, problems)
    for i, header in enumerate(trigger.secure_headers or []):
        header_path = join_path(path, "secureHeaders", i)
        require(header.name, join_path(header_path, "name"), problems, "the header name")
        require(header.value_from, join_path(header_path, "valueFrom"), problems, "a secretKeyRef or configMapKeyRef")
    check_tls(trigger.tls, join_path(path, "tls"), problems)
    check_basic_auth(trigger.basic_auth, join_path(path, "basicAuth"), problems)


register_trigger_type("http", HTTPTrigger, check_http)
