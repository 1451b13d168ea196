"""One real ``pinnace up`` (subprocess, free port, temp data dir) shared by the CLI tests, the real
CLI run as a subprocess against it, and a small in-process client to set up and inspect state."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bus.testing import nats_server, nats_url
from pinnace.apiclient.config import resolve_connection
from pinnace.apiclient.http import HttpClient
from pinnace.commands.submit import follow_workflow

__all__ = ["nats_server", "nats_url"]

Obj = dict[str, Any]

WORKFLOW_TEMPLATE = """
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: greet
spec:
  entrypoint: main
  arguments:
    parameters:
    - name: who
      value: nobody
  templates:
  - name: main
    inputs:
      parameters:
      - name: who
    container:
      image: alpine:3.6
      command: [echo]
      args: ["hello {{inputs.parameters.who}}"]
"""


class Proc:
    """A ``pinnace`` subprocess in its own session; ``ready(prefix)`` reads stdout up to that line."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "pinnace", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, start_new_session=True)
        self.line = ""
        self._err: list[str] = []
        self._reader = threading.Thread(target=self._drain_stderr, daemon=True)
        self._reader.start()

    def _drain_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self._err.append(line)

    @property
    def stderr(self) -> str:
        return "".join(self._err[-40:])

    def ready(self, prefix: str, timeout: float = 30.0) -> str:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            if line.startswith(prefix):
                self.line = line.strip()
                return self.line
        self.kill()
        raise AssertionError(f"no {prefix!r} line; stderr:\n{self.stderr}")

    def field(self, key: str) -> str:
        return dict(p.split("=", 1) for p in self.line.split() if "=" in p)[key]

    def wait(self, timeout: float = 30.0) -> int:
        """The exit code, once the process and its stderr are done."""
        code = self.proc.wait(timeout)
        self._reader.join(timeout)
        return code

    def terminate(self, timeout: float = 20.0) -> int:
        """SIGTERM, then the exit code (the process must stop on its own)."""
        self.proc.send_signal(signal.SIGTERM)
        return self.wait(timeout)

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


@dataclass
class Pinnace:
    """The running ``pinnace up`` and the ways tests talk to it."""

    data_dir: Path
    work: Path
    proc: Proc
    _count: list[int] = field(default_factory=lambda: [0])

    def cli(self, *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pinnace", *args, "--data-dir", str(self.data_dir)],
                              capture_output=True, text=True, timeout=timeout)

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "pinnace", *args, "--data-dir", str(self.data_dir)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def write(self, text: str) -> Path:
        self._count[0] += 1
        path = self.work / f"doc-{self._count[0]}.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    def call(self, fn: Callable[[HttpClient], Any]) -> Any:
        async def run() -> Any:
            async with HttpClient(resolve_connection(data_dir=str(self.data_dir))) as client:
                return await fn(client)

        return asyncio.run(run())

    def get(self, name: str) -> Obj:
        result: Obj = self.call(lambda c: c.get("Workflow", name, "default"))
        return result

    def until(self, name: str, check: Callable[[Obj], bool], timeout: float = 30.0) -> Obj:
        """The workflow once ``check`` holds, through the watch API (raises on timeout)."""

        async def wait(client: HttpClient) -> Obj:
            hit: list[Obj] = []

            def seen(wf: Obj) -> None:
                if check(wf) and not hit:
                    hit.append(wf)
                    raise _Found()

            try:
                async with asyncio.timeout(timeout):
                    await follow_workflow(client, name, "default", seen)
            except _Found:
                return hit[0]
            raise AssertionError(f"workflow {name} finished without meeting the condition")

        result: Obj = self.call(wait)
        return result


class _Found(Exception):
    pass


def node_named(wf: Obj, display: str) -> Obj | None:
    for node in (wf.get("status") or {}).get("nodes", {}).values():
        if node.get("displayName") == display:
            return dict(node)
    return None


@pytest.fixture(scope="session")
def pinnace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pinnace]:
    root = tmp_path_factory.mktemp("cli")
    files = root / "files"
    files.mkdir()
    (files / "greet.yaml").write_text(WORKFLOW_TEMPLATE, encoding="utf-8")
    proc = Proc("up", "--data-dir", str(root / "data"), "--port", "0", "-f", str(files))
    proc.ready("pinnace ready")
    work = root / "work"
    work.mkdir()
    yield Pinnace(root / "data", work, proc)
    code = proc.terminate()
    proc.kill()
    assert code == 0, proc.stderr
