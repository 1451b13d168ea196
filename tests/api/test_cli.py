"""``pinnace apply | get | delete`` against the running server, configured by its kubeconfig."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from pinnace.cli import main
from pinnace.render.tree import render_workflow
from tests.api.conftest import RunningApi

WF = """apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: hello, labels: {team: a}}
spec:
  entrypoint: main
  templates: [{name: main, container: {image: alpine}}]
"""


def run(api: RunningApi, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([*args, "--kubeconfig", str(api.kubeconfig)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_apply_get_delete(api: RunningApi, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    f = tmp_path / "wf.yaml"
    f.write_text(WF)
    assert run(api, capsys, "apply", "-f", str(f))[1].strip() == "workflow.argoproj.io/hello created"
    assert run(api, capsys, "apply", "-f", str(f))[1].strip() == "workflow.argoproj.io/hello unchanged"
    f.write_text(WF.replace("team: a", "team: b"))
    assert run(api, capsys, "apply", "-f", str(f))[1].strip() == "workflow.argoproj.io/hello configured"

    code, out, _ = run(api, capsys, "get", "wf", "-o", "json")
    listed = json.loads(out)
    assert code == 0 and listed["kind"] == "List" and listed["apiVersion"] == "v1"
    assert [i["metadata"]["labels"] for i in listed["items"]] == [{"team": "b"}]
    code, out, _ = run(api, capsys, "get", "wf")
    assert out.splitlines()[0].split() == ["NAME", "STATUS", "AGE", "DURATION", "MESSAGE"]
    assert out.splitlines()[1].split()[:2] == ["hello", "Pending"]
    assert run(api, capsys, "get", "wf", "-l", "team=a", "-o", "name")[1] == ""
    assert run(api, capsys, "get", "wf", "-l", "team=b", "-o", "name")[1].strip() == "workflow.argoproj.io/hello"
    assert yaml.safe_load(run(api, capsys, "get", "wf", "hello", "-o", "yaml")[1])["spec"]["entrypoint"] == "main"
    assert "Name:                hello" in run(api, capsys, "get", "wf", "hello")[1]

    code, out, _ = run(api, capsys, "delete", "wf", "hello")
    assert code == 0 and out.strip() == 'workflow.argoproj.io "hello" deleted'
    code, _, err = run(api, capsys, "get", "wf", "hello")
    assert code == 1 and "not found" in err


def test_apply_validates_before_sending(api: RunningApi, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(WF.replace("entrypoint: main", "entrypoint: missing"))
    code, out, err = run(api, capsys, "apply", "-f", str(f))
    assert code == 1
    assert "spec.entrypoint" in out and "nothing was applied" in err
    assert run(api, capsys, "get", "wf", "-o", "name")[1] == ""


def test_tree_matches_argo_layout() -> None:
    def node(nid: str, name: str, display: str, kind: str, phase: str, **kw: object) -> dict[str, object]:
        return {"id": nid, "name": name, "displayName": display, "type": kind, "phase": phase, **kw}

    t = "2024-01-01T00:00:0{}Z"
    wf = {
        "metadata": {"name": "steps", "namespace": "default", "creationTimestamp": t.format(0)},
        "spec": {},
        "status": {"phase": "Failed", "startedAt": t.format(0), "finishedAt": t.format(9), "nodes": {
            "steps": node("steps", "steps", "steps", "Steps", "Failed", templateName="main", children=["g0"]),
            "g0": node("g0", "steps[0]", "[0]", "StepGroup", "Succeeded", boundaryID="steps", children=["a"],
                       startedAt=t.format(1)),
            "a": node("a", "steps[0].hello1", "hello1", "Pod", "Succeeded", boundaryID="steps",
                      templateName="say", startedAt=t.format(1), finishedAt=t.format(4), children=["g1"]),
            "g1": node("g1", "steps[1]", "[1]", "StepGroup", "Failed", boundaryID="steps", children=["b", "c"],
                       startedAt=t.format(5)),
            "b": node("b", "steps[1].hello2a", "hello2a", "Pod", "Succeeded", boundaryID="steps",
                      templateName="say", startedAt=t.format(5), finishedAt=t.format(7)),
            "c": node("c", "steps[1].hello2b", "hello2b", "Pod", "Failed", boundaryID="steps", templateName="say",
                      startedAt=t.format(5), finishedAt=t.format(9), message="Error (exit code 1)"),
        }},
    }
    text = render_workflow(wf, now=1704067300.0)
    tree = [line.rstrip() for line in text.split("\n\n", 1)[1].splitlines()]
    expected = ["STEP", " ✖ steps", " ├───✔ hello1", " └─┬─✔ hello2a", "   └─✖ hello2b"]
    assert len(tree) == len(expected)
    for line, want in zip(tree, expected, strict=True):
        assert line.startswith(want + " "), (line, want)
    assert re.search(r"steps-say-\d+\s+4s\s+Error \(exit code 1\)$", tree[4]), tree[4]
    assert "steps-say-" in tree[2]
    assert "Duration:            9s" in text
