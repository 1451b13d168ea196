"""Drive a real ``pinnace up`` subprocess the way users do: CLI, API, webhook port.

``UpProcess`` starts ``python -m pinnace up`` in its own process group on a data dir with a free
API port, waits for the ``pinnace ready`` line and exposes the API URL, kubeconfig and NATS URL.
``kill()`` is a real crash: it freezes the group (SIGSTOP, so nothing new is spawned), collects
every descendant — the embedded nats-server and the pods run in sessions of their own, so a
plain ``killpg`` would miss them — and SIGKILLs them all. ``up()`` is a context manager that
always does that in its ``finally``, so a failing test never leaks a process.

``tests/e2e/split.py`` does the same for a split deployment (one process per plane).

Also here: free ports, GitHub signatures, sync HTTP helpers, an API reader, RSS of a process
tree, and ``require_service`` (skip when a broker is absent, fail under ``CI=true``).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
WF_PATH = "/apis/argoproj.io/v1alpha1/namespaces/default/workflows"
DONE = ("Succeeded", "Failed", "Error")
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip when a broker is absent; under ``CI=true`` its absence is a failure."""
    if port_open(host, port):
        return
    message = f"{name} is not reachable on {host}:{port}"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{message} (CI=true: start it)")
    pytest.skip(message)


def github_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def http(method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None,
         timeout: float = 30.0, context: ssl.SSLContext | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=context) as resp:
            return int(resp.status), resp.read()
    except urllib.error.HTTPError as err:
        return int(err.code), err.read()


def wait_for(check: Callable[[], T | None], timeout: float, interval: float = 0.2, what: str = "condition") -> T:
    """Poll ``check`` until it returns something truthy; AssertionError naming ``what`` on timeout."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while True:
        last = check()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})")
        time.sleep(interval)


# --- processes -------------------------------------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: fields start after the last ')'.
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it, whatever session they moved to."""
    kids = _children_map()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def process_name(pid: int, root: int | None = None) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            argv = fh.read().split(b"\0")
    except OSError:
        return "?"
    words = [a.decode(errors="replace") for a in argv if a]
    if not words:
        return "?"
    if "nats-server" in Path(words[0]).name:
        return "nats-server"
    if pid == root:
        return "pinnace up"
    return "pods" if root is not None else Path(words[0]).name


def tree_rss(pid: int) -> dict[str, int]:
    """RSS (KiB) over the tree below ``pid``: ``pinnace up`` itself, ``nats-server``, ``pods`` (summed)."""
    out: dict[str, int] = {}
    for p in descendants(pid):
        kib = rss_kib(p)
        name = process_name(p, root=pid)
        if kib and name != "?":
            out[name] = out.get(name, 0) + kib
    return out


def processes_using(path: Path) -> list[int]:
    """Live processes whose argv or working directory mentions ``path`` (leak detector)."""
    needle = str(path)
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(f"/proc/{entry}/cwd")
            with open(f"/proc/{entry}/stat") as fh:
                state = fh.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and (needle in cmd or cwd.startswith(needle)):
            found.append(int(entry))
    return found


def kill_tree(pid: int) -> None:
    """SIGKILL ``pid``'s process group and every descendant, frozen first so none escapes."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGSTOP)
    tree = descendants(pid)
    for p in tree:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(p, signal.SIGSTOP)
    # A second pass catches anything forked between the first listing and its freeze.
    tree = list(dict.fromkeys(tree + descendants(pid)))
    for p in tree:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(p, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(p, signal.SIGKILL)


def port_listening(port: int) -> Callable[[], bool | None]:
    return lambda: port_open("127.0.0.1", port) or None


def await_ready_line(proc: subprocess.Popen[bytes], out_path: Path, prefix: str, wait_ports: tuple[int, ...],
                     timeout: float) -> str:
    """The first stdout line starting with ``prefix``, once ``wait_ports`` listen too; "" when the
    process exits or ``timeout`` passes first.

    The ready line comes before event sources bind their ports (see test_ready_line): waiting for
    them makes tests exercise the journeys, not that race.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = next((ln for ln in out_path.read_text().splitlines() if ln.startswith(prefix)), "")
        if line:
            for port in wait_ports:
                wait_for(port_listening(port), max(1.0, deadline - time.monotonic()), interval=0.02,
                         what=f"port {port}")
            return line
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    return ""


class ApiReader:
    """Reads a running deployment through its API and CLI: the bearer token from the data dir."""

    data_dir: Path

    @property
    def api(self) -> str:
        raise NotImplementedError

    @property
    def ssl_context(self) -> ssl.SSLContext | None:
        return None

    @property
    def token(self) -> str:
        return (self.data_dir / "token").read_text().strip()

    def request(self, method: str, path: str, body: Any = None, timeout: float = 30.0) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        status, raw = http(method, self.api + path, data, headers, timeout, self.ssl_context)
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw.decode(errors="replace")

    def workflows(self) -> list[dict[str, Any]]:
        status, body = self.request("GET", WF_PATH)
        assert status == 200, f"list workflows: {status} {body}"
        return list(body["items"])

    def workflow(self, name: str) -> dict[str, Any] | None:
        status, body = self.request("GET", f"{WF_PATH}/{name}")
        return body if status == 200 else None

    def wait_done(self, name: str, timeout: float = 60.0) -> dict[str, Any]:
        def done() -> dict[str, Any] | None:
            wf = self.workflow(name)
            return wf if wf and wf.get("status", {}).get("phase") in DONE else None
        return wait_for(done, timeout, what=f"workflow {name} to finish")

    def cli(self, *args: str, timeout: float = 120.0,
            input_text: str | None = None) -> subprocess.CompletedProcess[str]:
        return pinnace(*args, "--data-dir", str(self.data_dir), timeout=timeout, input_text=input_text)


# --- pinnace up ------------------------------------------------------------------------------


class UpProcess(ApiReader):
    """One ``pinnace up`` subprocess; stdout/stderr go to files beside the data dir."""

    def __init__(self, data_dir: Path, files: list[Path], *, extra: list[str] | None = None,
                 env: dict[str, str] | None = None, cwd: Path | None = None,
                 wait_ports: tuple[int, ...] = ()) -> None:
        self.data_dir = data_dir
        self.wait_ports = wait_ports
        self.files = files
        self.extra = extra or []
        self.env = env
        self.cwd = cwd or data_dir.parent
        self.proc: subprocess.Popen[bytes] | None = None
        self.fields: dict[str, str] = {}
        self.starts = 0

    @property
    def log_path(self) -> Path:
        return self.data_dir.parent / f"{self.data_dir.name}-up-{self.starts}.log"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 60.0) -> UpProcess:
        """Launch and return once the ready line is printed and every ``wait_ports`` port listens."""
        self.starts += 1
        args = [sys.executable, "-m", "pinnace", "up", "--data-dir", str(self.data_dir), "--port", "0", *self.extra]
        for f in self.files:
            args += ["-f", str(f)]
        out_path = self.log_path.with_suffix(".out")
        env = {**os.environ, **(self.env or {})}
        with open(out_path, "wb") as out, open(self.log_path, "wb") as err:
            self.proc = subprocess.Popen(args, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env,
                                         cwd=self.cwd, start_new_session=True)
        line = await_ready_line(self.proc, out_path, "pinnace ready", self.wait_ports, timeout)
        if line:
            self.fields = dict(p.split("=", 1) for p in line.split()[2:] if "=" in p)
            return self
        tail = self.log_tail()
        self.kill()
        raise AssertionError(f"pinnace up never printed its ready line; stderr tail:\n{tail}")

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    @property
    def api(self) -> str:
        return self.fields["api"]

    @property
    def kubeconfig(self) -> str:
        return self.fields["kubeconfig"]

    @property
    def nats(self) -> str:
        return self.fields.get("nats", "")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """The crash: SIGKILL the whole tree (process group, nats-server, pods)."""
        if self.proc is None:
            return
        kill_tree(self.proc.pid)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(10)
        self._reap_leftovers()

    def stop(self, timeout: float = 60.0) -> int:
        """SIGTERM, as a user's Ctrl-C; the exit code (the tree is SIGKILLed if it hangs)."""
        assert self.proc is not None
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"pinnace up did not stop within {timeout}s; log tail:\n{self.log_tail()}") from None
        self._reap_leftovers()
        return code

    def rss(self) -> dict[str, int]:
        assert self.proc is not None
        return tree_rss(self.proc.pid)

    def _reap_leftovers(self) -> None:
        # Orphans (pods of a killed up) are reparented away from us: find them by their data dir.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            left = processes_using(self.data_dir)
            if not left:
                return
            for p in left:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(p, signal.SIGKILL)
            time.sleep(0.1)

def pinnace(*args: str, timeout: float = 120.0, input_text: str | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pinnace", *args], capture_output=True, text=True,
                          timeout=timeout, input=input_text, cwd=cwd)


@contextlib.contextmanager
def up(data_dir: Path, *files: Path, extra: list[str] | None = None, env: dict[str, str] | None = None,
       start: bool = True, wait_ports: tuple[int, ...] = ()) -> Iterator[UpProcess]:
    """A started ``pinnace up``; whatever happens, its whole tree is gone afterwards."""
    proc = UpProcess(data_dir, list(files), extra=extra, env=env, wait_ports=wait_ports)
    try:
        if start:
            proc.start()
        yield proc
    finally:
        proc.kill()


def node_outputs(wf: dict[str, Any], display_name: str) -> dict[str, Any]:
    """``outputs`` of the pod node named ``display_name`` (Argo's status shape)."""
    for node in wf.get("status", {}).get("nodes", {}).values():
        if node.get("displayName") == display_name and node.get("type") == "Pod":
            return dict(node.get("outputs") or {})
    names = sorted(n.get("displayName", "") for n in wf.get("status", {}).get("nodes", {}).values())
    raise AssertionError(f"no pod node {display_name!r} in {names}")


def output_param(wf: dict[str, Any], display_name: str, param: str) -> str:
    for p in node_outputs(wf, display_name).get("parameters", []):
        if p.get("name") == param:
            return str(p.get("value"))
    raise AssertionError(f"node {display_name!r} has no output parameter {param!r}: {node_outputs(wf, display_name)}")
