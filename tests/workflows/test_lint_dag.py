"""DAG rules: depends vs dependencies, continueOn, unknown tasks, cycles, targets, depends syntax."""

from __future__ import annotations

import textwrap

import yaml

from pinnace.resources import validate


def check(text: str) -> list[tuple[str, str]]:
    return [(p.path, p.message) for p in validate.validate_object(yaml.safe_load(textwrap.dedent(text)))[1]]


def dag(*tasks: str, extra: str = "") -> str:
    lines = "\n".join(f"      - {t}" for t in tasks)
    return f"""
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {{name: dag}}
spec:
  entrypoint: main
  templates:
  - name: echo
    container: {{image: busybox}}
  - name: main
    dag:{extra}
      tasks:
{lines}
"""


T = "spec.templates[1].dag.tasks"


def test_depends_and_dependencies_in_one_dag() -> None:
    assert check(dag("{name: A, template: echo}", "{name: B, template: echo, depends: A}")) == []
    assert check(
        dag(
            "{name: A, template: echo}",
            "{name: B, template: echo, depends: A}",
            "{name: C, template: echo, dependencies: [A]}",
        )
    ) == [(f"{T}[2].dependencies", "cannot use both 'depends' and 'dependencies' in the same DAG template")]


def test_continue_on_with_depends() -> None:
    ok = dag("{name: A, template: echo, continueOn: {failed: true}}", "{name: B, template: echo, dependencies: [A]}")
    assert check(ok) == []
    bad = dag("{name: A, template: echo, continueOn: {failed: true}}", "{name: B, template: echo, depends: A}")
    assert check(bad) == [(
        f"{T}[0].continueOn",
        "cannot use 'continueOn' when using 'depends'. Instead use 'dep-task.Failed'/'dep-task.Errored'",
    )]


def test_unknown_dependencies() -> None:
    assert check(dag("{name: A, template: echo}", "{name: B, template: echo, dependencies: [A, Z]}")) == [
        (f"{T}[1].dependencies[1]", "dependency 'Z' not defined")
    ]
    assert check(dag("{name: A, template: echo}", "{name: B, template: echo, depends: 'A.Succeeded || Q'}")) == [
        (f"{T}[1].depends", "dependency 'Q' not defined")
    ]


def test_cycles_are_named() -> None:
    doc = dag(
        "{name: A, template: echo, depends: C}",
        "{name: B, template: echo, depends: A}",
        "{name: C, template: echo, depends: B.Succeeded}",
    )
    assert check(doc) == [(T, "dependency cycle detected: A->C->B->A")]
    assert check(dag("{name: A, template: echo, dependencies: [A]}")) == [(T, "dependency cycle detected: A->A")]
    diamond = dag(
        "{name: A, template: echo}",
        "{name: B, template: echo, depends: A}",
        "{name: C, template: echo, depends: A}",
        "{name: D, template: echo, depends: B && C}",
    )
    assert check(diamond) == []


def test_depends_that_does_not_parse() -> None:
    assert check(dag("{name: A, template: echo}", "{name: B, template: echo, depends: 'A &&'}")) == [
        (f"{T}[1].depends", "invalid depends expression 'A &&': expected a task name or '(' at the end")
    ]
    assert check(dag("{name: A, template: echo}", "{name: B, template: echo, depends: A.Finished}")) == [(
        f"{T}[1].depends",
        "invalid depends expression 'A.Finished': task result 'Finished' for task 'A' is invalid; use one of "
        "Succeeded, Failed, Errored, Skipped, Omitted, Daemoned, AnySucceeded, AllFailed",
    )]


def test_item_results_need_an_expanded_task() -> None:
    ok = dag("{name: A, template: echo, withItems: [1, 2]}", "{name: B, template: echo, depends: A.AnySucceeded}")
    assert check(ok) == []
    bad = dag("{name: A, template: echo}", "{name: B, template: echo, depends: A.AllFailed}")
    assert check(bad) == [(
        f"{T}[1].depends",
        "dependency 'A' uses an items-based condition such as .AnySucceeded or .AllFailed but does not "
        "contain any items",
    )]


def test_targets_must_name_tasks() -> None:
    tasks = ("{name: A, template: echo}", "{name: B, template: echo}")
    assert check(dag(*tasks, extra="\n      target: A B")) == []
    assert check(dag(*tasks, extra="\n      target: '{{workflow.parameters.target}}'")) == []
    assert check(dag(*tasks, extra="\n      target: A X")) == [
        ("spec.templates[1].dag.target", "target 'X' is not defined")
    ]


def test_dag_needs_tasks() -> None:
    doc = dag("{name: A, template: echo}").replace("      tasks:\n      - {name: A, template: echo}", "      tasks: []")
    assert check(doc) == [(T, "a DAG template must have at least one task")]
