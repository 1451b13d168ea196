"""``pinnace logs`` and the Kubernetes pod-log endpoint behind it, on the seed's coinflip."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

from pinnace.apiclient.config import resolve_connection
from pinnace.render.tree import pod_name
from tests.cli.conftest import Pinnace

SEED = Path("/work/shared/reference/seed-coinflip.yaml")
if not SEED.exists():  # the checkout's own copy when the shared folder is not mounted
    SEED = Path(__file__).resolve().parents[2] / "examples" / "workflows" / "coinflip.yaml"

STREAM = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: stream-
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: first
        template: count
    - - name: second
        template: count
  - name: count
    container:
      image: alpine:3.6
      command: [sh, -c, "for i in 1 2 3; do echo line $i; sleep 0.2; done"]
"""


def _api_get(pinnace: Pinnace, path: str) -> tuple[int, str]:
    conn = resolve_connection(data_dir=str(pinnace.data_dir))
    url = pinnace.proc.field("api") + path
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {conn.token}"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def test_coinflip_logs_show_it_was_heads(pinnace: Pinnace) -> None:
    res = pinnace.cli("submit", str(SEED), "--wait", "-o", "name")
    assert res.returncode == 0, res.stderr
    name = res.stdout.split()[0]
    wf = pinnace.get(name)
    pods = {pod_name(wf, n): n for n in wf["status"]["nodes"].values() if n["type"] == "Pod"}
    heads = [p for p, n in pods.items() if n["displayName"] == "heads"]
    assert len(heads) == 1  # the recursion ends on the one heads step

    logs = pinnace.cli("logs", name)
    assert logs.returncode == 0, logs.stderr
    lines = logs.stdout.splitlines()
    assert f"{heads[0]}: it was heads" in lines
    flips = [line for line in lines if "-flip-coin-" in line]
    assert flips and flips[-1].endswith(": heads")  # the last flip decided
    assert all(line.split(": ", 1)[0] in pods for line in lines)

    step = pinnace.cli("logs", name, "--step", "heads")
    assert step.stdout.splitlines() == [f"{heads[0]}: it was heads"]
    missing = pinnace.cli("logs", name, "--step", "nope")
    assert missing.returncode == 1 and "has no step 'nope'" in missing.stderr

    status, body = _api_get(pinnace, f"/api/v1/namespaces/default/pods/{heads[0]}/log?container=main")
    assert (status, body) == (200, "it was heads\n")
    status, body = _api_get(pinnace, f"/api/v1/namespaces/default/pods/{name}-nope-1/log")
    assert status == 404 and json.loads(body)["reason"] == "NotFound"
    status, body = _api_get(pinnace, f"/api/v1/namespaces/default/pods/{heads[0]}/log?container=wait")
    assert status == 400 and "is not valid for pod" in json.loads(body)["message"]


def test_follow_streams_every_pod_until_the_workflow_ends(pinnace: Pinnace) -> None:
    res = pinnace.cli("submit", str(pinnace.write(STREAM)), "-o", "name")
    name = res.stdout.split()[0]
    follow = pinnace.cli("logs", name, "-f")
    assert follow.returncode == 0, follow.stderr
    assert pinnace.get(name)["status"]["phase"] == "Succeeded"  # -f returned only at the end
    by_pod: dict[str, list[str]] = {}
    for line in follow.stdout.splitlines():
        pod, text = line.split(": ", 1)
        by_pod.setdefault(pod, []).append(text)
    assert list(by_pod.values()) == [["line 1", "line 2", "line 3"]] * 2
    assert all(pod.startswith(f"{name}-count-") for pod in by_pod)

    tail = pinnace.cli("logs", name, "--tail", "1", "--step", "second")
    assert [line.split(": ", 1)[1] for line in tail.stdout.splitlines()] == ["line 3"]
