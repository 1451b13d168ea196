"""Template references: entrypoint, onExit, steps, DAG tasks, hooks, templateRef shape."""

from __future__ import annotations

import textwrap

import yaml

from pinnace.resources import validate


def check(text: str) -> list[tuple[str, str]]:
    return [(p.path, p.message) for p in validate.validate_object(yaml.safe_load(textwrap.dedent(text)))[1]]


STEPS = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: steps-}
spec:
  entrypoint: main
  templates:
  - name: echo
    container: {image: busybox}
  - name: main
    steps:
    - - {name: a, template: %s}
"""


def test_steps_template_reference() -> None:
    assert check(STEPS % "echo") == []
    assert check(STEPS % "x") == [("spec.templates[1].steps[0][0].template", "template 'x' is not defined")]


def test_entrypoint_reference() -> None:
    doc = STEPS % "echo"
    assert check(doc.replace("entrypoint: main", "entrypoint: mian")) == [
        ("spec.entrypoint", "template 'mian' is not defined")
    ]


def test_workflow_needs_an_entrypoint_but_a_template_does_not() -> None:
    doc = (STEPS % "echo").replace("  entrypoint: main\n", "")
    assert check(doc) == [("spec.entrypoint", "entrypoint is required: name the template to run first")]
    assert check(doc.replace("kind: Workflow", "kind: WorkflowTemplate")) == []


def test_on_exit_reference() -> None:
    doc = (STEPS % "echo").replace("entrypoint: main", "entrypoint: main\n  onExit: %s")
    assert check(doc % "echo") == []
    assert check(doc % "cleanup") == [("spec.onExit", "template 'cleanup' is not defined")]


def test_hook_template_references() -> None:
    doc = (STEPS % "echo").replace(
        "- - {name: a, template: echo}",
        "- - {name: a, template: echo, hooks: {exit: {template: %s}}}",
    ) + "  hooks:\n    exit: {template: %s}\n"
    assert check(doc % ("echo", "echo")) == []
    assert check(doc % ("nope", "gone")) == [
        ("spec.hooks.exit.template", "template 'gone' is not defined"),
        ("spec.templates[1].steps[0][0].hooks.exit.template", "template 'nope' is not defined"),
    ]


DAG = """
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: dag}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: a, template: echo}
      - {name: b, template: %s, onExit: echo}
  - name: echo
    container: {image: busybox}
"""


def test_dag_task_template_reference() -> None:
    assert check(DAG % "echo") == []
    assert check(DAG % "ehco") == [("spec.templates[0].dag.tasks[1].template", "template 'ehco' is not defined")]


def test_step_on_exit_reference() -> None:
    assert check((DAG % "echo").replace("onExit: echo", "onExit: bye")) == [
        ("spec.templates[0].dag.tasks[1].onExit", "template 'bye' is not defined")
    ]


def test_template_ref_is_not_resolved_but_its_shape_is_checked() -> None:
    ref = (STEPS % "echo").replace("template: echo", "templateRef: {name: other-wft, template: %s}")
    assert check(ref % "whalesay") == []
    assert check(ref.replace(", template: %s", "")) == [
        ("spec.templates[1].steps[0][0].templateRef.template",
         "templateRef.template is required: name a template in it"),
    ]


def test_template_and_template_ref_together() -> None:
    doc = (STEPS % "echo").replace("template: echo}", "template: echo, templateRef: {name: w, template: t}}")
    assert check(doc) == [
        (
            "spec.templates[1].steps[0][0]",
            "use only one of template, templateRef and inline (found template, templateRef)",
        )
    ]


def test_step_without_any_template() -> None:
    assert check((STEPS % "echo").replace(", template: echo", "")) == [
        ("spec.templates[1].steps[0][0]", "one of template, templateRef or inline is required")
    ]


def test_inline_templates_are_checked_too() -> None:
    doc = (STEPS % "echo").replace(
        "template: echo}", "inline: {steps: [[{name: inner, template: %s}]]}}"
    )
    assert check(doc % "echo") == []
    assert check(doc % "missing") == [
        ("spec.templates[1].steps[0][0].inline.steps[0][0].template", "template 'missing' is not defined")
    ]


def test_workflow_template_ref_leaves_names_to_the_referenced_template() -> None:
    base = """
    apiVersion: argoproj.io/v1alpha1
    kind: Workflow
    metadata: {generateName: from-wft-}
    spec:
      entrypoint: whalesay-template
      onExit: exit-handler
      workflowTemplateRef: {name: workflow-template-submittable}
    """
    assert check(base) == []
    assert check(base + "  templates: [{name: t, suspend: {}}]\n") == [
        ("spec.templates", "Templates is invalid field in spec if workflow referred WorkflowTemplate reference")
    ]


def test_lifecycle_hooks_other_than_exit_need_an_expression() -> None:
    doc = (STEPS % "echo") + "  hooks:\n    running: {template: echo%s}\n"
    assert check(doc % ", expression: workflow.status == \"Running\"") == []
    assert check(doc % "") == [
        ("spec.hooks.running.expression", "hook 'running' needs an expression (only the 'exit' hook runs without one)")
    ]
