"""Loops on steps and tasks: withItems/withParam/withSequence are exclusive; sequences have one bound."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from pinnace.resources import validate


def check(text: str) -> list[tuple[str, str]]:
    return [(p.path, p.message) for p in validate.validate_object(yaml.safe_load(textwrap.dedent(text)))[1]]


DOC = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: loops}
spec:
  entrypoint: main
  templates:
  - name: main
    steps: [[{name: a, template: echo, %s}]]
  - {name: echo, container: {image: busybox}}
"""


@pytest.mark.parametrize(
    "loop", ["withItems: [1, b, {c: d}]", "withParam: '[1, 2]'", "withSequence: {count: '5'}",
             "withSequence: {start: 1, end: 3, format: '%02d'}"],
)
def test_one_loop_form(loop: str) -> None:
    assert check(DOC % loop) == []


def test_two_loop_forms() -> None:
    assert check(DOC % "withItems: [1], withParam: '[2]'") == [
        ("spec.templates[0].steps[0][0]",
         "only one of withItems, withParam, withSequence can be specified (found withItems, withParam)")
    ]


def test_sequence_with_count_and_end() -> None:
    assert check(DOC % "withSequence: {count: 3, end: 5}") == [
        ("spec.templates[0].steps[0][0].withSequence", "only one of count or end can be defined in withSequence")
    ]
