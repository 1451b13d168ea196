"""``pinnace stop|terminate|suspend|resume|retry|resubmit`` change the workflow as ``argo`` does."""

from __future__ import annotations

from tests.cli.conftest import Pinnace, node_named

SLOW_STEPS = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: slow-
spec:
  entrypoint: main
  arguments:
    parameters:
    - name: secs
      value: "30"
  templates:
  - name: main
    steps:
    - - name: a
        template: nap
        arguments:
          parameters: [{name: secs, value: "{{workflow.parameters.secs}}"}]
    - - name: b
        template: nap
        arguments:
          parameters: [{name: secs, value: "0"}]
  - name: nap
    inputs:
      parameters:
      - name: secs
    container:
      image: alpine:3.6
      command: [sh, -c, "sleep {{inputs.parameters.secs}}; echo rested"]
"""

# ``second`` exits with ``code``: submitted with 1 it fails; retried or resubmitted with -p code=0 it passes.
FLAKY = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: flaky-
spec:
  entrypoint: main
  arguments:
    parameters:
    - name: code
  templates:
  - name: main
    steps:
    - - name: first
        template: ok
    - - name: second
        template: check
  - name: ok
    container:
      image: alpine:3.6
      command: [echo, fine]
  - name: check
    container:
      image: alpine:3.6
      command: [sh, -c, "exit {{workflow.parameters.code}}"]
"""

APPROVAL = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: approval-
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: wait
        template: gate
    - - name: after
        template: done
  - name: gate
    suspend: {}
  - name: done
    container:
      image: alpine:3.6
      command: [echo, approved]
"""


def _submit(pinnace: Pinnace, text: str, *params: str) -> str:
    args = [a for p in params for a in ("-p", p)]
    res = pinnace.cli("submit", str(pinnace.write(text)), "-o", "name", *args)
    assert res.returncode == 0, res.stderr
    return res.stdout.split()[0]


def _running_node(pinnace: Pinnace, name: str, display: str) -> None:
    pinnace.until(name, lambda wf: (node_named(wf, display) or {}).get("phase") == "Running")


def test_stop_and_terminate(pinnace: Pinnace) -> None:
    two = pinnace.write(SLOW_STEPS + "---" + SLOW_STEPS)
    res = pinnace.cli("submit", str(two), "-o", "name")
    assert res.returncode == 0, res.stderr
    names = res.stdout.split()
    for name in names:
        _running_node(pinnace, name, "a")
    for name, (verb, strategy, done) in zip(names, (("stop", "Stop", "stopped"), ("terminate", "Terminate",
                                                                                   "terminated")), strict=True):
        res = pinnace.cli(verb, name)
        assert (res.returncode, res.stdout) == (0, f"workflow {name} {done}\n"), res.stderr
        wf = pinnace.until(name, lambda wf: wf.get("status", {}).get("phase") in ("Failed", "Error", "Succeeded"))
        assert wf["spec"]["shutdown"] == strategy
        assert wf["status"]["phase"] == "Failed"
        a = node_named(wf, "a")
        assert a is not None and a["phase"] == "Failed" and strategy in a.get("message", "")
        assert node_named(wf, "b") is None  # nothing new started after the shutdown
    again = pinnace.cli("stop", names[0])
    assert again.returncode == 1
    assert again.stderr.strip() == (f'pinnace: cannot shutdown a completed workflow: workflow: "{names[0]}", '
                                    'namespace: "default"')


def test_suspend_holds_the_next_step_until_resume(pinnace: Pinnace) -> None:
    # Long enough for `pinnace suspend` to land while ``a`` runs, short enough to wait for.
    name = _submit(pinnace, SLOW_STEPS, "secs=2")
    _running_node(pinnace, name, "a")
    res = pinnace.cli("suspend", name)
    assert res.stdout == f"workflow {name} suspended\n", res.stderr
    wf = pinnace.until(name, lambda wf: (node_named(wf, "a") or {}).get("phase") == "Succeeded")
    assert wf["spec"]["suspend"] is True
    # The step that was running finished; the next one waits for resume.
    assert pinnace.get(name)["status"]["phase"] == "Running" and node_named(pinnace.get(name), "b") is None
    res = pinnace.cli("resume", name)
    assert res.stdout == f"workflow {name} resumed\n", res.stderr
    wf = pinnace.until(name, lambda wf: wf.get("status", {}).get("phase") in ("Succeeded", "Failed", "Error"))
    assert wf["status"]["phase"] == "Succeeded" and "suspend" not in wf["spec"]
    done = pinnace.cli("suspend", name)
    assert done.returncode == 1 and "cannot suspend completed workflows" in done.stderr


def test_resume_succeeds_a_suspend_step(pinnace: Pinnace) -> None:
    name = _submit(pinnace, APPROVAL)
    _running_node(pinnace, name, "wait")
    assert pinnace.cli("resume", name).stdout == f"workflow {name} resumed\n"
    wf = pinnace.until(name, lambda wf: wf.get("status", {}).get("phase") in ("Succeeded", "Failed", "Error"))
    assert wf["status"]["phase"] == "Succeeded"
    assert (node_named(wf, "wait") or {}).get("phase") == "Succeeded"


def test_retry_reruns_only_the_failed_step(pinnace: Pinnace) -> None:
    name = _submit(pinnace, FLAKY, "code=1")
    failed = pinnace.until(name, lambda wf: wf.get("status", {}).get("phase") in ("Failed", "Error", "Succeeded"))
    assert failed["status"]["phase"] == "Failed"
    first = node_named(failed, "first")
    assert first is not None and first["phase"] == "Succeeded"

    res = pinnace.cli("retry", name, "-p", "code=0", "--wait")
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().splitlines()[-1] == f"{name} Succeeded"
    wf = pinnace.get(name)
    assert wf["metadata"]["name"] == name  # the same object, run again
    assert wf["spec"]["arguments"]["parameters"] == [{"name": "code", "value": "0"}]
    assert node_named(wf, "first") == first  # the succeeded step was kept, not re-run
    assert (node_named(wf, "second") or {}).get("phase") == "Succeeded"

    again = pinnace.cli("retry", name)
    assert again.returncode == 1
    assert "To retry a succeeded workflow, set the options restartSuccessful and nodeFieldSelector" in again.stderr
    forced = pinnace.cli("retry", name, "--restart-successful", "--node-field-selector", "displayName=second",
                         "--wait", "-o", "name")
    assert forced.returncode == 0, forced.stderr
    rerun = pinnace.get(name)
    assert node_named(rerun, "first") == first
    second = node_named(rerun, "second")
    assert second is not None and second["phase"] == "Succeeded"


def test_resubmit_creates_a_new_workflow(pinnace: Pinnace) -> None:
    name = _submit(pinnace, FLAKY, "code=1")
    pinnace.until(name, lambda wf: wf.get("status", {}).get("phase") in ("Failed", "Error", "Succeeded"))
    res = pinnace.cli("resubmit", name, "-p", "code=0", "-o", "name", "--wait")
    assert res.returncode == 0, res.stderr
    new = res.stdout.split()[0]
    assert new != name and new.startswith("flaky-")
    wf = pinnace.get(new)
    assert wf["metadata"]["labels"]["workflows.argoproj.io/resubmitted-from-workflow"] == name
    assert wf["status"]["phase"] == "Succeeded"
    assert pinnace.get(name)["status"]["phase"] == "Failed"  # the original is left alone
    missing = pinnace.cli("resubmit", "nope-123")
    assert missing.returncode == 1 and 'workflows.argoproj.io "nope-123" not found' in missing.stderr
