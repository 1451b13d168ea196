"""Go text/template rendering for Argo Events `dataTemplate` / `contextTemplate`."""

from __future__ import annotations

from typing import Any

import pytest

from pinnace.expressions.errors import ExpressionError
from pinnace.expressions.gotemplate import render

# Numbers are float64, as gjson's Result.Value() hands the event to Argo Events' template.
INPUT: dict[str, Any] = {
    "Input": {
        "body": {
            "message": "hello world",
            "count": 3.0,
            "ratio": 1.5,
            "big": 1e21,
            "million": 1e6,
            "flag": True,
            "items": [{"name": "a"}, {"name": "b"}],
            "labels": {"b": "2", "a": "1"},
            "empty": "",
        },
        "header": {"X-Key": ["secret"]},
        "type": "webhook",
    }
}

CASES: list[tuple[str, str]] = [
    ("{{ .Input.body.message }}", "hello world"),
    ("{{ .Input.body.message | upper }}", "HELLO WORLD"),
    ("{{ upper .Input.body.message }}", "HELLO WORLD"),
    ("{{ .Input.body.count }}", "3"),
    ("{{ .Input.body.ratio }}", "1.5"),
    ("{{ .Input.body.big }}", "1e+21"),
    ("{{ .Input.body.million }}", "1e+06"),
    ("{{ .Input.body.flag }}", "true"),
    ("{{ .Input.body.labels }}", "map[a:1 b:2]"),
    ("{{ .Input.body.items }}", "[map[name:a] map[name:b]]"),
    ("{{ .Input.body.missing }}", "<no value>"),
    ("{{ .Input.type }}", "webhook"),
    ('{{ index .Input.header "X-Key" 0 }}', "secret"),
    ('{{ if eq .Input.body.message "hello world" }}yes{{ else }}no{{ end }}', "yes"),
    ('{{ if ne .Input.type "webhook" }}yes{{ else }}no{{ end }}', "no"),
    ("{{ if gt .Input.body.count 2.0 }}big{{ end }}", "big"),
    ("{{ if .Input.body.empty }}x{{ else if .Input.body.flag }}flag{{ else }}none{{ end }}", "flag"),
    ("{{ if and .Input.body.flag .Input.body.empty }}x{{ else }}y{{ end }}", "y"),
    ("{{ or .Input.body.empty .Input.body.message }}", "hello world"),
    ("{{ not .Input.body.flag }}", "false"),
    ("{{ range .Input.body.items }}<{{ .name }}>{{ end }}", "<a><b>"),
    ("{{ range $i, $item := .Input.body.items }}{{ $i }}:{{ $item.name }};{{ end }}", "0:a;1:b;"),
    ("{{ range $k, $v := .Input.body.labels }}{{ $k }}={{ $v }},{{ end }}", "a=1,b=2,"),
    ("{{ range .Input.body.nope }}x{{ else }}empty{{ end }}", "empty"),
    ("{{ with .Input.body.labels }}{{ .a }}{{ end }}", "1"),
    ("{{ with .Input.body.missing }}x{{ else }}none{{ end }}", "none"),
    ("{{ $m := .Input.body.message }}{{ $m | title }}", "Hello World"),
    ("{{ range .Input.body.items }}{{ $.Input.type }}{{ end }}", "webhookwebhook"),
    ("a  {{- .Input.type -}}  b", "awebhookb"),
    ("a {{- /* comment */ -}} b", "ab"),
    ("{{ len .Input.body.items }}", "2"),
    (
        '{{ printf "%s has %v items (%.2f)" .Input.type .Input.body.count .Input.body.ratio }}',
        "webhook has 3 items (1.50)",
    ),
    ('{{ printf "%d-%05d" 7 42 }}', "7-00042"),
    ('{{ print "a" 1 2 "b" }}', "a1 2b"),
    ('{{ .Input.body.message | replace "world" "there" }}', "hello there"),
    ('{{ default "fallback" .Input.body.missing }}', "fallback"),
    ('{{ .Input.body.empty | default "fallback" }}', "fallback"),
    ("{{ .Input.body.message | b64enc }}", "aGVsbG8gd29ybGQ="),
    ("{{ .Input.body.message | b64enc | b64dec }}", "hello world"),
    ("{{ .Input.body.labels | toJson }}", '{"a":"1","b":"2"}'),
    ("{{ toJSON .Input.body.count }}", "3"),
    ("{{ .Input.body.message | quote }}", '"hello world"'),
    ("{{ .Input.body.message | squote }}", "'hello world'"),
    ('{{ .Input.body.message | split " " }}', "map[_0:hello _1:world]"),
    ('{{ splitList " " .Input.body.message | join "-" }}', "hello-world"),
    ('{{ contains "world" .Input.body.message }}', "true"),
    ('{{ hasPrefix "hello" .Input.body.message }}', "true"),
    ('{{ .Input.body.message | trimPrefix "hello " }}', "world"),
    ('{{ "  x  " | trim }}', "x"),
    ("{{ .Input.body.message | sha256sum | trunc 8 }}", "b94d27b9"),
    ("{{ add 1 2 3 }}", "6"),
    ("{{ .Input.body.count | int | add 1 }}", "4"),
    ('{{ regexFind "w.r" .Input.body.message }}', "wor"),
    ("{{ list 1 2 3 | last }}", "3"),
    ('{{ dict "a" 1 | toJson }}', '{"a":1}'),
    ("{{ (index .Input.body.items 1).name }}", "b"),
    ("plain text", "plain text"),
]


@pytest.mark.parametrize(("template", "expected"), CASES)
def test_render(template: str, expected: str) -> None:
    assert render(template, INPUT) == expected


ERRORS: list[tuple[str, str]] = [
    ("{{ .Input.nope.x }}", "nil pointer evaluating interface {}.x"),
    ("{{ nofunc 1 }}", 'function "nofunc" not defined'),
    ("{{ if .Input.type }}x", "unexpected EOF"),
    ("{{ end }}", "unexpected {{end}}"),
    ("{{ .Input.type", "unclosed action"),
    ("{{ eq .Input.body.count 3 }}", "incompatible types for comparison"),
    ("{{ $undefined }}", 'undefined variable "$undefined"'),
    ("{{ index .Input.body.items 5 }}", "index out of range: 5"),
    ('{{ fail "boom" }}', "boom"),
    ("{{ .Input.type 1 }}", "can't give argument to non-function"),
]


@pytest.mark.parametrize(("template", "message"), ERRORS)
def test_render_errors(template: str, message: str) -> None:
    with pytest.raises(ExpressionError) as info:
        render(template, INPUT)
    assert message in str(info.value)
    assert str(info.value).startswith("template: param")
