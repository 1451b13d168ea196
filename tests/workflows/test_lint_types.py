"""Template types: exactly one, unsupported ones reported by name, type-specific fields."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from pinnace.resources import validate


def check(text: str) -> list[tuple[str, str, str]]:
    found = validate.validate_object(yaml.safe_load(textwrap.dedent(text)))[1]
    return [(p.path, p.message, p.severity) for p in found]


DOC = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: types}
spec:
  entrypoint: main
  templates:
  - name: main
    steps: [[{name: a, template: t0}, {name: b, template: t1}, {name: c, template: t2}]]
  - {name: t0, suspend: {}}
  - {name: t1, container: {image: busybox}}
  - name: t2
%s
"""


def body(text: str) -> str:
    return DOC % textwrap.indent(textwrap.dedent(text).strip(), "    ")


def test_plugin_and_data_templates_are_unsupported_by_name() -> None:
    assert check(body("plugin: {hello: {args: [x]}}")) == [
        ("spec.templates[3]", "template type 'plugin' is not supported by pinnace", "unsupported")
    ]
    data = """
    data:
      source: {artifactPaths: {name: p, s3: {bucket: b}}}
      transformation: [{expression: "filter(data, {# endsWith '.py'})"}]
    """
    assert check(body(data)) == [
        ("spec.templates[3]", "template type 'data' is not supported by pinnace", "unsupported")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "script: {image: python, source: 'print(1)'}",
        "resource: {action: create, manifest: 'kind: ConfigMap'}",
        "http: {url: 'http://127.0.0.1'}",
        "containerSet: {containers: [{name: main, image: busybox}]}",
        "dag: {tasks: [{name: x, template: t0}]}",
    ],
)
def test_supported_types_pass(text: str) -> None:
    assert check(body(text)) == []


def test_two_types_in_one_template() -> None:
    assert check(body("container: {image: busybox}\nscript: {image: python, source: x}")) == [
        ("spec.templates[3]", "multiple template types specified (container, script); choose one", "error")
    ]


def test_template_without_a_type() -> None:
    assert check(body("inputs: {}")) == [(
        "spec.templates[3]",
        "template type unspecified. choose one of: container, containerSet, steps, dag, script, resource, data, "
        "suspend, http, plugin",
        "error",
    )]


def test_leaf_only_and_steps_only_fields() -> None:
    assert check(body("dag: {tasks: [{name: x, template: t0}]}\nactiveDeadlineSeconds: 10")) == [
        ("spec.templates[3].activeDeadlineSeconds", "activeDeadlineSeconds is only valid for leaf templates", "error")
    ]
    assert check(body("container: {image: busybox}\nparallelism: 2")) == [
        ("spec.templates[3].parallelism", "parallelism is only valid for steps and dag templates", "error")
    ]
    assert check(body("dag: {tasks: [{name: x, template: t0}]}\ntimeout: 10s")) == [
        ("spec.templates[3].timeout", "dag template doesn't support timeout field", "error")
    ]


def test_container_image_may_come_from_template_defaults() -> None:
    assert check(body("container: {command: [echo]}")) == [
        ("spec.templates[3].container.image", "container.image may not be empty", "error")
    ]
    with_defaults = body("container: {command: [echo]}").replace(
        "  entrypoint: main", "  entrypoint: main\n  templateDefaults: {container: {image: busybox}}"
    )
    assert check(with_defaults) == []


def test_retry_policy_and_resource_action() -> None:
    assert check(body("container: {image: busybox}\nretryStrategy: {retryPolicy: Sometimes}")) == [(
        "spec.templates[3].retryStrategy.retryPolicy",
        "'Sometimes' is not a valid RetryPolicy; use one of Always, OnFailure, OnError, OnTransientError",
        "error",
    )]
    assert check(body("resource: {action: explode, manifest: 'a: b'}")) == [(
        "spec.templates[3].resource.action",
        "resource.action must be one of: get, create, apply, delete, replace, patch",
        "error",
    )]
    assert check(body("resource: {action: create}")) == [
        ("spec.templates[3].resource", "either resource.manifest or resource.manifestFrom must be specified", "error")
    ]


def test_resource_manifest_must_be_yaml() -> None:
    ok = "resource: {action: create, manifest: \"metadata:\\n  name: {{workflow.name}}-child\\n\"}"
    assert check(body(ok)) == []
    bad = "resource: {action: create, manifest: \"metadata: [unclosed\"}"
    assert check(body(bad)) == [
        ("spec.templates[3].resource.manifest", "resource.manifest must be a valid yaml", "error")
    ]
