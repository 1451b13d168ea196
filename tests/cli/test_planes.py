"""Split deployment: ``pinnace run api``, ``engine``, ``eventsource NAME``/``eventsources`` and
``sensor NAME``/``sensors`` as separate processes sharing one API and one NATS; a webhook call
goes through all of them to a finished Workflow, and each plane stops cleanly on SIGTERM."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bus.embedded import EmbeddedNats
from tests.cli.conftest import Pinnace, Proc

Obj = dict[str, Any]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _eventsource(port: int) -> Obj:
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "EventSource", "metadata": {"name": "hook"},
            "spec": {"webhook": {"hook": {"port": str(port), "endpoint": "/hook", "method": "POST"}}}}


SENSOR: Obj = {
    "apiVersion": "argoproj.io/v1alpha1", "kind": "Sensor", "metadata": {"name": "on-hook"},
    "spec": {
        "dependencies": [{"name": "dep", "eventSourceName": "hook", "eventName": "hook"}],
        "triggers": [{"template": {"name": "run", "argoWorkflow": {
            "operation": "submit",
            "source": {"resource": {
                "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
                "metadata": {"generateName": "hooked-"},
                "spec": {"entrypoint": "main",
                         "arguments": {"parameters": [{"name": "who", "value": "unknown"}]},
                         "templates": [{"name": "main", "container": {
                             "image": "alpine:3.6", "command": ["echo"],
                             "args": ["hello {{workflow.parameters.who}}"]}}]}}},
            "parameters": [{"src": {"dependencyName": "dep", "dataKey": "body.who"},
                            "dest": "spec.arguments.parameters.0.value"}]}}}],
    },
}


@pytest.fixture
def split(tmp_path: Path, nats_server: EmbeddedNats) -> Iterator[tuple[Pinnace, list[Proc]]]:
    data = tmp_path / "data"
    api = Proc("run", "api", "--data-dir", str(data), "--port", "0")
    api.ready("pinnace api ready")
    procs = [api]
    work = tmp_path / "work"
    work.mkdir()
    yield Pinnace(data, work, api), procs
    for p in reversed(procs):
        p.kill()


def _post(port: int, body: bytes) -> bool:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/hook", data=body,
                                 headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status == 200
    except (urllib.error.URLError, ConnectionError):
        return False


def _fire(pinnace: Pinnace, port: int, who: str, seen: set[str]) -> str:
    """POST until a new ``hooked-`` workflow appears (the listener and the consumer start
    asynchronously after the ready line), then return its name."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        _post(port, f'{{"who": "{who}"}}'.encode())
        for _ in range(10):
            names = {w["metadata"]["name"] for w in pinnace.call(lambda c: c.list("Workflow", "default"))}
            fresh = sorted(n for n in names - seen if n.startswith("hooked-"))
            if fresh:
                seen.update(names)
                return fresh[0]
            time.sleep(0.1)
    raise AssertionError("the webhook event never became a workflow")


def _finished(wf: Obj) -> bool:
    return (wf.get("status") or {}).get("phase") in ("Succeeded", "Failed", "Error")


def test_planes_run_a_webhook_to_a_workflow_and_stop_cleanly(
    split: tuple[Pinnace, list[Proc]], nats_url: str
) -> None:
    pinnace, procs = split
    port = _free_port()
    pinnace.call(lambda c: c.create(_eventsource(port), "default"))
    pinnace.call(lambda c: c.create(SENSOR, "default"))
    d = str(pinnace.data_dir)
    engine = Proc("run", "engine", "--data-dir", d)
    sensors = Proc("run", "sensors", "--nats-url", nats_url, "--data-dir", d)
    source = Proc("run", "eventsource", "hook", "--nats-url", nats_url, "--data-dir", d)
    procs += [engine, sensors, source]
    assert engine.ready("pinnace engine ready").startswith("pinnace engine ready api=https://127.0.0.1:")
    sensors.ready("pinnace sensors ready")
    assert source.ready("pinnace eventsource ready").split()[4:] == ["name=hook", f"nats={nats_url}"]

    seen: set[str] = set()
    name = _fire(pinnace, port, "split", seen)
    wf = pinnace.until(name, _finished)
    assert wf["status"]["phase"] == "Succeeded"
    assert pinnace.cli("logs", name).stdout.strip().endswith(": hello split")  # the engine's pod logs via the api

    # The other shapes of the event planes: every event source, one sensor by name.
    assert source.terminate() == 0, source.stderr
    assert sensors.terminate() == 0, sensors.stderr
    one_sensor = Proc("run", "sensor", "on-hook", "--nats-url", nats_url, "--data-dir", d)
    all_sources = Proc("run", "eventsources", "--nats-url", nats_url, "--data-dir", d)
    procs += [one_sensor, all_sources]
    one_sensor.ready("pinnace sensor ready")
    all_sources.ready("pinnace eventsources ready")
    second = _fire(pinnace, port, "again", seen)
    assert pinnace.until(second, _finished)["status"]["phase"] == "Succeeded"

    for proc in (all_sources, one_sensor, engine, procs[0]):
        assert proc.terminate() == 0, proc.stderr


def test_event_planes_need_a_reachable_api_and_nats(tmp_path: Path, nats_url: str) -> None:
    missing_nats = Proc("run", "sensors", "--data-dir", str(tmp_path))
    no_api = Proc("run", "engine", "--server", f"http://127.0.0.1:{_free_port()}", "--data-dir", str(tmp_path))
    try:
        assert missing_nats.wait() == 2  # argparse: --nats-url is required
        assert no_api.wait() == 1
        assert "cannot reach the API" in no_api.stderr
    finally:
        missing_nats.kill()
        no_api.kill()
