"""``pinnace submit`` against a running ``pinnace up``: exit codes, output, parameters, --from, --watch."""

from __future__ import annotations

from tests.cli.conftest import Pinnace

ECHO = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: echo-
spec:
  entrypoint: main
  arguments:
    parameters:
    - name: msg
    - name: code
      value: "0"
  templates:
  - name: main
    inputs:
      parameters:
      - name: msg
      - name: code
    container:
      image: alpine:3.6
      command: [sh, -c]
      args: ["echo \\"msg={{inputs.parameters.msg}}\\"; exit {{inputs.parameters.code}}"]
"""


def _last(text: str) -> list[str]:
    return text.strip().splitlines()[-1].split()


def test_wait_on_a_succeeding_workflow_exits_0_and_the_parameter_reaches_the_pod(pinnace: Pinnace) -> None:
    path = pinnace.write(ECHO)
    res = pinnace.cli("submit", str(path), "-p", "msg=from the cli", "--wait")
    assert res.returncode == 0, res.stderr
    name, phase = _last(res.stdout)
    assert name.startswith("echo-") and phase == "Succeeded"
    assert "Name:" in res.stdout  # the created workflow is shown first, as argo does
    logs = pinnace.cli("logs", name)
    assert logs.returncode == 0, logs.stderr
    assert logs.stdout.strip().endswith(": msg=from the cli")
    wf = pinnace.get(name)
    assert wf["spec"]["arguments"]["parameters"][0] == {"name": "msg", "value": "from the cli"}


def test_wait_on_a_failing_workflow_exits_1(pinnace: Pinnace) -> None:
    path = pinnace.write(ECHO)
    res = pinnace.cli("submit", str(path), "-p", "msg=x", "-p", "code=3", "--wait", "-o", "name")
    assert res.returncode == 1, res.stderr
    name = res.stdout.split()[0]
    assert pinnace.get(name)["status"]["phase"] == "Failed"
    # -o name is quiet while waiting (argo prints no phase line then)
    assert res.stdout.split() == [name]


def test_a_missing_argument_value_is_a_lint_error_and_nothing_is_created(pinnace: Pinnace) -> None:
    path = pinnace.write(ECHO)
    before = pinnace.call(lambda c: c.list("Workflow", "default"))
    res = pinnace.cli("submit", str(path))
    assert res.returncode == 1
    assert "spec.arguments.parameters[0]" in res.stdout and "nothing was submitted" in res.stderr
    assert len(pinnace.call(lambda c: c.list("Workflow", "default"))) == len(before)


def test_submit_from_a_workflow_template(pinnace: Pinnace) -> None:
    res = pinnace.cli("submit", "--from", "workflowtemplate/greet", "-p", "who=pinnace", "--wait",
                      "-l", "team=cli")
    assert res.returncode == 0, res.stderr + res.stdout
    name, phase = _last(res.stdout)
    assert name.startswith("greet-") and phase == "Succeeded"
    wf = pinnace.get(name)
    assert wf["spec"]["workflowTemplateRef"] == {"name": "greet"}
    assert wf["metadata"]["labels"]["workflows.argoproj.io/workflow-template"] == "greet"
    assert wf["metadata"]["labels"]["team"] == "cli"
    assert "hello pinnace" in pinnace.cli("logs", name).stdout
    missing = pinnace.cli("submit", "--from", "workflowtemplate/nope")
    assert missing.returncode == 1 and 'workflowtemplates.argoproj.io "nope" not found' in missing.stderr


def test_watch_draws_the_step_tree_until_the_end(pinnace: Pinnace) -> None:
    path = pinnace.write(ECHO)
    res = pinnace.cli("submit", str(path), "-p", "msg=w", "-p", "code=1", "--watch", "--generate-name", "watched-")
    assert res.returncode == 1
    frames = [f for f in res.stdout.split("\n\n") if f.strip()]
    assert "STEP" in res.stdout and "TEMPLATE" in res.stdout and "PODNAME" in res.stdout
    final = res.stdout[res.stdout.rindex("Name:"):]
    assert "Status:              Failed" in final
    assert "✖ watched-" in final
    assert len(frames) >= 2  # redrawn as the workflow changed
