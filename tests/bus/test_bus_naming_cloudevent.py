"""Names on the wire and the CloudEvent format."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bus import naming
from bus.cloudevent import CloudEvent, InvalidEventError

NATS_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")


@given(st.text(min_size=1, max_size=40))
def test_token_is_reversible_and_nats_safe(name: str) -> None:
    tok = naming.token(name)
    assert NATS_TOKEN.match(tok) and "__" not in tok
    assert naming.untoken(tok) == name


@given(st.text(min_size=1, max_size=20), st.text(min_size=1, max_size=20))
def test_distinct_names_never_share_a_subject(a: str, b: str) -> None:
    s1 = naming.subject("default", a, b)
    assert naming.parse_subject(s1) == ("default", a, b)
    assert naming.durable_name(a, b) == naming.durable_name(a, b)
    if a != b:
        assert naming.subject("default", a, "e") != naming.subject("default", b, "e")
        assert naming.kv_bucket("sensor", a) != naming.kv_bucket("sensor", b)


def test_readable_names() -> None:
    assert naming.stream_name() == "default"
    assert naming.stream_name("default", "argo-events") == "argo-events__default"
    assert naming.subject("default", "webhook", "example") == "default.webhook.example"
    assert naming.subject_filter("default", "webhook") == "default.webhook.*"
    assert naming.subject_filter("default") == "default.*.*"
    assert naming.durable_name("my-sensor", "dep_a") == "my-sensor__dep_5fa"
    assert naming.kv_bucket("sensor", "s1", "ns") == "sensor__ns__s1"
    assert naming.kv_key("trigger-1", "dep.a") == "trigger-1.dep_2ea"
    long = naming.durable_name("x" * 300)
    assert len(long) <= 200 and long != naming.durable_name("x" * 301)


def test_cloudevent_structured_json() -> None:
    ev = CloudEvent.new(
        source="webhook",
        type="webhook",
        subject="example",
        data={"body": {"a": 1}},
        id="abc",
        time=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    wire = json.loads(ev.to_json())
    assert wire == {
        "specversion": "1.0",
        "id": "abc",
        "source": "webhook",
        "type": "webhook",
        "subject": "example",
        "time": "2024-01-02T03:04:05Z",
        "datacontenttype": "application/json",
        "data": {"body": {"a": 1}},
    }
    assert CloudEvent.from_json(ev.to_json()) == ev
    fresh = CloudEvent.new(source="s", type="t", subject="e")
    assert fresh.id != CloudEvent.new(source="s", type="t", subject="e").id and fresh.time.tzinfo is not None


def test_invalid_events_are_rejected() -> None:
    with pytest.raises(InvalidEventError):
        CloudEvent.from_json(b"{not json")
    with pytest.raises(InvalidEventError):
        CloudEvent.from_json(b'{"specversion": "1.0", "id": "x", "type": "t"}')  # no source
    with pytest.raises(InvalidEventError):
        CloudEvent.new(source="s", type="t", subject="e", extensions={"Bad-Name": "x"}).to_json()


def test_fast_writer_matches_the_cloudevents_package() -> None:
    """The hot-path writer and the package's writer produce the same document."""
    import json as _json

    from cloudevents.core.formats.json import JSONFormat
    from cloudevents.core.v1.event import CloudEvent as WireEvent

    from bus.cloudevent import CloudEvent as Ev

    event = Ev.new(source="github", type="webhook", subject="push", data={"body": {"ü": [1, 2.5, None]}})
    package = JSONFormat().write(WireEvent(event.attributes(), event.data))
    assert _json.loads(event.to_json()) == _json.loads(package)
    assert Ev.from_json(event.to_json()) == event
