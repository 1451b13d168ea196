"""Argo YAML for the end-to-end tests, written into temp dirs with the ports each test picked.

Every pod here reports what it received by printing ``json.dumps(sys.argv[1:])`` (and its env) into
an output parameter, so a test reads back from the workflow status exactly what reached the argv.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

# The pod writes its argv (and one env var) as JSON to /tmp/argv.json; the template's output
# parameter reads it back from the pod's own /tmp. The code reads argv, it never evaluates it.
ECHO_ARGV = (
    "import json, os, sys\n"
    "doc = {'argv': sys.argv[1:], 'env': os.environ.get('PAYLOAD')}\n"
    "open('/tmp/argv.json', 'w').write(json.dumps(doc))\n"
    "print(json.dumps(doc))\n"
)


def show_template(name: str = "show", inputs: tuple[str, ...] = ("value",)) -> dict[str, Any]:
    """A container that echoes its parameters back: argv = the inputs in order, env PAYLOAD = the first."""
    return {
        "name": name,
        "inputs": {"parameters": [{"name": i} for i in inputs]},
        "container": {
            "image": "python:3.12-alpine",
            "command": ["python3", "-c", ECHO_ARGV],
            "args": [f"{{{{inputs.parameters.{i}}}}}" for i in inputs],
            "env": [{"name": "PAYLOAD", "value": f"{{{{inputs.parameters.{inputs[0]}}}}}"}],
        },
        "outputs": {"parameters": [{"name": "argv", "valueFrom": {"path": "/tmp/argv.json"}}]},
    }


def pipeline_workflow(generate_name: str, params: list[str]) -> dict[str, Any]:
    """checkout, then test ‖ lint: three pods, each seeing the workflow parameters in its argv."""
    args = [{"name": p, "value": f"{{{{workflow.parameters.{p}}}}}"} for p in params]

    def step(n: str) -> dict[str, Any]:
        return {"name": n, "template": "show", "arguments": {"parameters": args}}
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"generateName": generate_name},
        "spec": {
            "entrypoint": "pipeline",
            "arguments": {"parameters": [{"name": p, "value": "unset"} for p in params]},
            "templates": [
                {"name": "pipeline", "steps": [[step("checkout")], [step("test"), step("lint")]]},
                show_template(inputs=tuple(params)),
            ],
        },
    }


def one_step_workflow(generate_name: str, params: list[str]) -> dict[str, Any]:
    wf = pipeline_workflow(generate_name, params)
    args = [{"name": p, "value": f"{{{{workflow.parameters.{p}}}}}"} for p in params]
    wf["spec"]["templates"][0] = {"name": "pipeline", "steps": [[{"name": "run", "template": "show",
                                                                    "arguments": {"parameters": args}}]]}
    return wf


def sensor(name: str, source: str, event: str, workflow: dict[str, Any], params: list[tuple[str, int]],
           *, filters: dict[str, Any] | None = None, at_least_once: bool = True) -> dict[str, Any]:
    """A Sensor: one dependency, an argoWorkflow trigger; ``params`` = (dataKey, workflow param index)."""
    dep: dict[str, Any] = {"name": "dep", "eventSourceName": source, "eventName": event}
    if filters:
        dep["filters"] = filters
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Sensor",
        "metadata": {"name": name},
        "spec": {
            "dependencies": [dep],
            "triggers": [{
                "template": {"name": "start", "argoWorkflow": {
                    "operation": "submit",
                    "source": {"resource": workflow},
                    "parameters": [
                        {"src": {"dependencyName": "dep", "dataKey": key},
                         "dest": f"spec.arguments.parameters.{i}.value"}
                        for key, i in params
                    ],
                }},
                "atLeastOnce": at_least_once,
            }],
        },
    }


def github_webhook(name: str, port: int, secret: str, max_payload: int | None = None) -> list[dict[str, Any]]:
    hook: dict[str, Any] = {
        "port": str(port), "endpoint": "/push", "method": "POST",
        "signature": {"provider": "github", "secret": {"name": f"{name}-secret", "key": "secret"}},
    }
    if max_payload:
        hook["maxPayloadSize"] = max_payload
    return [
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": f"{name}-secret"},
         "stringData": {"secret": secret}},
        {"apiVersion": "argoproj.io/v1alpha1", "kind": "EventSource", "metadata": {"name": name},
         "spec": {"webhook": {"push": hook}}},
    ]


def plain_webhook(name: str, port: int, endpoint: str = "/hook") -> dict[str, Any]:
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "EventSource", "metadata": {"name": name},
            "spec": {"webhook": {"hook": {"port": str(port), "endpoint": endpoint, "method": "POST"}}}}


def event_source(name: str, type_key: str, event: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "EventSource", "metadata": {"name": name},
            "spec": {type_key: {event: spec}}}


def write(path: Path, *docs: dict[str, Any] | list[dict[str, Any]]) -> Path:
    flat: list[dict[str, Any]] = []
    for d in docs:
        flat.extend(d if isinstance(d, list) else [d])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump_all(flat, sort_keys=False, width=1000))
    return path


def argv_of(output: str) -> dict[str, Any]:
    """The JSON document a ``show`` pod wrote: ``{"argv": [...], "env": ...}``."""
    return dict(json.loads(output))


def id_recording_files(folder: Path, port: int, ids_file: Path, ttl_seconds: int = 20) -> Path:
    """A webhook, and an atLeastOnce sensor whose one-step workflow appends its event id to
    ``ids_file`` (keep it outside ``/tmp``: pods have a private one) and expires ``ttl_seconds``
    after it finishes, so what ran is counted even after the store has collected the workflows."""
    wf = {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"generateName": "soak-"},
        "spec": {
            "entrypoint": "main",
            "ttlStrategy": {"secondsAfterCompletion": ttl_seconds},
            "arguments": {"parameters": [{"name": "id", "value": "none"}]},
            "templates": [{"name": "main", "inputs": {"parameters": [{"name": "id"}]}, "container": {
                "image": "alpine", "command": ["sh", "-c", 'echo "$0" >> "$1"', "{{inputs.parameters.id}}",
                                               str(ids_file)]}}],
        },
    }
    return write(folder / "soak.yaml", plain_webhook("hook", port),
                 sensor("on-hook", "hook", "hook", wf, [("body.id", 0)]))
