"""One pod as a supervised local process: argv, env, working dir, logs, result, outputs."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import shutil
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workflows.engine.model import DEADLINE_MESSAGE, RESULT_LIMIT, PodObservation, PodRequest
from workflows.pods import builtins
from workflows.pods.sandbox import Sandbox

KILL_GRACE = 2.0


class PodSetupError(Exception):
    pass


@dataclass
class PodRun:
    request: PodRequest
    root: Path
    obs: PodObservation
    proc: asyncio.subprocess.Process | None = None
    stop_message: str = ""
    tail: bytearray = field(default_factory=bytearray)
    # containerSet: every container's live process; ``admitted`` once capacity let the pod start.
    procs: dict[str, asyncio.subprocess.Process] = field(default_factory=dict)
    admitted: bool = False

    def live(self) -> list[asyncio.subprocess.Process]:
        procs = [self.proc] if self.proc is not None else []
        procs += [p for p in self.procs.values() if p is not self.proc]
        return [p for p in procs if p.returncode is None]

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    @property
    def work(self) -> Path:
        return self.root / "work"

    @property
    def log_path(self) -> Path:
        return self.root / "main.log"


def _container(tmpl: dict[str, Any]) -> dict[str, Any]:
    return dict(tmpl.get("container") or tmpl.get("script") or {})


def build_argv(run: PodRun, bin_dir: Path) -> list[str]:
    tmpl = run.request.template
    return container_argv(run, _container(tmpl), bin_dir, "script" in tmpl)


def container_argv(run: PodRun, ctr: dict[str, Any], bin_dir: Path, script: bool = False) -> list[str]:
    command = [str(c) for c in ctr.get("command") or []]
    args = [str(a) for a in ctr.get("args") or []]
    if not command:
        entry = builtins.entrypoint(str(ctr.get("image", "")))
        if entry is None:
            raise PodSetupError(
                f"container has no command and image {ctr.get('image', '')!r} has no built-in "
                "entrypoint here; set container.command"
            )
        command = entry
    argv = command + args
    if script:
        staged = run.root / "script"
        staged.write_text(str(ctr.get("source", "")))
        staged.chmod(0o755)
        argv.append(str(staged))
    return [_resolve_program(argv[0], bin_dir), *argv[1:]]


def _resolve_program(program: str, bin_dir: Path) -> str:
    if "/" in program:
        # An image entrypoint like /argosay that the host lacks: use the built-in stand-in.
        base = os.path.basename(program)
        if not os.path.exists(program) and base in builtins.SCRIPTS:
            return str(bin_dir / base)
        return program
    found = shutil.which(program, path=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    if found:
        return found
    if program in ("python", "python3"):
        return sys.executable
    return program


def build_env(run: PodRun, bin_dir: Path, sandbox: Sandbox, ctr: dict[str, Any] | None = None) -> dict[str, str]:
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(run.work),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "HOSTNAME": run.request.pod_name,
        "ARGO_POD_NAME": run.request.pod_name,
        "ARGO_NODE_ID": run.request.node_id,
        "ARGO_WORKFLOW_NAME": run.request.workflow,
        "PYTHONUNBUFFERED": "1",
    }
    if not sandbox.enabled:
        env["TMPDIR"] = str(run.tmp)
    for item in (ctr if ctr is not None else _container(run.request.template)).get("env") or []:
        if "name" in item and "value" in item:
            env[str(item["name"])] = str(item["value"])
    return env


def working_dir(run: PodRun, ctr: dict[str, Any] | None = None) -> Path:
    wd = (ctr if ctr is not None else _container(run.request.template)).get("workingDir")
    if not wd:
        return run.work
    path = Path(str(wd))
    if path.is_dir():
        return path
    private = run.root / "root" / str(wd).lstrip("/")
    private.mkdir(parents=True, exist_ok=True)
    return private


async def execute(run: PodRun, bin_dir: Path, sandbox: Sandbox, on_started: Callable[[], None] | None = None) -> None:
    """Run the pod to completion, filling ``run.obs``; ``on_started`` fires once it is Running."""
    run.tmp.mkdir(parents=True, exist_ok=True)
    run.work.mkdir(parents=True, exist_ok=True)
    try:
        argv = build_argv(run, bin_dir)
        env = build_env(run, bin_dir, sandbox)
        cwd = working_dir(run)
    except (PodSetupError, OSError) as err:
        _finish(run, 1, f"{err}")
        return
    with open(run.log_path, "ab") as log:  # noqa: ASYNC230 - opening a local file is immediate
        tail = run.tail if run.request.include_result else None
        code = await spawn(run, "main", argv, (env, cwd, sandbox, bin_dir.parent), log, tail, on_started)
    _finish(run, code, run.stop_message)


async def spawn(
    run: PodRun,
    name: str,
    argv: list[str],
    place: tuple[dict[str, str], Path, Sandbox, Path],
    log: Any,
    tail: bytearray | None,
    on_started: Callable[[], None] | None = None,
) -> int:
    """Run one container's process to its end; its exit code (128+signal when killed).

    ``place``: the process's environment, working directory, sandbox and the data directory.
    """
    env, cwd, sandbox, data_dir = place
    if run.stop_message:
        return 143  # killed before its process started
    try:
        proc = await asyncio.create_subprocess_exec(
            *sandbox.wrap(argv, run.tmp, data_dir),
            cwd=cwd,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as err:
        log.write(f"{err}\n".encode())
        return 127 if isinstance(err, FileNotFoundError) else 126
    run.procs[name] = proc
    if name == "main" and "containerSet" not in run.request.template:
        run.proc = proc
    if run.obs.phase != "Running":
        run.obs.phase = "Running"
        run.obs.started_at = dt.datetime.now(dt.UTC)
    if on_started is not None:
        on_started()
    assert proc.stdout is not None and proc.stderr is not None
    pumps = asyncio.gather(_pump(proc.stdout, log, tail), _pump(proc.stderr, log, None))
    code = await proc.wait()
    # The container ends with its main process: reap whatever it left behind.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    await pumps
    return 128 - code if code < 0 else code


async def _pump(stream: asyncio.StreamReader, log: Any, tail: bytearray | None) -> None:
    while chunk := await stream.read(65536):
        log.write(chunk)
        log.flush()
        if tail is not None:
            tail.extend(chunk)
            if len(tail) > 2 * RESULT_LIMIT:
                del tail[: len(tail) - RESULT_LIMIT]


def _finish(run: PodRun, code: int, message: str) -> None:
    obs = run.obs
    obs.exit_code = code
    obs.finished_at = dt.datetime.now(dt.UTC)
    obs.started_at = obs.started_at or obs.finished_at
    if run.request.include_result:
        text = bytes(run.tail[-RESULT_LIMIT:]).decode("utf-8", errors="replace")
        obs.result = text[:-1] if text.endswith("\n") else text
    obs.message = message
    obs.phase = "Succeeded" if code == 0 and not message else "Failed"
    if obs.phase == "Succeeded":
        collect_parameters(run)


def collect_parameters(run: PodRun) -> None:
    from workflows.pods.kubelet import current_sandbox

    sandbox = current_sandbox()
    for p in ((run.request.template.get("outputs") or {}).get("parameters")) or []:
        vf = p.get("valueFrom") or {}
        path = vf.get("path")
        if not path:
            continue
        host = sandbox.host_path(str(path), run.tmp, run.work) if sandbox else Path(str(path))
        try:
            text = host.read_text(errors="replace")
        except OSError:
            if "default" in vf:
                run.obs.parameters[p["name"]] = str(vf["default"])
                continue
            run.obs.parameter_error = f"open {path}: no such file or directory"
            continue
        run.obs.parameters[p["name"]] = text[:-1] if text.endswith("\n") else text


def signal_group(run: PodRun, sig: int) -> None:
    for proc in run.live():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)


async def terminate(run: PodRun, message: str, grace: float = KILL_GRACE) -> None:
    """SIGTERM the pod's whole process group, SIGKILL after ``grace`` (exit 143 / 137)."""
    run.stop_message = run.stop_message or message
    signal_group(run, signal.SIGTERM)
    procs = run.live()
    if not procs:
        return
    try:
        await asyncio.wait_for(asyncio.shield(asyncio.gather(*(p.wait() for p in procs))), grace)
    except TimeoutError:
        signal_group(run, signal.SIGKILL)


__all__ = ["DEADLINE_MESSAGE", "PodRun", "execute", "terminate"]
