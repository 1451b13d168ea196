"""Trigger parameters; cases ported from Argo's pkg/sensors/triggers/params_test.go."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from sensors import params
from sensors.event import YAML_TYPE, Event
from sensors.testing import event

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
PAYLOAD = {"name": {"first": "fake", "last": "user"}, "reviews": 8, "rating": 4.5, "isActive": True,
           "isVerified": False, "countries": ["ca", "us", "mx"]}


def ev(data: Any, **kw: Any) -> Event:
    return event(data, id="1", type="webhook", source="webhook-gateway", subject="example-1", time=NOW, **kw)


EVENTS = {"fake-dependency": ev(PAYLOAD)}


def src(**kw: Any) -> params.Source:
    return params.Source.from_wire({"dependencyName": "fake-dependency", **kw})


RESOLVE = [
    ("get first name", {"dataKey": "name.first"}, "fake"),
    ("get the event subject", {"contextKey": "subject"}, "example-1"),
    ("get the default value", {"value": "hello"}, "hello"),
    ("data key has preference over context key", {"contextKey": "subject", "dataKey": "name.first"}, "fake"),
    ("first name with template", {"dataTemplate": "{{ .Input.name.first }}"}, "fake"),
    ("capitalized first name with template", {"dataTemplate": "{{ upper .Input.name.first }}"}, "FAKE"),
    ("subject with template", {"contextTemplate": "{{ .Input.subject }}"}, "example-1"),
    ("formatted subject with template", {"contextTemplate": '{{ .Input.subject | replace "-" "_" }}'}, "example_1"),
    ("data template over context template",
     {"contextTemplate": "{{ .Input.subject }}", "dataTemplate": "{{ .Input.name.first }}"}, "fake"),
    ("data template fails over to data key", {"dataTemplate": "{{ .Input.name.non_exist }}", "dataKey": "name.first"},
     "fake"),
    ("invalid template fails over to data key", {"dataTemplate": "{{ no }}", "dataKey": "name.first"}, "fake"),
    ("useRawData string", {"dataKey": "name.first", "useRawData": True}, "fake"),
    ("number as string", {"dataKey": "rating"}, "4.5"),
    ("bool as string", {"dataKey": "isVerified"}, "false"),
    ("jmespath extension, string", {"jmespath": "name.last"}, "user"),
    ("missing key falls back to value", {"dataKey": "nope", "value": "dflt"}, "dflt"),
]


@pytest.mark.parametrize(("name", "source", "expected"), RESOLVE, ids=[r[0] for r in RESOLVE])
def test_resolve_param_value(name: str, source: dict[str, Any], expected: str) -> None:
    value, _ = params.resolve(src(**source), EVENTS)
    assert value == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [({"dataKey": "name", "useRawData": True}, {"first": "fake", "last": "user"}),
     ({"dataKey": "countries", "useRawData": True}, ["ca", "us", "mx"]),
     ({"jmespath": "countries[?@ != 'us']"}, ["ca", "mx"])],
)
def test_resolve_blocks_are_json(source: dict[str, Any], expected: Any) -> None:
    value, kind = params.resolve(src(**source), EVENTS)
    assert value is not None and json.loads(value) == expected
    assert kind == "JSON"


def test_whole_event_when_nothing_selected() -> None:
    value, _ = params.resolve(src(), EVENTS)
    assert value is not None
    whole = json.loads(value)
    assert whole["context"] == {"id": "1", "source": "webhook-gateway", "specversion": "1.0", "type": "webhook",
                                "datacontenttype": "application/json", "subject": "example-1",
                                "time": "2024-05-01T12:00:00Z"}
    assert json.loads(base64.b64decode(whole["data"])) == PAYLOAD


def test_missing_dependency_uses_default_or_skips() -> None:
    assert params.resolve(params.Source.from_wire({"dependencyName": "other", "value": "d"}), EVENTS) == ("d", "String")
    assert params.resolve(params.Source.from_wire({"dependencyName": "other"}), EVENTS)[0] is None


def test_unresolvable_without_default_is_an_error() -> None:
    with pytest.raises(params.ParameterError, match="unable to resolve 'fake-dependency'"):
        params.resolve(src(dataKey="does.not.exist"), EVENTS)


def test_failing_data_template_without_fallback_is_an_error() -> None:
    with pytest.raises(params.ParameterError):
        params.resolve(src(dataTemplate="{{ .Input.nothing.here }}"), EVENTS)


def test_yaml_event_data_is_converted() -> None:
    events = {"fake-dependency": ev(None, raw="name: test\nage: 20\n", datacontenttype=YAML_TYPE)}
    assert params.resolve(src(dataKey="age", useRawData=True), events) == ("20", "Number")
    assert params.resolve(src(dataKey="name"), events)[0] == "test"


def test_unsupported_content_type_falls_back_to_value() -> None:
    events = {"fake-dependency": ev(None, raw="plain", datacontenttype="text/plain")}
    assert params.resolve(src(dataKey="x", value="v"), events)[0] == "v"
    with pytest.raises(params.ParameterError, match="unsupported event content type"):
        params.resolve(src(dataKey="x"), events)


def test_construct_payload() -> None:
    events = {
        "fake-dependency": ev({"firstName": "fake"}),
        "another-fake-dependency": ev({"lastName": "foo"}),
        "use-event-data-type": ev({"age": 100, "isActive": False, "countries": ["ca", "us", "mx"]}),
    }

    def p(dep: str, key: str, dest: str, **kw: Any) -> dict[str, Any]:
        return {"src": {"dependencyName": dep, "dataKey": key, **kw}, "dest": dest}

    items = [
        p("fake-dependency", "firstName", "firstName", value="faker"),
        p("another-fake-dependency", "lastName", "lastName", value="bar"),
        p("use-event-data-type", "age", "age", useRawData=True),
        p("use-event-data-type", "isActive", "isActive", useRawData=True),
        p("use-event-data-type", "age", "typelessAge"),
        p("use-event-data-type", "isActive", "typelessIsActive"),
    ]
    body = json.loads(params.construct_payload(params.compile_parameters(items), events))
    assert body == {"firstName": "fake", "lastName": "foo", "age": 100, "isActive": False,
                    "typelessAge": "100", "typelessIsActive": "false"}
    items[0]["src"]["dataKey"] = "unknown"
    items[1]["src"]["dataKey"] = "unknown"
    body = json.loads(params.construct_payload(params.compile_parameters(items), events))
    assert (body["firstName"], body["lastName"]) == ("faker", "bar")


def test_construct_payload_null_and_whole_body() -> None:
    events = {"d": ev({"nullable_key": None, "other_key": "value"})}
    items = [{"src": {"dependencyName": "d", "dataKey": "nullable_key", "useRawData": True}, "dest": "nullable_key"},
             {"src": {"dependencyName": "d", "dataKey": "other_key"}, "dest": "other_key"}]
    assert json.loads(params.construct_payload(params.compile_parameters(items), events)) == {
        "nullable_key": None, "other_key": "value"}
    whole = [{"src": {"dependencyName": "d", "dataKey": "other_key"}, "dest": ""}]
    assert params.construct_payload(params.compile_parameters(whole), events) == b"value"


APPLY = [
    ("overwrite (no operation)", [("name.first", "name", "", False)], {"name": "faker"}, {"name": "fake"}),
    ("prepend", [("name.first", "name", "prepend", False)], {"name": "faker"}, {"name": "fakefaker"}),
    ("append", [("name.first", "name", "append", False)], {"name": "faker"}, {"name": "fakerfake"}),
    ("overwrite", [("name.first", "name", "overwrite", False)], {"name": "faker"}, {"name": "fake"}),
    ("block without useRawData is a string", [("name", "name", "overwrite", False)], {"name": "faker"},
     {"name": json.dumps({"first": "fake", "last": "user"}, separators=(",", ":"))}),
    ("block with useRawData", [("name", "name", "overwrite", True)], {"name": "faker"},
     {"name": {"first": "fake", "last": "user"}}),
    ("raw data types",
     [("age", "age", "overwrite", True), ("age", "ageWithYears", "append", True),
      ("countries", "countries", "append", True)],
     {"age": "this-gets-over-written", "ageWithYears": "Years: "},
     {"age": 100, "ageWithYears": "Years: 100", "countries": ["ca", "us", "mx"]}),
    ("sjson array index dest", [("name.first", "spec.arguments.parameters.0.value", "", False)],
     {"spec": {"arguments": {"parameters": [{"name": "message", "value": "x"}]}}},
     {"spec": {"arguments": {"parameters": [{"name": "message", "value": "fake"}]}}}),
    ("dest creates missing objects", [("name.last", "metadata.labels.who", "", False)], {},
     {"metadata": {"labels": {"who": "user"}}}),
]


@pytest.mark.parametrize(("name", "items", "obj", "expected"), APPLY, ids=[a[0] for a in APPLY])
def test_apply_params(name: str, items: list[tuple[str, str, str, bool]], obj: dict[str, Any],
                      expected: dict[str, Any]) -> None:
    events = {"fake-dependency": ev({"name": {"first": "fake", "last": "user"}, "age": 100,
                                     "countries": ["ca", "us", "mx"]})}
    wire = [{"src": {"dependencyName": "fake-dependency", "dataKey": key, "useRawData": raw}, "dest": dest,
             "operation": op} for key, dest, op, raw in items]
    assert params.apply(obj, params.compile_parameters(wire), events) == expected


def test_unknown_operation_is_refused() -> None:
    with pytest.raises(params.ParameterError, match="operation"):
        params.compile_parameters([{"src": {"dependencyName": "d"}, "dest": "x", "operation": "merge"}])
