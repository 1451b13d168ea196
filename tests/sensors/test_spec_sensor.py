"""The Sensor model: Argo's field names, the trigger registry, unsupported features, Argo's corpus."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from pinnace.resources import kinds, validate
from sensors.spec import ARGO_ONLY_TRIGGERS, TRIGGER_TYPES, Sensor
from sensors.spec.argo_workflow import ArgoWorkflowTrigger
from sensors.spec.http import HTTPTrigger

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "argo-events"
T0 = "spec.triggers[0].template"




def sensor(template: dict[str, Any], **trigger: Any) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Sensor",
        "metadata": {"name": "s"},
        "spec": {
            "dependencies": [{"name": "dep", "eventSourceName": "es", "eventName": "e"}],
            "triggers": [{"template": {"name": "t", **template}, **trigger}],
        },
    }


def found(doc: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(p.path, p.message, p.severity) for p in validate.validate_object(doc)[1]]


def test_registry_holds_the_implemented_triggers_and_argo_lists_the_rest() -> None:
    assert set(TRIGGER_TYPES) == {"argoWorkflow", "k8s", "http", "nats", "log"}
    assert len(TRIGGER_TYPES) + len(ARGO_ONLY_TRIGGERS) == 14
    assert not set(TRIGGER_TYPES) & set(ARGO_ONLY_TRIGGERS)


def test_kind_is_registered_with_argo_names() -> None:
    info = kinds.lookup("sensors")
    assert info is not None and info.kind == "Sensor"
    assert kinds.lookup("sn") is info and kinds.lookup("sensor") is info


def test_template_exposes_its_typed_trigger() -> None:
    source = {"resource": {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow"}}
    model, problems = validate.validate_object(sensor({"argoWorkflow": {"operation": "submit", "source": source}}))
    assert problems == []
    assert isinstance(model, Sensor) and model.spec.triggers
    template = model.spec.triggers[0].template
    assert template is not None
    picked = template.trigger()
    assert picked is not None and picked[0] == "argoWorkflow"
    assert isinstance(picked[1], ArgoWorkflowTrigger) and picked[1].operation == "submit"
    assert model.wire()["spec"]["triggers"][0]["template"]["argoWorkflow"]["source"] == source


@pytest.mark.parametrize("key", ARGO_ONLY_TRIGGERS)
def test_every_other_argo_trigger_parses_and_is_reported_unsupported(key: str) -> None:
    model, _ = validate.validate_object(sensor({key: {"any": ["thing"]}}))
    assert isinstance(model, Sensor)
    assert found(sensor({key: {"any": ["thing"]}})) == [
        (f"{T0}.{key}", f"trigger type {key!r} is not supported by pinnace", "unsupported")
    ]


def test_trigger_keys_match_case_insensitively_as_go_json_does() -> None:
    assert found(sensor({"openwhisk": {"host": "h"}})) == [
        (f"{T0}.openWhisk", "trigger type 'openWhisk' is not supported by pinnace", "unsupported")
    ]


def test_legacy_server_url_is_read_as_url() -> None:
    model, problems = validate.validate_object(sensor({"http": {"serverURL": "http://h/x", "method": "POST"}}))
    assert problems == []
    assert isinstance(model, Sensor) and model.spec.triggers and model.spec.triggers[0].template
    picked = model.spec.triggers[0].template.trigger()
    assert picked is not None and isinstance(picked[1], HTTPTrigger) and picked[1].url == "http://h/x"


@pytest.mark.parametrize(
    ("template", "trigger", "path", "message"),
    [
        (
            {"k8s": {"source": {"git": {"url": "u", "filePath": "f"}}}},
            {},
            f"{T0}.k8s.source.git",
            "trigger source 'git' is not supported by pinnace",
        ),
        (
            {"k8s": {"source": {"s3": {"bucket": {"name": "b"}}}}},
            {},
            f"{T0}.k8s.source.s3",
            "trigger source 's3' is not supported by pinnace",
        ),
        (
            {"log": {}, "atLeastOnce": True},
            {},
            f"{T0}.atLeastOnce",
            "'atLeastOnce' belongs on the trigger, not under its template: Argo ignores it here and so does pinnace",
        ),
        (
            {"log": {}, "policy": {"status": {"allow": [200]}}},
            {},
            f"{T0}.policy",
            "'policy' belongs on the trigger, not under its template: Argo ignores it here and so does pinnace",
        ),
    ],
)
def test_argo_features_pinnace_does_not_act_on_are_unsupported(
    template: dict[str, Any], trigger: dict[str, Any], path: str, message: str
) -> None:
    assert found(sensor(template, **trigger)) == [(path, message, "unsupported")]


def test_script_and_jq_are_accepted_and_jq_is_compiled() -> None:
    doc = sensor({"log": {}})
    doc["spec"]["dependencies"][0].update({"filters": {"script": "return true"}, "transform": {"jq": ".body"}})
    assert found(doc) == []
    doc["spec"]["dependencies"][0]["transform"] = {"jq": ".body |"}
    [(path, message, severity)] = found(doc)
    assert (path, severity) == ("spec.dependencies[0].transform.jq", "error")
    assert message.startswith("invalid jq program '.body |'")


def test_one_transform_only() -> None:
    doc = sensor({"log": {}})
    doc["spec"]["dependencies"][0]["transform"] = {"jq": ".a", "jmespath": "a"}
    assert found(doc) == [
        ("spec.dependencies[0].transform", "give only one of jq, script or jmespath, not jq and jmespath", "error"),
    ]


def corpus_sensors() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(CORPUS.rglob("*.y*ml")):
        for i, item in enumerate(yaml.safe_load_all(path.read_text())):
            if isinstance(item, dict) and item.get("kind") == "Sensor":
                out.append((f"{path.relative_to(CORPUS)}[{i}]", item))
    return out


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"Argo Events corpus not found at {CORPUS}")
def test_every_corpus_sensor_is_valid_or_unsupported_by_name() -> None:
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    bad: list[str] = []
    for where, item in corpus_sensors():
        model, problems = validate.validate_object(item)
        counts["valid" if not problems else "unsupported"] += 1
        for problem in problems:
            # An unsupported problem names the feature: the last key of its path, quoted or spelled out.
            feature = problem.path.rsplit(".", 1)[-1]
            named = f"'{feature}'" in problem.message or feature in ("script", "jq")
            if problem.severity != "unsupported" or not named or model is None:
                bad.append(f"{where}: {problem}")
            reasons[problem.message] += 1
    print(f"\nargo-events corpus Sensors: {dict(counts)}")
    for message, n in reasons.most_common():
        print(f"  {n:3d} x {message}")
    assert bad == []
    assert counts["valid"] >= 70 and sum(counts.values()) >= 90


def test_metadata_name_and_replicas() -> None:
    doc = sensor({"log": {}})
    doc["metadata"] = {}
    doc["spec"]["replicas"] = -2
    assert found(doc) == [
        ("metadata.name", "required field is missing: the sensor's name", "error"),
        ("spec.replicas", "replicas must not be negative, got -2", "error"),
    ]
    doc["metadata"] = {"name": "s"}
    doc["spec"]["replicas"] = 2
    assert found(doc) == []
