"""Names: templates, steps, tasks, parameters (Argo's patterns and uniqueness)."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from pinnace.resources import validate


def check(text: str) -> list[tuple[str, str]]:
    return [(p.path, p.message) for p in validate.validate_object(yaml.safe_load(textwrap.dedent(text)))[1]]


FIELD_RULE = (
    "name must consist of alpha-numeric characters or '-', and must start with an alpha-numeric character "
    "(e.g. My-name1-2, 123-NAME)"
)

STEPS = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: names}
spec:
  entrypoint: main
  templates:
  - name: echo
    container: {image: busybox}
  - name: main
    steps:
    - - {name: a, template: echo}
      - {name: %s, template: echo}
    - - {name: %s, template: echo}
"""


def test_step_names_must_be_unique_across_the_template() -> None:
    assert check(STEPS % ("b", "c")) == []
    assert check(STEPS % ("b", "a")) == [("spec.templates[1].steps[1][0].name", "step name 'a' is not unique")]
    assert check(STEPS % ("a", "c")) == [("spec.templates[1].steps[0][1].name", "step name 'a' is not unique")]


def test_step_names_follow_argo_pattern() -> None:
    assert check(STEPS % ("b_1", "c")) == [
        ("spec.templates[1].steps[0][1].name", f"step name 'b_1' is invalid: {FIELD_RULE}")
    ]
    # tags are substituted before Argo checks the name
    assert check(STEPS % ("'run-{{item}}'", "c")) == []


def test_template_names_are_valid_and_unique() -> None:
    doc = STEPS % ("b", "c")
    assert check(doc + "  - {name: echo, suspend: {}}\n") == [
        ("spec.templates[2].name", "template name 'echo' is not unique")
    ]
    bad = doc.replace("- name: echo", "- name: Echo.v1").replace("template: echo", "template: Echo.v1")
    assert check(bad) == [("spec.templates[0].name", f"template name 'Echo.v1' is invalid: {FIELD_RULE}")]


def test_template_name_is_required() -> None:
    doc = (STEPS % ("b", "c")).replace("  - name: echo\n    container", "  - container")
    assert ("spec.templates[0].name", "template name is required") in check(doc)


DAG = """
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: dag}
spec:
  templates:
  - name: main
    dag:
      tasks:
      - {name: %s, template: echo}
      - {name: %s, template: echo%s}
  - name: echo
    container: {image: busybox}
"""


def test_task_names_are_unique() -> None:
    assert check(DAG % ("a", "b", "")) == []
    assert check(DAG % ("a", "a", "")) == [("spec.templates[0].dag.tasks[1].name", "task name 'a' is not unique")]


def test_task_names_cannot_start_with_a_digit_when_dependencies_are_used() -> None:
    # Without depends/dependencies a leading digit is allowed, as in Argo.
    assert check(DAG % ("1a", "b", "")) == []
    message = "task name '1a' cannot begin with a digit when using either 'depends' or 'dependencies'"
    assert check(DAG % ("1a", "b", ", depends: 1a")) == [("spec.templates[0].dag.tasks[0].name", message)]
    assert check(DAG % ("a", "2b", ", dependencies: [a]")) == [
        ("spec.templates[0].dag.tasks[1].name", message.replace("1a", "2b"))
    ]


def test_parameter_names() -> None:
    doc = """
    apiVersion: argoproj.io/v1alpha1
    kind: Workflow
    metadata: {name: params}
    spec:
      entrypoint: main
      arguments: {parameters: [{name: %s, value: "1"}, {name: %s, value: "2"}]}
      templates: [{name: main, suspend: {}}]
    """
    assert check(doc % ("my_param-1", "other")) == []
    assert check(doc % ("x", "x")) == [("spec.arguments.parameters[1].name", "parameter name 'x' is not unique")]
    assert check(doc % ("a.b", "c")) == [(
        "spec.arguments.parameters[0].name",
        "parameter name 'a.b' is invalid: Parameter/Artifact name must consist of alpha-numeric characters, "
        "'_' or '-' e.g. my_param_1, MY-PARAM-1",
    )]


@pytest.mark.parametrize(
    ("kind", "limit", "what"),
    [
        ("Workflow", 63, "workflow name"),
        ("WorkflowTemplate", 63, "workflow template name"),
        ("ClusterWorkflowTemplate", 63, "cluster workflow template name"),
    ],
)
def test_object_name_length(kind: str, limit: int, what: str) -> None:
    def doc(name: str) -> dict[str, object]:
        return {"apiVersion": "argoproj.io/v1alpha1", "kind": kind, "metadata": {"name": name},
                "spec": {"entrypoint": "main", "templates": [{"name": "main", "container": {"image": "alpine"}}]}}

    assert validate.validate_object(doc("a" * limit))[1] == []
    problems = validate.validate_object(doc("a" * (limit + 1)))[1]
    assert [(p.path, p.message) for p in problems] == [
        ("metadata.name", f"{what} {'a' * (limit + 1)!r} must not be more than {limit} characters long "
                          f"(currently {limit + 1})")
    ]


def test_cron_workflow_name_leaves_room_for_the_timestamp() -> None:
    doc = {"apiVersion": "argoproj.io/v1alpha1", "kind": "CronWorkflow", "metadata": {"name": "c" * 53},
           "spec": {"schedules": ["* * * * *"], "workflowSpec": {
               "entrypoint": "main", "templates": [{"name": "main", "container": {"image": "alpine"}}]}}}
    messages = [p.message for p in validate.validate_object(doc)[1]]
    assert messages == [f"cron workflow name {'c' * 53!r} must not be more than 52 characters long (currently 53)"]
