"""DAG ``depends`` expressions: parsing, errors, names, evaluation."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.depends import (
    RESULTS,
    And,
    DependsError,
    Node,
    Not,
    Or,
    TaskRef,
    bare_results,
    evaluate,
    from_dependencies,
    item_result_tasks,
    parse_depends,
    task_names,
    to_text,
)


def outcome(results: dict[str, str]) -> Callable[[str, str], bool]:
    return lambda task, result: results.get(task) == result


def test_parse_precedence_and_results() -> None:
    ast = parse_depends("A && (B.Succeeded || C.Failed)")
    assert ast == And((TaskRef("A"), Or((TaskRef("B", "Succeeded"), TaskRef("C", "Failed")))))
    # && binds tighter than ||, ! tighter than &&
    assert parse_depends("A || B && !C.Failed") == Or(
        (TaskRef("A"), And((TaskRef("B"), Not(TaskRef("C", "Failed")))))
    )


def test_every_result_and_hyphenated_names_parse() -> None:
    for result in RESULTS:
        assert parse_depends(f"my-task_1.{result}") == TaskRef("my-task_1", result)


def test_task_names_in_order_without_repeats() -> None:
    ast = parse_depends("(B.Failed || A) && B.Succeeded && !C-1")
    assert task_names(ast) == ["B", "A", "C-1"]


def test_item_result_tasks() -> None:
    ast = parse_depends("A.AnySucceeded || B.AllFailed || C.Succeeded")
    assert item_result_tasks(ast) == ["A", "B"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "expression is empty"),
        ("   ", "expression is empty"),
        ("A &&", "expected a task name or '(' at the end"),
        ("A && || B", "expected a task name or '(' at position 6 ('||')"),
        ("(A || B", "missing ')' at the end to close '(' at position 1"),
        ("A B", "unexpected 'B' at position 3; join conditions with '&&' or '||'"),
        ("A)", "unexpected ')' at position 2; join conditions with '&&' or '||'"),
        ("A & B", "unexpected character '&' at position 3"),
        ("A.Done", "task result 'Done' for task 'A' is invalid"),
        ("A.", "task result '<empty>' for task 'A' is invalid"),
    ],
)
def test_parse_errors_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(DependsError) as info:
        parse_depends(text)
    assert str(info.value).startswith(message)


def test_evaluate_explicit_results() -> None:
    ast = parse_depends("A && (B.Succeeded || C.Failed)")
    assert evaluate(ast, outcome({"A": "Succeeded", "B": "Failed", "C": "Failed"}))
    assert not evaluate(ast, outcome({"A": "Succeeded", "B": "Failed", "C": "Succeeded"}))
    assert not evaluate(ast, outcome({"A": "Failed", "B": "Succeeded", "C": "Failed"}))


def test_bare_name_means_succeeded_skipped_or_daemoned() -> None:
    ast = parse_depends("A")
    for result in ("Succeeded", "Skipped", "Daemoned"):
        assert evaluate(ast, outcome({"A": result}))
    for result in ("Failed", "Errored", "Omitted"):
        assert not evaluate(ast, outcome({"A": result}))


def test_bare_name_follows_continue_on() -> None:
    ast = parse_depends("A")
    lookup = outcome({"A": "Failed"})
    assert not evaluate(ast, lookup, bare=lambda _: bare_results())
    assert evaluate(ast, lookup, bare=lambda _: bare_results(continue_on_failed=True))
    assert not evaluate(ast, outcome({"A": "Errored"}), bare=lambda _: bare_results(continue_on_failed=True))
    assert evaluate(ast, outcome({"A": "Errored"}), bare=lambda _: bare_results(continue_on_error=True))


def test_not_negates() -> None:
    ast = parse_depends("!A.Failed")
    assert evaluate(ast, outcome({"A": "Succeeded"}))
    assert not evaluate(ast, outcome({"A": "Failed"}))


def test_from_dependencies_is_and_of_bare_names() -> None:
    assert from_dependencies(["A"]) == TaskRef("A")
    assert from_dependencies(["A", "B"]) == And((TaskRef("A"), TaskRef("B")))
    with pytest.raises(DependsError):
        from_dependencies([])


def test_truth_table_matches_python_boolean_logic() -> None:
    ast = parse_depends("!(A.Succeeded && B.Failed) || C.Skipped")
    for a, b, c in itertools.product([True, False], repeat=3):
        facts = {("A", "Succeeded"): a, ("B", "Failed"): b, ("C", "Skipped"): c}
        expected = (not (a and b)) or c

        def lookup(task: str, result: str, facts: dict[tuple[str, str], bool] = facts) -> bool:
            return facts.get((task, result), False)

        assert evaluate(ast, lookup) is expected


names = st.sampled_from(["A", "b-2", "c_3", "task"])
leaves = st.builds(TaskRef, names, st.none() | st.sampled_from(RESULTS))
trees = st.recursive(
    leaves,
    lambda kids: st.one_of(
        st.builds(Not, kids),
        st.builds(lambda xs: And(tuple(xs)), st.lists(kids, min_size=2, max_size=3)),
        st.builds(lambda xs: Or(tuple(xs)), st.lists(kids, min_size=2, max_size=3)),
    ),
    max_leaves=8,
)


@given(trees, st.dictionaries(names, st.sampled_from(RESULTS)))
def test_round_trip_keeps_meaning(tree: Node, results: dict[str, str]) -> None:
    reparsed = parse_depends(to_text(tree))
    lookup = outcome(results)
    assert evaluate(reparsed, lookup) == evaluate(tree, lookup)
    assert task_names(reparsed) == task_names(tree)
