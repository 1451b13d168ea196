"""Parameters: argument values, entrypoint and step inputs supplied, enums."""

from __future__ import annotations

import textwrap

import yaml

from pinnace.resources import validate


def check(text: str) -> list[tuple[str, str]]:
    return [(p.path, p.message) for p in validate.validate_object(yaml.safe_load(textwrap.dedent(text)))[1]]


ENTRY = """
apiVersion: argoproj.io/v1alpha1
kind: %s
metadata: {name: args}
spec:
  entrypoint: main
  arguments:
    parameters: [%s]
  templates:
  - name: main
    inputs:
      parameters: [%s]
    container: {image: busybox, args: ["{{inputs.parameters.message}}"]}
"""


def test_workflow_argument_needs_a_value() -> None:
    assert check(ENTRY % ("Workflow", "{name: message, value: hi}", "{name: message}")) == []
    assert check(ENTRY % ("Workflow", "{name: message}", "{name: message}")) == [
        ("spec.arguments.parameters[0]", "parameter 'message': value or valueFrom is required")
    ]
    from_cm = "{name: message, valueFrom: {configMapKeyRef: {name: cm, key: msg}}}"
    assert check(ENTRY % ("Workflow", from_cm, "{name: message}")) == []


def test_template_arguments_may_wait_for_submission() -> None:
    assert check(ENTRY % ("WorkflowTemplate", "{name: message}", "{name: message}")) == []
    assert check(ENTRY % ("ClusterWorkflowTemplate", "", "{name: message}")) == []


def test_entrypoint_input_must_be_supplied() -> None:
    assert check(ENTRY % ("Workflow", "", "{name: message, default: hello}")) == []
    assert check(ENTRY % ("Workflow", "", "{name: message, value: hello}")) == []
    assert check(ENTRY % ("Workflow", "", "{name: message}")) == [(
        "spec.arguments.parameters",
        "inputs.parameters.message was not supplied: entrypoint template 'main' needs it "
        "(set it in spec.arguments.parameters or give the input a default)",
    )]


def test_argument_value_from_only_allows_argument_sources() -> None:
    assert check(ENTRY % ("Workflow", "{name: message, valueFrom: {path: /tmp/x}}", "{name: message}")) == [
        ("spec.arguments.parameters[0].valueFrom",
         "parameter 'message': valueFrom only allows: default, configMapKeyRef and supplied"),
    ]


def test_enum_violations() -> None:
    enum = "{name: message, value: %s, enum: [hello, bye]}"
    assert check(ENTRY % ("Workflow", enum % "bye", "{name: message}")) == []
    assert check(ENTRY % ("Workflow", enum % "later", "{name: message}")) == [(
        "spec.arguments.parameters[0].value",
        "parameter 'message': value 'later' should be present in the enum list ('hello', 'bye')",
    )]
    # a tag is only known at run time
    assert check(ENTRY % ("Workflow", enum % "'{{workflow.name}}'", "{name: message}")) == []
    assert check(ENTRY % ("Workflow", "{name: message, value: a, enum: []}", "{name: message}")) == [
        ("spec.arguments.parameters[0].enum", "parameter 'message': enum should contain at least one value")
    ]


def test_numbers_in_enums_compare_as_text() -> None:
    assert check(ENTRY % ("Workflow", "{name: message, value: 2, enum: [1, 2, 3]}", "{name: message}")) == []


STEP = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: steps}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: hello
        template: print
        arguments:
          parameters: [%s]
  - name: print
    inputs:
      parameters: [{name: message}, {name: greeting, default: hi}]
    container: {image: busybox}
"""


def test_step_must_supply_inputs_without_default() -> None:
    assert check(STEP % "{name: message, value: x}") == []
    assert check(STEP % "{name: greeting, value: x}") == [(
        "spec.templates[0].steps[0][0].arguments.parameters",
        "inputs.parameters.message was not supplied: template 'print' needs it "
        "(pass it in arguments.parameters or give the input a default)",
    )]


def test_step_argument_needs_a_value() -> None:
    assert check(STEP % "{name: message}") == [
        ("spec.templates[0].steps[0][0].arguments.parameters[0]", "parameter 'message': value or valueFrom is required")
    ]


def test_step_argument_enum() -> None:
    assert check(STEP % "{name: message, value: c, enum: [a, b]}") == [(
        "spec.templates[0].steps[0][0].arguments.parameters[0].value",
        "parameter 'message': value 'c' should be present in the enum list ('a', 'b')",
    )]


def test_dag_task_must_supply_inputs() -> None:
    doc = STEP.replace("steps:\n    - - name: hello", "dag:\n      tasks:\n      - name: hello").replace(
        "        template: print\n        arguments:", "        template: print\n        arguments:"
    )
    assert check(doc % "{name: message, value: x}") == []
    assert check(doc % "{name: greeting, value: x}") == [(
        "spec.templates[0].dag.tasks[0].arguments.parameters",
        "inputs.parameters.message was not supplied: template 'print' needs it "
        "(pass it in arguments.parameters or give the input a default)",
    )]


def test_exit_handler_inputs_come_from_spec_arguments() -> None:
    doc = """
    apiVersion: argoproj.io/v1alpha1
    kind: Workflow
    metadata: {name: exit}
    spec:
      entrypoint: main
      onExit: bye
      arguments: {parameters: [%s]}
      templates:
      - {name: main, suspend: {}}
      - {name: bye, inputs: {parameters: [{name: who}]}, container: {image: busybox}}
    """
    assert check(doc % "{name: who, value: me}") == []
    assert check(doc % "") == [(
        "spec.arguments.parameters",
        "inputs.parameters.who was not supplied: exit handler template 'bye' needs it "
        "(set it in spec.arguments.parameters or give the input a default)",
    )]
