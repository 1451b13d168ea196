"""The EventSource model: Argo's field names, the type registry, unsupported types, Argo's corpus."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from eventsources.spec import ARGO_ONLY_TYPES, SOURCE_TYPES, EventSource
from eventsources.spec.calendar import CalendarEventSource
from eventsources.spec.webhook import WebhookEventSource
from pinnace.resources import kinds, validate

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "argo-events"




def doc(spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "EventSource", "metadata": {"name": "es"}, "spec": spec}


def test_registry_holds_the_implemented_types_and_argo_lists_the_rest() -> None:
    assert set(SOURCE_TYPES) == {"webhook", "calendar", "nats", "redis", "redisStream", "amqp", "mqtt", "kafka", "file"}
    # Every key of Argo's EventSourceSpec that names a source type, implemented or not.
    assert len(SOURCE_TYPES) + len(ARGO_ONLY_TYPES) == 32
    assert not set(SOURCE_TYPES) & set(ARGO_ONLY_TYPES)


def test_kind_is_registered_with_argo_names() -> None:
    info = kinds.lookup("es")
    assert info is not None and info.kind == "EventSource" and info.plural == "eventsources"
    assert kinds.lookup("eventsources") is info


def test_sources_lists_each_event_with_its_typed_model() -> None:
    model, found = validate.validate_object(
        doc(
            {
                "webhook": {"hook": {"port": "12000", "endpoint": "/hook", "method": "POST"}},
                "calendar": {"tick": {"interval": "10s"}},
            }
        )
    )
    assert found == []
    assert isinstance(model, EventSource)
    sources = {(key, name): spec for key, name, spec in model.spec.sources()}
    assert set(sources) == {("webhook", "hook"), ("calendar", "tick")}
    assert isinstance(sources["webhook", "hook"], WebhookEventSource)
    assert isinstance(sources["calendar", "tick"], CalendarEventSource)
    assert model.spec.unsupported_types() == []


def test_wire_form_keeps_argo_field_names() -> None:
    model, _ = validate.validate_object(
        doc({"eventBusName": "default", "redisStream": {"s": {"hostAddress": "h:1", "streams": ["a"]}}})
    )
    assert model is not None
    wire = model.wire()
    assert wire["spec"]["eventBusName"] == "default"
    assert wire["spec"]["redisStream"]["s"]["hostAddress"] == "h:1"


@pytest.mark.parametrize("key", ARGO_ONLY_TYPES)
def test_every_other_argo_type_parses_and_is_reported_unsupported(key: str) -> None:
    model, found = validate.validate_object(doc({key: {"example": {"anything": {"goes": [1, 2]}}}}))
    assert isinstance(model, EventSource)
    assert model.spec.unsupported_types() == [key]
    assert [(p.path, p.message, p.severity) for p in found] == [
        (f"spec.{key}", f"event source type {key!r} is not supported by pinnace", "unsupported")
    ]


def test_keys_match_case_insensitively_as_go_json_does() -> None:
    model, found = validate.validate_object(doc({"Webhook": {"a": {"Port": "1", "endPoint": "/a", "method": "GET"}}}))
    assert found == []
    assert isinstance(model, EventSource)
    [(key, name, spec)] = model.spec.sources()
    assert (key, name) == ("webhook", "a")
    assert isinstance(spec, WebhookEventSource) and spec.endpoint == "/a" and spec.port == "1"


def corpus_documents(kind: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(CORPUS.rglob("*.y*ml")):
        for i, item in enumerate(yaml.safe_load_all(path.read_text())):
            if isinstance(item, dict) and item.get("kind") == kind:
                out.append((f"{path.relative_to(CORPUS)}[{i}]", item))
    return out


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"Argo Events corpus not found at {CORPUS}")
def test_every_corpus_event_source_is_valid_or_unsupported_by_type() -> None:
    counts: Counter[str] = Counter()
    bad: list[str] = []
    for where, item in corpus_documents("EventSource"):
        _, found = validate.validate_object(item)
        if not found:
            counts["valid"] += 1
            continue
        counts["unsupported"] += 1
        for problem in found:
            key = problem.path.removeprefix("spec.")
            expected = f"event source type {key!r} is not supported by pinnace"
            if problem.severity != "unsupported" or key not in item["spec"] or problem.message != expected:
                bad.append(f"{where}: {problem}")
    print(f"\nargo-events corpus EventSources: {dict(counts)}")
    assert bad == []
    assert counts["valid"] >= 9 and sum(counts.values()) >= 30


def test_metadata_name_and_replicas() -> None:
    webhook = {"webhook": {"a": {"port": "1", "endpoint": "/a", "method": "POST"}}}
    unnamed = {**doc({**webhook, "replicas": -1}), "metadata": {}}
    assert [(p.path, p.message) for p in validate.validate_object(unnamed)[1]] == [
        ("spec.replicas", "replicas must not be negative, got -1"),
        ("metadata.name", "required field is missing: sensors refer to it"),
    ]
    generated = {**doc(webhook), "metadata": {"generateName": "es-"}}
    assert validate.validate_object(generated)[1] == []
