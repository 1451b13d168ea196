"""``pinnace up`` as users run it: a real subprocess with an embedded nats-server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

WORKFLOW = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: hello
spec:
  entrypoint: main
  templates:
  - name: main
    container:
      image: alpine:3.6
      command: [echo, hello]
"""


class UpProcess:
    def __init__(self, data_dir: Path, *files: Path) -> None:
        args = [sys.executable, "-m", "pinnace", "up", "--data-dir", str(data_dir), "--port", "0"]
        for f in files:
            args += ["-f", str(f)]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True)
        self.ready = ""

    def wait_ready(self, timeout: float = 30.0) -> str:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            if line.startswith("pinnace ready"):
                self.ready = line.strip()
                return self.ready
        raise AssertionError(f"no ready line; stderr: {self.stderr_tail()}")

    def stderr_tail(self) -> str:
        if self.proc.poll() is None:
            return "(still running)"
        assert self.proc.stderr is not None
        return self.proc.stderr.read()[-2000:]

    def field(self, key: str) -> str:
        parts = dict(p.split("=", 1) for p in self.ready.split()[2:])
        return parts[key]

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


@pytest.fixture
def up_factory() -> Iterator[list[UpProcess]]:
    procs: list[UpProcess] = []
    yield procs
    for p in procs:
        p.kill()


def cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pinnace", *args, "--data-dir", str(data_dir)],
                          capture_output=True, text=True, timeout=60)


def test_up_runs_a_workflow_and_stops_cleanly_on_sigterm(tmp_path: Path, up_factory: list[UpProcess]) -> None:
    wf = tmp_path / "wf.yaml"
    wf.write_text(WORKFLOW)
    data = tmp_path / "data"
    up = UpProcess(data, wf)
    up_factory.append(up)
    line = up.wait_ready()
    assert line.startswith("pinnace ready api=http://127.0.0.1:")
    kubeconfig = Path(up.field("kubeconfig"))
    assert kubeconfig == data / "kubeconfig" and "token:" in kubeconfig.read_text()
    deadline = time.monotonic() + 20
    out = ""
    while time.monotonic() < deadline:
        out = cli(data, "get", "wf", "hello", "-o", "json").stdout
        if '"phase": "Succeeded"' in out:
            break
        time.sleep(0.2)
    assert '"phase": "Succeeded"' in out

    # A second `up` on the same data dir is refused and says who holds it.
    second = subprocess.run([sys.executable, "-m", "pinnace", "up", "--data-dir", str(data), "--port", "0"],
                            capture_output=True, text=True, timeout=60)
    assert second.returncode == 1
    assert "is in use by pinnace (pid" in second.stderr

    up.proc.send_signal(signal.SIGTERM)
    assert up.proc.wait(30) == 0
    nats_left = subprocess.run(["pgrep", "-f", str(data / "bus")], capture_output=True, text=True)
    assert nats_left.stdout.strip() == "", "the embedded nats-server outlived pinnace up"


def test_invalid_input_names_file_and_field_and_starts_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(WORKFLOW.replace("entrypoint: main", "entrypoint: missing"))
    proc = subprocess.run([sys.executable, "-m", "pinnace", "up", "--data-dir", str(tmp_path / "d"), "--port", "0",
                           "-f", str(bad)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert f"{bad}[doc 1]: spec.entrypoint: template 'missing' is not defined" in proc.stderr
    assert "nothing started" in proc.stderr
    assert "Traceback" not in proc.stderr
