"""gjson GET (Argo Events filter `path`, parameter `dataKey`) and sjson SET (parameter `dest`)."""

from __future__ import annotations

from typing import Any

import pytest

from pinnace.expressions.errors import ExpressionError
from pinnace.expressions.paths import get_path, result_string, set_path

EVENT: dict[str, Any] = {
    "context": {"type": "webhook", "source": "github", "subject": "example"},
    "header": {"X-Github-Event": ["push"], "Content-Type": ["application/json"]},
    "body": {
        "name": {"first": "Tom", "last": "Anderson"},
        "age": 37,
        "value": 1.5,
        "children": ["Sara", "Alex", "Jack"],
        "fav.movie": "Deer Hunter",
        "friends": [
            {"first": "Dale", "last": "Murphy", "age": 44, "nets": ["ig", "fb", "tw"]},
            {"first": "Roger", "last": "Craig", "age": 68, "nets": ["fb", "tw"]},
            {"first": "Jane", "last": "Murphy", "age": 47, "nets": ["ig", "tw"]},
        ],
        "truthy": True,
        "nothing": None,
        "commits": [],
    },
}

# The gjson README examples, under the `body` key as Argo Events presents a webhook payload.
FOUND: list[tuple[str, Any]] = [
    ("body.name.last", "Anderson"),
    ("body.age", 37),
    ("body.value", 1.5),
    ("body.children", ["Sara", "Alex", "Jack"]),
    ("body.children.#", 3),
    ("body.children.1", "Alex"),
    ("body.child*.2", "Jack"),
    ("body.c?ildren.0", "Sara"),
    ("body.fav\\.movie", "Deer Hunter"),
    ("body.friends.#.first", ["Dale", "Roger", "Jane"]),
    ("body.friends.1.last", "Craig"),
    ('body.friends.#(last=="Murphy").first', "Dale"),
    ('body.friends.#(last=="Murphy")#.first', ["Dale", "Jane"]),
    ("body.friends.#(age>45)#.last", ["Craig", "Murphy"]),
    ('body.friends.#(first%"D*").last', "Murphy"),
    ('body.friends.#(first!%"D*").last', "Craig"),
    ('body.friends.#(nets.#(=="fb"))#.first', ["Dale", "Roger"]),
    ("body.friends.#.nets.#", [3, 2, 2]),
    ("body.commits.#", 0),
    ("body.truthy", True),
    ("body.nothing", None),
    ("header.X-Github-Event.0", "push"),
    ("header.Content-Type", ["application/json"]),
    ("context.type", "webhook"),
    ("body.children|1", "Alex"),
    ("body.children.@reverse.0", "Jack"),
    ("body.name.@keys", ["first", "last"]),
    ("@this.body.age", 37),
]


@pytest.mark.parametrize(("path", "expected"), FOUND)
def test_get_found(path: str, expected: Any) -> None:
    assert get_path(EVENT, path) == (expected, True)


MISSING = [
    "body.missing",
    "body.name.middle",
    "body.children.3",
    "body.children.x",
    "body.age.value",
    'body.friends.#(last=="Nobody").first',
    "",
    "nope.nope.nope",
]


@pytest.mark.parametrize("path", MISSING)
def test_get_missing(path: str) -> None:
    assert get_path(EVENT, path) == (None, False)


STRINGS: list[tuple[Any, str]] = [
    ("text", "text"),
    (37, "37"),
    (1.5, "1.5"),
    (1e21, "1000000000000000000000"),
    (True, "true"),
    (None, ""),
    ({"a": [1, "<x>"]}, '{"a":[1,"<x>"]}'),
]


@pytest.mark.parametrize(("value", "text"), STRINGS)
def test_result_string(value: Any, text: str) -> None:
    assert result_string(value) == text


WORKFLOW = {"spec": {"arguments": {"parameters": [{"name": "message", "value": "old"}]}}}

SETS: list[tuple[Any, str, Any, Any]] = [
    # Argo Events trigger parameter dests (docs/tutorials/02-parameterization.md).
    (
        WORKFLOW,
        "spec.arguments.parameters.0.value",
        "hello",
        {"spec": {"arguments": {"parameters": [{"name": "message", "value": "hello"}]}}},
    ),
    (
        WORKFLOW,
        "spec.arguments.parameters.1.value",
        "x",
        {"spec": {"arguments": {"parameters": [{"name": "message", "value": "old"}, {"value": "x"}]}}},
    ),
    ({"metadata": {}}, "metadata.name", "wf-1", {"metadata": {"name": "wf-1"}}),
    ({}, "metadata.labels.app", "x", {"metadata": {"labels": {"app": "x"}}}),
    # the sjson README examples
    ("", "name", "Tom", {"name": "Tom"}),
    (None, "name.last", "Anderson", {"name": {"last": "Anderson"}}),
    ({"friends": ["Andy", "Carol"]}, "friends.-1", "Sara", {"friends": ["Andy", "Carol", "Sara"]}),
    ({"friends": ["Andy", "Carol"]}, "friends.4", "Sara", {"friends": ["Andy", "Carol", None, None, "Sara"]}),
    ({}, "children.-1", "Sara", {"children": ["Sara"]}),
    ({}, "app.token", {"a": 1}, {"app": {"token": {"a": 1}}}),
    ({}, "a\\.b", 1, {"a.b": 1}),
    ({}, "a.:0", 1, {"a": {"0": 1}}),
    ({"a": {"0": "x"}}, "a.0", "y", {"a": {"0": "y"}}),
]


@pytest.mark.parametrize(("obj", "path", "value", "expected"), SETS)
def test_set(obj: Any, path: str, value: Any, expected: Any) -> None:
    before = repr(obj)
    assert set_path(obj if obj != "" else None, path, value) == expected
    assert repr(obj) == before  # the input is not modified


@pytest.mark.parametrize("path", ["", "a.*", "a.b?"])
def test_set_rejects_bad_paths(path: str) -> None:
    with pytest.raises(ExpressionError):
        set_path({}, path, 1)


def test_set_through_a_scalar_is_an_error() -> None:
    with pytest.raises(ExpressionError) as info:
        set_path({"a": "text"}, "a.b", 1)
    assert "not a map" in str(info.value)
