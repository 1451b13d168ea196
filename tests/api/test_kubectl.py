"""The real ``kubectl`` against the server, configured only by the kubeconfig we write."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.api.conftest import RunningApi

KUBECTL = shutil.which("kubectl")
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not on PATH")

MANIFESTS = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: hello
  labels: {team: a}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: alpine, command: [echo, hi]}
---
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: tmpl
  labels: {team: b}
spec:
  templates:
  - name: main
    container: {image: alpine}
"""


def kubectl(api: RunningApi, *args: str) -> subprocess.CompletedProcess[str]:
    assert KUBECTL
    return subprocess.run([KUBECTL, "--kubeconfig", str(api.kubeconfig), *args], capture_output=True, text=True,
                          timeout=60, env={"HOME": str(api.data_dir), "PATH": "/usr/bin:/bin"})


def test_kubectl_apply_get_label_selector_delete(api: RunningApi, tmp_path: Path) -> None:
    f = tmp_path / "m.yaml"
    f.write_text(MANIFESTS)
    out = kubectl(api, "apply", "-f", str(f))
    assert out.returncode == 0, out.stderr
    assert "workflow.argoproj.io/hello created" in out.stdout
    assert "workflowtemplate.argoproj.io/tmpl created" in out.stdout

    again = kubectl(api, "apply", "-f", str(f))
    assert again.returncode == 0 and "workflow.argoproj.io/hello unchanged" in again.stdout, again.stderr

    got = kubectl(api, "get", "wf", "hello", "-o", "yaml")
    assert got.returncode == 0, got.stderr
    obj = yaml.safe_load(got.stdout)
    assert obj["kind"] == "Workflow" and obj["spec"]["entrypoint"] == "main" and obj["metadata"]["uid"]

    by_label = kubectl(api, "get", "wf,wftmpl", "-l", "team=b", "-o", "name")
    assert by_label.returncode == 0, by_label.stderr
    assert by_label.stdout.split() == ["workflowtemplate.argoproj.io/tmpl"]

    deleted = kubectl(api, "delete", "wf", "hello")
    assert deleted.returncode == 0 and 'workflow.argoproj.io "hello" deleted' in deleted.stdout
    gone = kubectl(api, "get", "wf", "hello")
    assert gone.returncode != 0 and "NotFound" in gone.stderr


def test_kubectl_configmaps_and_invalid_object(api: RunningApi, tmp_path: Path) -> None:
    created = kubectl(api, "create", "configmap", "settings", "--from-literal=a=1")
    assert created.returncode == 0, created.stderr
    got = kubectl(api, "get", "cm", "settings", "-o", "jsonpath={.data.a}")
    assert got.stdout == "1"
    f = tmp_path / "bad.yaml"
    f.write_text("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: bad}\n"
                 "spec: {entrypoint: main, templates: [{name: main, contianer: {image: x}}]}\n")
    bad = kubectl(api, "apply", "-f", str(f))
    assert bad.returncode != 0
    assert "spec.templates[0].contianer" in bad.stderr
