"""dependencies[].transform: jq, Lua script (Argo) and JMESPath (pinnace), cases after Argo's transform_test.go."""

from __future__ import annotations

import pytest

from sensors.testing import event
from sensors.transform import TransformError, UnsupportedTransform, compile_transform


def test_jq_transform_reshapes_payload() -> None:
    t = compile_transform({"jq": ".body.message *= 2"})
    assert t is not None
    out = t.apply(event({"body": {"message": "hello"}}))
    assert out.data() == {"body": {"message": "hellohello"}}
    assert out.datacontenttype == "application/json"


def test_lua_transform_like_argo_example() -> None:
    t = compile_transform({"script": "event.body.message='updated'\nreturn event"})
    assert t is not None
    assert t.apply(event({"body": {"message": "x", "n": 3}})).data() == {"body": {"message": "updated", "n": 3}}


def test_jmespath_transform() -> None:
    t = compile_transform({"jmespath": "{repo: body.repository.name, n: length(body.commits)}"})
    assert t is not None
    assert t.apply(event({"body": {"repository": {"name": "r"}, "commits": [1, 2]}})).data() == {"repo": "r", "n": 2}


@pytest.mark.parametrize(
    "spec", [{"jq": ".body.message"}, {"jmespath": "body.message"}, {"script": "return 'text'"}]
)
def test_non_object_output_is_an_error(spec: dict[str, str]) -> None:
    t = compile_transform(spec)
    assert t is not None
    with pytest.raises(TransformError, match=r"must be a JSON object|not of lua table"):
        t.apply(event({"body": {"message": "hello"}}))


def test_invalid_jq_is_refused_at_start() -> None:
    with pytest.raises(UnsupportedTransform, match=r"transform\.jq: invalid jq program"):
        compile_transform({"jq": ".body |||"})


def test_transform_of_invalid_json_is_an_error() -> None:
    t = compile_transform({"jq": "."})
    assert t is not None
    with pytest.raises(TransformError, match="not valid JSON"):
        t.apply(event(raw="{nope"))
