import pytest

from workflows.engine.conditions import expr_eval
from workflows.templating import TemplateError, render, render_object


def test_values_are_json_escaped_in_json_text() -> None:
    out = render_object({"args": ["{{x}}"]}, {"x": 'a "quoted"\nline'})
    assert out == {"args": ['a "quoted"\nline']}


def test_unknown_tags_stay_and_strict_prefixes_raise() -> None:
    assert render("{{workflow.later}}", {}) == "{{workflow.later}}"
    with pytest.raises(TemplateError) as err:
        render("{{steps.a.outputs.result}}", {}, strict=("steps.",))
    assert err.value.missing == "steps.a.outputs.result"


def test_expression_tags_use_nested_env() -> None:
    out = render_object({"v": "{{=asInt(inputs.parameters.n) + 1}}"}, {"inputs.parameters.n": "41"}, expr=expr_eval)
    assert out == {"v": "42"}


def test_jsonpath_filters_join_comparisons_with_and_or() -> None:
    from workflows.engine.conditions import expr_eval

    config = '{"employees": [{"name": "Baris", "age": 43}, {"name": "Mo", "age": 42}, {"name": "Jai", "age": 44}]}'
    env = {"config": config}
    assert expr_eval("jsonpath(config, '$.employees[?(@.age>42 && @.age<44)].name')", env) == ["Baris"]
    assert expr_eval("jsonpath(config, '$.employees[?(@.age<43 || @.name==\"Jai\")].name')", env) == ["Mo", "Jai"]
    assert expr_eval("jsonpath(config, '$.employees[?(@.name==\"a && b\")].name')", env) == []
