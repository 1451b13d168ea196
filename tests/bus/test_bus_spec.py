"""The EventBus resource: Argo's YAML parses, checks follow Argo's validation, plans are right."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bus.connection import Credentials
from bus.settings import StreamConfigError, parse_size, parse_stream_config
from bus.spec import EventBus, credentials_from_secret, plan_for
from pinnace.resources.kinds import lookup
from pinnace.resources.validate import validate_object

CORPUS = Path("/work/shared/corpus/argo-events/examples/eventbus")


def check(text: str) -> tuple[EventBus | None, list[str]]:
    model, problems = validate_object(yaml.safe_load(text))
    assert model is None or isinstance(model, EventBus)
    return model, [str(p) for p in problems]


def test_kind_is_registered_with_argo_names() -> None:
    info = lookup("eb")
    assert info is not None and info.kind == "EventBus" and info.plural == "eventbus"
    assert lookup("eventbus") is info


@pytest.mark.skipif(not CORPUS.is_dir(), reason="Argo corpus not present")
def test_argo_native_example_parses_and_is_unsupported() -> None:
    model, problems = check((CORPUS / "native.yaml").read_text())
    assert model is not None and model.spec.nats and model.spec.nats.native
    assert problems == [
        "spec.nats: unsupported: NATS Streaming buses are not supported by pinnace; use spec.jetstream instead"
    ]


def test_jetstream_bus_is_valid_and_planned_as_embedded() -> None:
    model, problems = check(
        """
apiVersion: argoproj.io/v1alpha1
kind: EventBus
metadata: {name: default}
spec:
  jetstream:
    version: latest
    replicas: 3
    persistence: {storageClassName: standard, accessMode: ReadWriteOnce, volumeSize: 10Gi}
    containerTemplate: {resources: {requests: {cpu: 10m}}}
    streamConfig: |
      maxAge: 24h
      maxmsgs: 1e+06
      maxBytes: 1GB
      duplicates: 5m
      Discard: 1
    settings: |
      max_file_store: 1GB
    maxPayload: 2MB
    startArgs: ["-D"]
"""
    )
    assert problems == []
    assert model is not None
    plan = plan_for(model, namespace="argo-events")
    assert plan.url is None  # embedded server
    assert plan.stream.name == "argo-events__default"
    assert (plan.stream.max_age, plan.stream.max_msgs, plan.stream.max_bytes) == (86400.0, 1_000_000, 1 << 30)
    assert (plan.stream.duplicates, plan.stream.discard) == (300.0, "new")
    assert plan.max_payload == 2 << 20 and "max_file_store" in plan.server_settings


def test_jetstream_checks_follow_argo() -> None:
    _, problems = check(
        """
kind: EventBus
metadata: {name: b}
spec:
  jetstream:
    replicas: 2
    streamConfig: "maxAge: forever"
    maxPayload: lots
"""
    )
    assert problems == [
        "spec.jetstream.version: a version for jetstream needs to be specified",
        "spec.jetstream.replicas: a jetstream eventbus requires 1 replica or >= 3 replicas",
        "spec.jetstream.streamConfig.maxAge: invalid duration 'forever': use e.g. 72h, 300s",
        "spec.jetstream.maxPayload: invalid size 'lots': use a number of bytes or e.g. 512MB, 1GB",
    ]


def test_exotic_jetstream_is_an_external_url_with_basic_auth() -> None:
    model, problems = check(
        """
kind: EventBus
metadata: {name: ext}
spec:
  jetstreamExotic:
    url: nats://nats.example:4222
    accessSecret: {name: auth, key: client-auth}
    streamConfig: "replicas: 3"
"""
    )
    assert problems == [] and model is not None
    plan = plan_for(model)
    assert (plan.url, plan.auth, plan.stream.replicas, plan.stream.name) == (
        "nats://nats.example:4222",
        "basic",
        3,
        "ext",
    )
    assert plan.access_secret is not None and plan.access_secret.key == "client-auth"
    assert credentials_from_secret("username: u\npassword: p\n", "basic") == Credentials(user="u", password="p")
    assert credentials_from_secret("token: t", "token") == Credentials(token="t")
    assert credentials_from_secret("anything", "none") == Credentials()


def test_other_bus_types_and_mistakes() -> None:
    _, kafka = check("kind: EventBus\nmetadata: {name: k}\nspec:\n  kafka: {}\n")
    assert kafka == [
        "spec.kafka.url: required field is missing",
        "spec.kafka: unsupported: Kafka buses are not supported by pinnace; use spec.jetstream instead",
    ]
    _, empty = check("kind: EventBus\nmetadata: {name: e}\nspec: {}\n")
    assert empty == ['spec: either "nats", "jetstream", "jetstreamExotic", or "kafka" needs to be specified']
    _, exotic = check("kind: EventBus\nmetadata: {name: x}\nspec:\n  nats:\n    exotic: {}\n")
    assert "spec.nats.exotic.clusterID: required field is missing" in exotic
    assert "spec.nats.exotic.url: required field is missing" in exotic
    _, typo = check("kind: EventBus\nmetadata: {name: t}\nspec:\n  jetstream:\n    version: x\n    replica: 3\n")
    assert typo == ["spec.jetstream.replica: unknown field 'replica'"]


def test_sizes_and_stream_config() -> None:
    assert [parse_size(v) for v in ("1GB", "512Mi", "1024", -1, "1e6", "2k")] == [
        1 << 30,
        512 << 20,
        1024,
        -1,
        1_000_000,
        2048,
    ]
    assert parse_stream_config("maxAge: 90s\nretention: 2\nunknownKey: 1").retention == "workqueue"
    with pytest.raises(StreamConfigError, match="replicas: must be at least 1"):
        parse_stream_config("replicas: 0")
    with pytest.raises(StreamConfigError, match="discard"):
        parse_stream_config("discard: 7")
    assert plan_for(None).stream.name == "default"
