"""The fast route for plain paths must agree with pinnace.expressions.paths, which defines gjson/sjson."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pinnace.expressions import paths
from pinnace.expressions.errors import ExpressionError
from sensors import jsonpaths

KEYS = st.sampled_from(["a", "b", "0", "1", "x-y", "k_2"])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=12,
)
PATHS = st.lists(KEYS, min_size=1, max_size=4).map(".".join)


def outcome(fn: Any, *args: Any) -> Any:
    try:
        return ("ok", fn(*args))
    except ExpressionError:
        return ("error", None)


@settings(max_examples=300, deadline=None)
@given(JSON, PATHS)
def test_get_agrees(data: Any, path: str) -> None:
    assert jsonpaths.get_path(data, path) == paths.get_path(data, path)


@settings(max_examples=300, deadline=None)
@given(JSON, PATHS, st.text(max_size=3))
def test_set_agrees(data: Any, path: str, value: str) -> None:
    assert outcome(jsonpaths.set_path, data, path, value) == outcome(paths.set_path, data, path, value)


def test_set_does_not_mutate_the_input() -> None:
    obj = {"spec": {"arguments": {"parameters": [{"name": "m", "value": "x"}]}}}
    out = jsonpaths.set_path(obj, "spec.arguments.parameters.0.value", "y")
    assert obj["spec"]["arguments"]["parameters"][0]["value"] == "x"
    assert out["spec"]["arguments"]["parameters"][0]["value"] == "y"


def test_multipath() -> None:
    data = {"k": "v", "k1": {"a": [{"k2": "v2"}, {"k2": "v3"}]}}
    assert jsonpaths.get_path(data, '[k,k1.a.#(k2=="v2").k2,,k1.a.#(k2=="v3").k2]') == (["v", "v2", "v3"], True)
    assert jsonpaths.get_path(data, "{k,nope}") == ({"k": "v"}, True)
