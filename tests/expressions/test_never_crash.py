"""Whatever text users write, the evaluators fail only with ExpressionError."""

from __future__ import annotations

import contextlib
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pinnace.expressions.errors import ExpressionError
from pinnace.expressions.expr import evaluate as expr_evaluate
from pinnace.expressions.gotemplate import render
from pinnace.expressions.govaluate import evaluate as govaluate_evaluate
from pinnace.expressions.govaluate import should_execute
from pinnace.expressions.paths import get_path, set_path

_ALPHABET = st.sampled_from(
    [*list("abcxyz019 .,:;?!#$@%&|*+-/^~=<>()[]{}'\"`\\_"), "==", "&&", "||", "in", "not", "{{", "}}", "nil"]
)
TEXT = st.lists(_ALPHABET, max_size=25).map("".join)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text("abc", max_size=2), inner, max_size=3),
    max_leaves=8,
)
DATA: dict[str, Any] = {"a": 1, "b": "x", "c": [1, 2], "d": {"e": None}}


def _only_expression_errors(fn: Any, *args: Any) -> None:
    """Any other exception propagates and fails the test; an ExpressionError must say what is wrong."""
    try:
        fn(*args)
    except ExpressionError as exc:
        assert str(exc).strip(), f"{fn.__name__} raised an ExpressionError without a message"


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_govaluate_never_crashes(text: str) -> None:
    _only_expression_errors(govaluate_evaluate, text)
    _only_expression_errors(govaluate_evaluate, text, DATA)
    _only_expression_errors(should_execute, text)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_expr_never_crashes(text: str) -> None:
    _only_expression_errors(expr_evaluate, text, DATA)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_template_never_crashes(text: str) -> None:
    _only_expression_errors(render, text, {"Input": DATA})
    _only_expression_errors(render, "{{ " + text + " }}", {"Input": DATA})


@settings(max_examples=200, deadline=None)
@given(JSON, TEXT, JSON)
def test_paths_never_crash(data: Any, path: str, value: Any) -> None:
    with contextlib.suppress(ExpressionError):
        _, exists = get_path(data, path)
        assert isinstance(exists, bool)
    _only_expression_errors(get_path, data, path)
    _only_expression_errors(set_path, data, path, value)
