"""Journey 1: a GitHub-signed push starts a multi-step pipeline whose parameters come from the payload.

Driven only through the webhook port, the API and the CLI of a real ``pinnace up`` subprocess.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import specs
from tests.e2e.harness import (
    EXAMPLES,
    UpProcess,
    free_port,
    github_signature,
    http,
    output_param,
    port_open,
    processes_using,
    up,
    wait_for,
)

SECRET = "s3cret-e2e"


def push(port: int, ref: str, repo: str, commit: str, secret: str = SECRET,
         extra_headers: dict[str, str] | None = None) -> int:
    body = json.dumps({"ref": ref, "after": commit, "repository": {"full_name": repo}}).encode()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": github_signature(secret, body),
               "X-GitHub-Event": "push", **(extra_headers or {})}
    status, _ = http("POST", f"http://127.0.0.1:{port}/push", body, headers)
    return status


def build_files(tmp_path: Path, port: int) -> Path:
    wf = specs.pipeline_workflow("build-", ["repo", "commit"])
    main_only = {"data": [{"path": "body.ref", "type": "string", "value": ["refs/heads/main"]}]}
    return specs.write(
        tmp_path / "in" / "github.yaml",
        specs.github_webhook("github", port, SECRET),
        specs.sensor("build-on-push", "github", "push", wf, [("body.repository.full_name", 0), ("body.after", 1)],
                     filters=main_only),
    )


def builds(proc: UpProcess) -> list[dict[str, Any]]:
    return [w for w in proc.workflows() if str(w["metadata"]["name"]).startswith("build-")]


def test_signed_push_to_main_runs_the_pipeline_with_payload_parameters(tmp_path: Path) -> None:
    port = free_port()
    with up(tmp_path / "data", build_files(tmp_path, port), wait_ports=(port,)) as proc:
        # Wrong signature, then a push to another branch: neither may start anything.
        assert push(port, "refs/heads/main", "acme/app", "bad", secret="wrong") in (401, 403)
        assert push(port, "refs/heads/feature", "acme/app", "f00d") == 200
        assert push(port, "refs/heads/main", "acme/app", "c0ffee42") == 200

        def started() -> list[dict[str, Any]]:
            return builds(proc)
        first = wait_for(started, 30, what="a build workflow")
        name = str(first[0]["metadata"]["name"])
        wf = proc.wait_done(name)
        assert wf["status"]["phase"] == "Succeeded", wf["status"]
        for step in ("checkout", "test", "lint"):
            seen = specs.argv_of(output_param(wf, step, "argv"))
            assert seen["argv"] == ["acme/app", "c0ffee42"], (step, seen)
            assert seen["env"] == "acme/app"

        # The feature-branch push came first on the same ordered consumer: had it matched, its
        # workflow would exist by now. A later main push proves the sensor is still consuming.
        assert push(port, "refs/heads/main", "acme/lib", "beef") == 200
        wait_for(lambda: len(builds(proc)) == 2 or None, 30, what="the second build")
        time.sleep(0.5)
        commits = sorted(str(w["spec"]["arguments"]["parameters"][1]["value"]) for w in builds(proc))
        assert commits == ["beef", "c0ffee42"]

        # The CLI sees what the API sees.
        listing = proc.cli("get", "wf")
        assert listing.returncode == 0, listing.stderr
        assert name in listing.stdout and "Succeeded" in listing.stdout
        tree = proc.cli("get", "wf", name)
        assert tree.returncode == 0 and "checkout" in tree.stdout and "lint" in tree.stdout, tree.stdout


def test_idempotency_key_retries_start_one_workflow(tmp_path: Path) -> None:
    port = free_port()
    with up(tmp_path / "data", build_files(tmp_path, port), wait_ports=(port,)) as proc:
        key = {"X-Idempotency-Key": "delivery-7f3a"}
        for _ in range(3):
            assert push(port, "refs/heads/main", "acme/app", "abc", extra_headers=key) == 200
        assert push(port, "refs/heads/main", "acme/app", "after-retries") == 200
        wait_for(lambda: any(w["spec"]["arguments"]["parameters"][1]["value"] == "after-retries"
                             for w in builds(proc)) or None, 30, what="the marker build")
        time.sleep(0.5)
        commits = sorted(str(w["spec"]["arguments"]["parameters"][1]["value"]) for w in builds(proc))
        assert commits == ["abc", "after-retries"]


def test_bundled_examples_run_verbatim(tmp_path: Path) -> None:
    """``pinnace up -f examples/`` exactly as the README says, on the examples' fixed port 12000."""
    if port_open("127.0.0.1", 12000):
        pytest.skip("port 12000 (fixed in examples/webhook) is taken by another process")
    data = tmp_path / "data"
    with up(data, EXAMPLES, wait_ports=(12000,)) as proc:
        coinflip = wait_for(lambda: [w for w in proc.workflows() if w["metadata"]["name"].startswith("coinflip")],
                            30, what="the coinflip workflow")
        done = proc.wait_done(coinflip[0]["metadata"]["name"])
        assert done["status"]["phase"] == "Succeeded"
        body = json.dumps({"ref": "refs/heads/main", "after": "abc123",
                           "repository": {"full_name": "acme/app"}}).encode()
        status, _ = http("POST", "http://127.0.0.1:12000/push", body,
                         {"Content-Type": "application/json",
                          "X-Hub-Signature-256": github_signature("change-me", body)})
        assert status == 200
        build = wait_for(lambda: [w for w in proc.workflows() if w["metadata"]["name"].startswith("build-")],
                         30, what="the example build workflow")
        wf = proc.wait_done(build[0]["metadata"]["name"])
        assert wf["status"]["phase"] == "Succeeded"
        inputs = {n["displayName"]: n["inputs"]["parameters"][0]["value"]
                  for n in wf["status"]["nodes"].values() if n["type"] == "Pod"}
        assert inputs == {"checkout": "checkout acme/app@abc123", "test": "test abc123", "lint": "lint abc123"}
        assert proc.stop() == 0
    assert processes_using(data) == []


def test_ready_line_means_webhook_ports_listen(tmp_path: Path) -> None:
    port = free_port()
    proc = UpProcess(tmp_path / "data", [build_files(tmp_path, port)])
    try:
        proc.start()
        assert port_open("127.0.0.1", port), "webhook port not listening when 'pinnace ready' was printed"
    finally:
        proc.kill()
