"""Sensor lint rules: each rule accepts a good spec and rejects a bad one on the exact field path."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest
import yaml

import sensors.spec  # noqa: F401  (registers Sensor even if the catalog cannot import yet)
from pinnace.resources import validate

DEPS = """
dependencies:
  - {name: dep-a, eventSourceName: webhook, eventName: example}
  - {name: dep-b, eventSourceName: calendar, eventName: tick}
"""
LOG_TRIGGER = """
triggers:
  - template: {name: t, log: {}}
"""


def sensor(spec: str) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Sensor",
        "metadata": {"name": "s"},
        "spec": yaml.safe_load(textwrap.dedent(spec)),
    }


def problems(spec: str) -> list[tuple[str, str]]:
    _, found = validate.validate_object(sensor(spec))
    return [(p.path, p.message) for p in found]


def with_dep(dep: str) -> str:
    """A sensor with one dependency ``dep-a`` (given inline) and a log trigger."""
    return f"dependencies:\n  - {{name: dep-a, eventSourceName: es, eventName: e, {dep}}}\n{LOG_TRIGGER}"


def with_trigger(trigger: str) -> str:
    """The two dependencies above and one trigger (given inline)."""
    return f"{DEPS}triggers:\n  - {trigger}\n"


FULL = r"""
dependencies:
  - name: dep-a
    eventSourceName: webhook
    eventName: example
    filtersLogicalOperator: or
    filters:
      dataLogicalOperator: and
      exprLogicalOperator: or
      data:
        - {path: body.action, type: string, value: ["open.*", closed], comparator: "!="}
        - {path: body.count, type: number, value: ["10", "2.5"], comparator: ">="}
        - {path: body.ok, type: bool, value: ["true", "F"]}
        - {path: body.name, type: string, value: [x], template: "{{ .Input | upper }}"}
      exprs:
        - expr: a == "b" && c > 2
          fields: [{name: a, path: body.a}, {name: c, path: body.c}]
      context: {type: webhook, source: webhook, subject: example, datacontenttype: application/json}
      time: {start: "9:00:00", stop: "17:30:00", timezone: Europe/Paris}
      jmespath: "body.action == 'opened' && length(body.commits) > `0`"
    transform: {jmespath: "{action: body.action}"}
  - {name: dep_b, eventSourceName: calendar, eventName: tick}
triggers:
  - template:
      name: workflow
      conditions: "dep-a && (dep_b || dep-a)"
      conditionsReset: [{byTime: {cron: "0 0 * * *", timezone: America/New_York}}]
      argoWorkflow:
        operation: submit
        source:
          resource: {apiVersion: argoproj.io/v1alpha1, kind: Workflow, metadata: {generateName: wf-}}
        parameters:
          - src: {dependencyName: dep-a, dataKey: body.message, value: default}
            dest: spec.arguments.parameters.0.value
            operation: append
          - src: {dependencyName: dep_b, dataTemplate: "{{ .Input.body.x }}", useRawData: true}
            dest: spec.arguments.parameters.1.value
            operation: prepend
          - src: {dependencyName: dep-a, contextKey: type, contextTemplate: "{{ .Input.id }}"}
            dest: metadata.labels.type
            operation: overwrite
          - src: {dependencyName: dep-a, jmespath: "body.commits[0].id"}
            dest: metadata.labels.commit
    parameters:
      - src: {dependencyName: dep-a, dataKey: body.name}
        dest: argoWorkflow.source.resource.metadata.generateName
    policy: {k8s: {labels: {workflows.argoproj.io/phase: Succeeded}, backoff: {duration: 1s, steps: 3}}}
    retryStrategy: {steps: 3, duration: 3s, factor: 2, jitter: 0.1}
    rateLimit: {unit: Minute, requestsPerUnit: 20}
    atLeastOnce: true
    dlqTrigger:
      atLeastOnce: true
      template: {name: dlq, log: {intervalSeconds: 5}}
  - template:
      name: k8s
      k8s:
        operation: patch
        patchStrategy: application/merge-patch+json
        liveObject: true
        source: {configmap: {name: trigger-cm, key: wf, namespace: argo-events}}
  - template:
      name: http
      http:
        serverURL: http://127.0.0.1:8000/hook
        method: POST
        timeout: 10
        headers: {X-Team: ops}
        secureHeaders: [{name: Authorization, valueFrom: {secretKeyRef: {name: tok, key: t}}}]
        payload: [{src: {dependencyName: dep-a, dataKey: body}}]
    policy: {status: {allow: [200, 201]}}
  - template:
      name: nats
      nats:
        url: nats://127.0.0.1:4222
        subject: out
        payload: [{src: {dependencyName: dep_b, dataKey: body}, dest: x}]
  - template: {name: file, k8s: {operation: create, source: {file: {path: /tmp/wf.yaml}}}}
  - template: {name: url, k8s: {source: {url: {path: "http://h/wf.yaml", verifycert: false}}}}
"""

TEMPLATE_PARAMETER_PLACEHOLDER = """
dependencies: [{name: test-dep, eventSourceName: webhook, eventName: example}]
triggers:
  - template:
      name: t
      argoWorkflow:
        operation: submit
        source: {resource: {kind: Workflow}}
        parameters:
          - src: {dependencyName: THIS_WILL_BE_REPLACED, dataKey: x}
            dest: THIS_WILL_BE_REPLACED
    parameters:
      - src: {dependencyName: test-dep, dataKey: body.dependencyName}
        dest: argoWorkflow.parameters.0.src.dependencyName
"""


@pytest.mark.parametrize(
    "spec", [FULL, TEMPLATE_PARAMETER_PLACEHOLDER, DEPS + LOG_TRIGGER], ids=["full", "rewritten", "min"]
)
def test_valid_sensors_have_no_problems(spec: str) -> None:
    assert problems(spec) == []


T0 = "spec.triggers[0].template"
D0 = "spec.dependencies[0]"
AW = "{name: t, argoWorkflow: {operation: submit, source: {resource: {kind: Workflow}}, parameters: [%s]}}"

BAD: list[tuple[str, str, str, str]] = [
    # (case id, spec, path, message)
    (
        "no dependencies",
        "dependencies: []\n" + LOG_TRIGGER,
        "spec.dependencies",
        "the sensor defines no dependencies: add at least one event to listen for",
    ),
    (
        "duplicate dependency",
        DEPS + "  - {name: dep-a, eventSourceName: x, eventName: y}\n" + LOG_TRIGGER,
        "spec.dependencies[2].name",
        "duplicate dependency name 'dep-a'",
    ),
    (
        "dash underscore collision",
        DEPS + "  - {name: dep_a, eventSourceName: x, eventName: y}\n" + LOG_TRIGGER,
        "spec.dependencies[2].name",
        "dependency name 'dep_a' collides with 'dep-a': Argo treats '-' and '_' alike",
    ),
    (
        "dependency name chars",
        "dependencies: [{name: dep a, eventSourceName: x, eventName: y}]\n" + LOG_TRIGGER,
        f"{D0}.name",
        "dependency name 'dep a' may only contain letters, digits, '-' and '_' (it is used in conditions)",
    ),
    (
        "dependency event source",
        "dependencies: [{name: d, eventName: y}]\n" + LOG_TRIGGER,
        f"{D0}.eventSourceName",
        "required field is missing: the EventSource's metadata.name",
    ),
    (
        "dependency event name",
        "dependencies: [{name: d, eventSourceName: x}]\n" + LOG_TRIGGER,
        f"{D0}.eventName",
        "required field is missing: the event's name within that EventSource",
    ),
    (
        "filters logical operator",
        with_dep("filtersLogicalOperator: xor"),
        f"{D0}.filtersLogicalOperator",
        "logical operator 'xor' is not one of and, or",
    ),
    (
        "data logical operator",
        with_dep("filters: {dataLogicalOperator: AND}"),
        f"{D0}.filters.dataLogicalOperator",
        "logical operator 'AND' is not one of and, or",
    ),
    (
        "expr logical operator",
        with_dep("filters: {exprLogicalOperator: '||'}"),
        f"{D0}.filters.exprLogicalOperator",
        "logical operator '||' is not one of and, or",
    ),
    (
        "data type boolean",
        with_dep("filters: {data: [{path: a, type: boolean, value: ['true']}]}"),
        f"{D0}.filters.data[0].type",
        "data filter type 'boolean' is not one of string, number, bool (use 'bool')",
    ),
    (
        "data type int",
        with_dep("filters: {data: [{path: a, type: int, value: ['1']}]}"),
        f"{D0}.filters.data[0].type",
        "data filter type 'int' is not one of string, number, bool",
    ),
    (
        "data comparator",
        with_dep("filters: {data: [{path: a, type: number, value: ['1'], comparator: '=>'}]}"),
        f"{D0}.filters.data[0].comparator",
        "comparator '=>' is not one of >=, >, =, !=, <, <=",
    ),
    (
        "string comparator",
        with_dep("filters: {data: [{path: a, type: string, value: [x], comparator: '>'}]}"),
        f"{D0}.filters.data[0].comparator",
        "comparator '>' does not apply to strings: use = or !=",
    ),
    (
        "number value",
        with_dep("filters: {data: [{path: a, type: number, value: [ten]}]}"),
        f"{D0}.filters.data[0].value[0]",
        "value 'ten' is not a number (the filter type is number)",
    ),
    (
        "bool value",
        with_dep("filters: {data: [{path: a, type: bool, value: ['yes']}]}"),
        f"{D0}.filters.data[0].value[0]",
        "value 'yes' is not a boolean: use true or false",
    ),
    (
        "string regex",
        with_dep("filters: {data: [{path: a, type: string, value: ['a(']}]}"),
        f"{D0}.filters.data[0].value[0]",
        "value 'a(' is not a valid regular expression: missing ), unterminated subpattern at position 1",
    ),
    (
        "empty value",
        with_dep("filters: {data: [{path: a, type: string, value: ['']}]}"),
        f"{D0}.filters.data[0].value[0]",
        "a data filter value must not be empty",
    ),
    (
        "data path",
        with_dep("filters: {data: [{type: string, value: [a]}]}"),
        f"{D0}.filters.data[0].path",
        "required field is missing: where the value sits in the event, such as body.action",
    ),
    (
        "data values",
        with_dep("filters: {data: [{path: a, type: string}]}"),
        f"{D0}.filters.data[0].value",
        "required field is missing: the list of accepted values",
    ),
    (
        "expr fields",
        with_dep("filters: {exprs: [{expr: 'a > 1'}]}"),
        f"{D0}.filters.exprs[0].fields",
        "required field is missing: the named payload fields the expression uses",
    ),
    (
        "expr field name",
        with_dep("filters: {exprs: [{expr: 'a > 1', fields: [{path: body.a}]}]}"),
        f"{D0}.filters.exprs[0].fields[0].name",
        "required field is missing: the name the expression uses",
    ),
    (
        "empty context",
        with_dep("filters: {context: {id: x}}"),
        f"{D0}.filters.context",
        "the context filter names no type, subject, source or datacontenttype, so it would discard every event",
    ),
    (
        "time format",
        with_dep("filters: {time: {start: 9am, stop: '10:00:00'}}"),
        f"{D0}.filters.time.start",
        "start time '9am' must be hh:mm:ss, such as 09:00:00",
    ),
    (
        "time range",
        with_dep("filters: {time: {start: '10:00:00', stop: '10:00:00'}}"),
        f"{D0}.filters.time",
        "stop '10:00:00' equals start '10:00:00': the time window is empty",
    ),
    (
        "time timezone",
        with_dep("filters: {time: {start: '1:00:00', stop: '2:00:00', timezone: Nowhere}}"),
        f"{D0}.filters.time.timezone",
        "unknown timezone 'Nowhere': use an IANA name such as 'Europe/Paris' or 'UTC'",
    ),
    (
        "filter jmespath",
        with_dep("filters: {jmespath: 'body.action =='}"),
        f"{D0}.filters.jmespath",
        "invalid JMESPath expression 'body.action ==': the expression ends too early (column 15)",
    ),
    (
        "filter jmespath token",
        with_dep("filters: {jmespath: 'body.commits[?x > ]'}"),
        f"{D0}.filters.jmespath",
        "invalid JMESPath expression 'body.commits[?x > ]': unexpected ']' at column 19",
    ),
    (
        "transform jmespath",
        with_dep("transform: {jmespath: 'a ~ b'}"),
        f"{D0}.transform.jmespath",
        "invalid JMESPath expression 'a ~ b': Unknown token ~ at column 3",
    ),
    (
        "no triggers",
        DEPS + "triggers: []",
        "spec.triggers",
        "the sensor defines no triggers: add at least one action to take",
    ),
    (
        "no template",
        with_trigger("{atLeastOnce: true}"),
        "spec.triggers[0].template",
        "required field is missing: the trigger's name and type",
    ),
    (
        "trigger name",
        with_trigger("template: {log: {}}"),
        f"{T0}.name",
        "required field is missing: a name unique in this sensor",
    ),
    (
        "duplicate trigger",
        with_trigger("template: {name: t, log: {}}\n  - template: {name: t, log: {}}"),
        "spec.triggers[1].template.name",
        "duplicate trigger name 't'",
    ),
    (
        "no trigger type",
        with_trigger("template: {name: t}"),
        T0,
        "the trigger template names no trigger type: add one of argoWorkflow, http, k8s, log, nats",
    ),
    (
        "two trigger types",
        with_trigger("template: {name: t, log: {}, http: {url: 'http://h'}}"),
        T0,
        "the trigger template names http and log: a trigger has exactly one type",
    ),
    (
        "conditions syntax",
        with_trigger("template: {name: t, conditions: 'dep-a &&', log: {}}"),
        f"{T0}.conditions",
        "expected a dependency name or '(' at column 9 in 'dep-a &&', got the end of the expression",
    ),
    (
        "conditions unknown",
        with_trigger("template: {name: t, conditions: 'dep-a || dep-z', log: {}}"),
        f"{T0}.conditions",
        "conditions name unknown dependency 'dep-z'; the sensor defines dep-a, dep-b",
    ),
    (
        "reset cron",
        with_trigger("template: {name: t, log: {}, conditionsReset: [{byTime: {cron: '* * 32 * *'}}]}"),
        f"{T0}.conditionsReset[0].byTime.cron",
        "invalid schedule '* * 32 * *'",
    ),
    (
        "reset timezone",
        with_trigger("template: {name: t, log: {}, conditionsReset: [{byTime: {cron: '@hourly', timezone: Mars}}]}"),
        f"{T0}.conditionsReset[0].byTime.timezone",
        "unknown timezone 'Mars': use an IANA name such as 'Europe/Paris' or 'UTC'",
    ),
    (
        "reset by time",
        with_trigger("template: {name: t, log: {}, conditionsReset: [{}]}"),
        f"{T0}.conditionsReset[0].byTime",
        "required field is missing: a cron schedule to reset at",
    ),
    (
        "param unknown dependency",
        with_trigger("template: " + AW % "{src: {dependencyName: dep-z}, dest: x}"),
        f"{T0}.argoWorkflow.parameters[0].src.dependencyName",
        "unknown dependency 'dep-z'; the sensor defines dep-a, dep-b",
    ),
    (
        "param no dependency",
        with_trigger("template: " + AW % "{src: {dataKey: body}, dest: x}"),
        f"{T0}.argoWorkflow.parameters[0].src.dependencyName",
        "required field is missing: one of the sensor's dependencies: dep-a, dep-b",
    ),
    (
        "param no src",
        with_trigger("template: " + AW % "{dest: x}"),
        f"{T0}.argoWorkflow.parameters[0].src",
        "required field is missing: where the value comes from (dependencyName and dataKey, ...)",
    ),
    (
        "param no dest",
        with_trigger("template: " + AW % "{src: {dependencyName: dep-a}}"),
        f"{T0}.argoWorkflow.parameters[0].dest",
        "required field is missing: the path to write the value to, such as spec.arguments",
    ),
    (
        "param operation",
        with_trigger("template: " + AW % "{src: {dependencyName: dep-a}, dest: x, operation: merge}"),
        f"{T0}.argoWorkflow.parameters[0].operation",
        "operation 'merge' is not one of overwrite, append, prepend",
    ),
    (
        "param jmespath",
        with_trigger("template: " + AW % "{src: {dependencyName: dep-a, jmespath: 'foo['}, dest: x}"),
        f"{T0}.argoWorkflow.parameters[0].src.jmespath",
        "invalid JMESPath expression 'foo[': the expression ends too early (column 5)",
    ),
    (
        "template-level param",
        with_trigger(
            "template: {name: t, log: {}}\n    parameters: [{src: {dependencyName: x}, dest: log.intervalSeconds}]"
        ),
        "spec.triggers[0].parameters[0].src.dependencyName",
        "unknown dependency 'x'; the sensor defines dep-a, dep-b",
    ),
    (
        "workflow operation",
        with_trigger("template: {name: t, argoWorkflow: {operation: launch, source: {inline: x}}}"),
        f"{T0}.argoWorkflow.operation",
        "operation 'launch' is not one of submit, submit-from, resubmit, retry, resume, suspend, terminate, stop",
    ),
    (
        "workflow no operation",
        with_trigger("template: {name: t, argoWorkflow: {source: {inline: x}}}"),
        f"{T0}.argoWorkflow.operation",
        "required field is missing: one of submit, submit-from, resubmit, retry, resume, suspend, terminate, stop",
    ),
    (
        "workflow no source",
        with_trigger("template: {name: t, argoWorkflow: {operation: submit}}"),
        f"{T0}.argoWorkflow.source",
        "an argoWorkflow trigger needs a source: one of resource, inline, file, url, configmap",
    ),
    (
        "empty source",
        with_trigger("template: {name: t, k8s: {source: {}}}"),
        f"{T0}.k8s.source",
        "the source names no location: give one of resource, inline, file, url, configmap",
    ),
    (
        "two sources",
        with_trigger("template: {name: t, k8s: {source: {inline: x, file: {path: /a}}}}"),
        f"{T0}.k8s.source",
        "the source names inline and file: give exactly one location",
    ),
    (
        "k8s operation",
        with_trigger("template: {name: t, k8s: {operation: apply, source: {inline: x}}}"),
        f"{T0}.k8s.operation",
        "operation 'apply' is not one of create, update, patch, delete",
    ),
    (
        "k8s patch strategy",
        with_trigger("template: {name: t, k8s: {operation: patch, patchStrategy: merge, source: {inline: x}}}"),
        f"{T0}.k8s.patchStrategy",
        "patchStrategy 'merge' is not one of application/json-patch+json, "
        "application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml",
    ),
    (
        "http url",
        with_trigger("template: {name: t, http: {method: POST}}"),
        f"{T0}.http.url",
        "required field is missing: the URL to send the request to",
    ),
    (
        "http method",
        with_trigger("template: {name: t, http: {url: 'http://h', method: FETCH}}"),
        f"{T0}.http.method",
        "method 'FETCH' is not one of GET, POST, PUT, PATCH, DELETE",
    ),
    (
        "http timeout",
        with_trigger("template: {name: t, http: {url: 'http://h', timeout: -1}}"),
        f"{T0}.http.timeout",
        "timeout must be seconds of 0 or more, got -1",
    ),
    (
        "nats payload",
        with_trigger("template: {name: t, nats: {url: 'nats://h', subject: s}}"),
        f"{T0}.nats.payload",
        "required field is missing: the parameters that build the message body",
    ),
    (
        "nats subject",
        with_trigger("template: {name: t, nats: {url: 'nats://h', payload: []}}"),
        f"{T0}.nats.subject",
        "required field is missing: the subject to publish to",
    ),
    (
        "log interval",
        with_trigger("template: {name: t, log: {intervalSeconds: -1}}"),
        f"{T0}.log.intervalSeconds",
        "intervalSeconds must be 0 or more, got -1",
    ),
    (
        "retry steps",
        with_trigger("template: {name: t, log: {}}\n    retryStrategy: {steps: -2}"),
        "spec.triggers[0].retryStrategy.steps",
        "steps must not be negative, got -2",
    ),
    (
        "retry factor",
        with_trigger("template: {name: t, log: {}}\n    retryStrategy: {factor: -1.5}"),
        "spec.triggers[0].retryStrategy.factor",
        "factor must be positive, got -1.5",
    ),
    (
        "retry duration",
        with_trigger("template: {name: t, log: {}}\n    retryStrategy: {duration: 3 secs}"),
        "spec.triggers[0].retryStrategy.duration",
        "invalid duration '3 secs': use a Go duration such as '30s', '5m' or '1h30m'",
    ),
    (
        "rate limit unit",
        with_trigger("template: {name: t, log: {}}\n    rateLimit: {unit: Day, requestsPerUnit: 1}"),
        "spec.triggers[0].rateLimit.unit",
        "unit 'Day' is not one of Second, Minute, Hour",
    ),
    (
        "rate limit count",
        with_trigger("template: {name: t, log: {}}\n    rateLimit: {requestsPerUnit: 0}"),
        "spec.triggers[0].rateLimit.requestsPerUnit",
        "requestsPerUnit must be positive, got 0",
    ),
    (
        "k8s policy labels",
        with_trigger("template: {name: t, log: {}}\n    policy: {k8s: {backoff: {steps: 1}}}"),
        "spec.triggers[0].policy.k8s.labels",
        "required field is missing: the labels that mark success",
    ),
    (
        "status policy allow",
        with_trigger("template: {name: t, log: {}}\n    policy: {status: {}}"),
        "spec.triggers[0].policy.status.allow",
        "required field is missing: the HTTP status codes that count as success",
    ),
    (
        "status policy code",
        with_trigger("template: {name: t, log: {}}\n    policy: {status: {allow: [200, 99]}}"),
        "spec.triggers[0].policy.status.allow[1]",
        "99 is not an HTTP status code (100-599)",
    ),
    (
        "dlq needs at least once",
        with_trigger("template: {name: t, log: {}}\n    dlqTrigger: {atLeastOnce: true, template: {name: d, log: {}}}"),
        "spec.triggers[0].dlqTrigger",
        "a dlqTrigger needs atLeastOnce: true on its trigger",
    ),
    (
        "dlq itself at least once",
        with_trigger(
            "template: {name: t, log: {}}\n    atLeastOnce: true\n    dlqTrigger: {template: {name: d, log: {}}}"
        ),
        "spec.triggers[0].dlqTrigger.atLeastOnce",
        "the dlqTrigger itself needs atLeastOnce: true",
    ),
    (
        "dlq checked like a trigger",
        with_trigger(
            "template: {name: t, log: {}}\n    atLeastOnce: true\n"
            "    dlqTrigger: {atLeastOnce: true, template: {log: {}}}"
        ),
        "spec.triggers[0].dlqTrigger.template.name",
        "required field is missing: a name unique in this sensor",
    ),
    (
        "unknown template field",
        with_trigger("template: {name: t, log: {}, condition: dep-a}"),
        f"{T0}.condition",
        "unknown field 'condition'",
    ),
    ("unknown trigger type", with_trigger("template: {name: t, lambda: {}}"), f"{T0}.lambda", "unknown field 'lambda'"),
    ("unknown filter field", with_dep("filters: {dta: []}"), f"{D0}.filters.dta", "unknown field 'dta'"),
]


@pytest.mark.parametrize(("spec", "path", "message"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_invalid_sensors_report_the_field(spec: str, path: str, message: str) -> None:
    assert problems(spec) == [(path, message)]
