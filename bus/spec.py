"""The EventBus resource (Argo's ``eventbus_types.go``) and how pinnace runs it.

``spec.jetstream`` runs the embedded nats-server (or the ``--nats-url`` cluster);
``spec.jetstreamExotic`` connects to an existing JetStream at ``url``. NATS Streaming
(``spec.nats``) and Kafka (``spec.kafka``) parse, so Argo YAML loads unchanged, but are
reported unsupported: pinnace's bus is JetStream only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import yaml
from pydantic import Field, field_validator

from bus.connection import Credentials
from bus.naming import DEFAULT_BUS, stream_name
from bus.settings import StreamConfigError, StreamSettings, parse_size, parse_stream_config
from pinnace.resources.base import ArgoModel, LooseModel, Problem, Problems, Resource, any_string, join_path
from pinnace.resources.kinds import KindInfo, register_kind

AuthStrategy = Literal["none", "token", "basic", "jwt"]
K8sObject = dict[str, Any]


class SecretKeySelector(ArgoModel):
    name: str | None = None
    key: str
    optional: bool | None = None


class _PodTemplate(ArgoModel):
    """Pod placement fields of Argo's StatefulSet-backed buses; carried, not interpreted."""

    container_template: K8sObject | None = None
    metrics_container_template: K8sObject | None = None
    persistence: K8sObject | None = None
    metadata: K8sObject | None = None
    node_selector: dict[str, str] | None = None
    tolerations: list[K8sObject] | None = None
    security_context: K8sObject | None = None
    image_pull_secrets: list[K8sObject] | None = None
    priority_class_name: str | None = None
    priority: int | None = None
    affinity: K8sObject | None = None
    service_account_name: str | None = None


class NativeStrategy(_PodTemplate):
    replicas: int | None = None
    auth: AuthStrategy | None = None
    anti_affinity: bool | None = None
    max_age: str | None = None
    max_msgs: int | None = None
    max_bytes: str | None = None
    max_subs: int | None = None
    max_payload: str | None = None
    raft_heartbeat_timeout: str | None = None
    raft_election_timeout: str | None = None
    raft_lease_timeout: str | None = None
    raft_commit_timeout: str | None = None


class NATSConfig(ArgoModel):
    url: str | None = None
    cluster_id: str | None = Field(default=None, alias="clusterID")
    auth: AuthStrategy | None = None
    access_secret: SecretKeySelector | None = None


class NATSBus(ArgoModel):
    native: NativeStrategy | None = None
    exotic: NATSConfig | None = None


class JetStreamBus(_PodTemplate):
    version: str | None = None
    replicas: int | None = None
    reloader_container_template: K8sObject | None = None
    settings: str | None = None
    start_args: list[str] | None = None
    stream_config: str | None = None
    max_payload: str | None = None

    @field_validator("version", "max_payload", mode="before")
    @classmethod
    def _stringify(cls, value: Any) -> Any:
        return any_string(value)


class JetStreamConfig(ArgoModel):
    url: str | None = None
    access_secret: SecretKeySelector | None = None
    stream_config: str | None = None
    tls: K8sObject | None = None
    auth: AuthStrategy | None = None


class KafkaBus(ArgoModel):
    url: str | None = None
    topic: str | None = None
    version: str | None = None
    tls: K8sObject | None = None
    sasl: K8sObject | None = None
    consumer_group: K8sObject | None = None
    partitioner: str | None = None
    consumer_batch_max_wait: str | None = None


class EventBusSpec(ArgoModel):
    nats: NATSBus | None = None
    jetstream: JetStreamBus | None = None
    kafka: KafkaBus | None = None
    jetstream_exotic: JetStreamConfig | None = None


class EventBus(Resource):
    kind: str = "EventBus"
    spec: EventBusSpec = Field(default_factory=EventBusSpec)
    status: LooseModel | None = None


# -- semantic checks (Argo's pkg/reconciler/eventbus/validate.go, plus what pinnace can run) ------


def _check_nats(nats: NATSBus, problems: Problems) -> None:
    if nats.native is not None and nats.exotic is not None:
        problems.error("spec.nats", "native and exotic can not be defined together")
    elif nats.native is None and nats.exotic is None:
        problems.error("spec.nats", "either native or exotic must be defined")
    if nats.exotic is not None:
        if not nats.exotic.cluster_id:
            problems.error("spec.nats.exotic.clusterID", "required field is missing")
        if not nats.exotic.url:
            problems.error("spec.nats.exotic.url", "required field is missing")
    problems.unsupported("spec.nats", "NATS Streaming buses are not supported by pinnace; use spec.jetstream instead")


def _check_stream_config(text: str | None, path: str, problems: Problems) -> None:
    try:
        parse_stream_config(text)
    except StreamConfigError as exc:
        problems.error(join_path(path, exc.key) if exc.key else path, str(exc).removeprefix(f"{exc.key}: "))


def _check_jetstream(js: JetStreamBus, problems: Problems) -> None:
    if not js.version:
        problems.error("spec.jetstream.version", "a version for jetstream needs to be specified")
    if js.replicas is not None and (js.replicas == 2 or js.replicas <= 0):
        problems.error("spec.jetstream.replicas", "a jetstream eventbus requires 1 replica or >= 3 replicas")
    _check_stream_config(js.stream_config, "spec.jetstream.streamConfig", problems)
    if js.max_payload is not None:
        try:
            parse_size(js.max_payload)
        except ValueError as exc:
            problems.error("spec.jetstream.maxPayload", str(exc))
    if js.settings:
        try:
            yaml.safe_load(js.settings)
        except yaml.YAMLError:
            problems.error("spec.jetstream.settings", "must be nats-server JetStream settings, one per line")


def _check_exotic(js: JetStreamConfig, problems: Problems) -> None:
    if not js.url:
        problems.error("spec.jetstreamExotic.url", "required field is missing")
    _check_stream_config(js.stream_config, "spec.jetstreamExotic.streamConfig", problems)
    if js.auth == "jwt":
        problems.unsupported("spec.jetstreamExotic.auth", "jwt auth is not supported; use token or basic")


def check_eventbus(resource: Resource) -> list[Problem]:
    assert isinstance(resource, EventBus)
    spec = resource.spec
    problems = Problems()
    chosen = [k for k in ("nats", "jetstream", "kafka", "jetstreamExotic") if getattr(spec, _attr(k))]
    if not chosen:
        problems.error("spec", 'either "nats", "jetstream", "jetstreamExotic", or "kafka" needs to be specified')
    elif len(chosen) > 1:
        problems.error("spec", f"only one bus type may be set, got {', '.join(chosen)}")
    if spec.nats is not None:
        _check_nats(spec.nats, problems)
    if spec.jetstream is not None:
        _check_jetstream(spec.jetstream, problems)
    if spec.jetstream_exotic is not None:
        _check_exotic(spec.jetstream_exotic, problems)
    if spec.kafka is not None:
        if not spec.kafka.url:
            problems.error("spec.kafka.url", "required field is missing")
        problems.unsupported("spec.kafka", "Kafka buses are not supported by pinnace; use spec.jetstream instead")
    return problems.items


def _attr(wire: str) -> str:
    return "jetstream_exotic" if wire == "jetstreamExotic" else wire


# -- what to run ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BusPlan:
    """How to run one EventBus: embedded server (``url`` None) or an existing JetStream."""

    stream: StreamSettings
    url: str | None = None
    auth: AuthStrategy = "none"
    access_secret: SecretKeySelector | None = None
    max_payload: int | None = None
    server_settings: str = ""


def plan_for(bus: EventBus | None, namespace: str = "") -> BusPlan:
    """The plan for ``bus`` (the default embedded JetStream when there is no EventBus).

    Run :func:`check_eventbus` first: an invalid ``streamConfig`` raises StreamConfigError here.
    """
    name = (bus.metadata.name if bus else None) or DEFAULT_BUS
    base = StreamSettings(name=stream_name(name, namespace))
    if bus is None or (bus.spec.jetstream is None and bus.spec.jetstream_exotic is None):
        return BusPlan(stream=base)
    if bus.spec.jetstream_exotic is not None:
        ex = bus.spec.jetstream_exotic
        auth: AuthStrategy = ex.auth or ("basic" if ex.access_secret else "none")
        return BusPlan(
            stream=parse_stream_config(ex.stream_config, base),
            url=ex.url,
            auth=auth,
            access_secret=ex.access_secret,
        )
    js = bus.spec.jetstream
    assert js is not None
    return BusPlan(
        stream=parse_stream_config(js.stream_config, base),
        max_payload=parse_size(js.max_payload) if js.max_payload else None,
        server_settings=js.settings or "",
    )


def credentials_from_secret(value: str, strategy: AuthStrategy) -> Credentials:
    """Argo's auth secret: YAML with ``token`` or ``username``/``password`` keys."""
    if strategy == "none":
        return Credentials()
    try:
        doc = yaml.safe_load(value)
    except yaml.YAMLError:
        doc = None
    if not isinstance(doc, dict):
        if strategy == "token":
            return Credentials(token=value.strip())
        raise ValueError("the access secret must be YAML with username and password (or token) keys")
    if strategy == "token":
        return Credentials(token=str(doc.get("token", "")))
    return Credentials(user=str(doc.get("username", "")), password=str(doc.get("password", "")))


register_kind(KindInfo("EventBus", EventBus, "eventbus", short_names=("eb",), check=check_eventbus))
