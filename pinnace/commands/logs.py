"""``pinnace logs WORKFLOW [POD] [--step NAME] [-f] [-c CONTAINER] [--tail N]``, as ``argo logs``.

Each pod's log comes from the API's Kubernetes pod-log endpoint and is printed line by line as
``<pod name>: <line>``. Without ``-f`` pods are printed one after another in the order they
started; with ``-f`` the workflow is watched, every pod is followed as soon as it appears, and the
command ends once the workflow has finished and every log is drained.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from collections.abc import Callable
from typing import Any

import aiohttp

from pinnace.apiclient.config import Connection
from pinnace.apiclient.http import HttpClient, error_from_status
from pinnace.apiclient.options import add_client_arguments, client_from_args
from pinnace.cli import Command, CommandError, register
from pinnace.commands.submit import follow_workflow
from pinnace.render.tree import pod_name
from pinnace.resources.errors import ApiError, BadRequest, NotFound, Unavailable

Obj = dict[str, Any]
COLORS = (32, 33, 34, 35, 36, 91, 92, 93, 94, 95, 96)
_ATTEMPT = re.compile(r"\(\d+\)$")


def pods_of(wf: Obj) -> list[tuple[str, Obj]]:
    """(pod name, node) for every pod node, in the order the pods started."""
    nodes: dict[str, Obj] = (wf.get("status") or {}).get("nodes") or {}
    pods = [(pod_name(wf, n), n) for n in nodes.values() if n.get("type") == "Pod"]
    # Stable: nodes started in the same second keep the engine's creation order.
    return sorted(pods, key=lambda item: str(item[1].get("startedAt") or "~"))


def step_matches(node: Obj, step: str) -> bool:
    """A step or task by display name (any retry attempt of it) or full node name."""
    display = str(node.get("displayName") or "")
    return step in (display, _ATTEMPT.sub("", display), node.get("name"))


class LogReader:
    """Raw pod-log requests (the body is log text, never JSON to decode)."""

    def __init__(self, conn: Connection) -> None:
        headers = {"User-Agent": "pinnace"}
        if conn.token:
            headers["Authorization"] = f"Bearer {conn.token}"
        self.conn = conn
        self.session = aiohttp.ClientSession(conn.server, headers=headers,
                                             connector=aiohttp.TCPConnector(ssl=conn.ssl_context()))

    async def close(self) -> None:
        await self.session.close()

    async def stream(self, namespace: str, pod: str, params: dict[str, str],
                     on_line: Callable[[str], None]) -> None:
        path = f"/api/v1/namespaces/{namespace}/pods/{pod}/log"
        try:
            async with self.session.get(path, params=params, timeout=aiohttp.ClientTimeout(total=None)) as resp:
                if resp.status >= 400:
                    raise error_from_status(resp.status, await resp.json(content_type=None))
                pending = b""
                async for chunk in resp.content.iter_any():
                    pending += chunk
                    *lines, pending = pending.split(b"\n")
                    for line in lines:
                        on_line(line.decode("utf-8", "replace"))
                if pending:
                    on_line(pending.decode("utf-8", "replace"))
        except aiohttp.ClientConnectionError as exc:
            raise Unavailable(f"the log stream of pod {pod} was cut ({exc})") from None


class Printer:
    def __init__(self, color: bool) -> None:
        self.color = color
        self._colors: dict[str, int] = {}

    def line(self, pod: str) -> Callable[[str], None]:
        code = self._colors.setdefault(pod, COLORS[len(self._colors) % len(COLORS)])
        prefix = f"\x1b[{code}m{pod}:\x1b[0m" if self.color else f"{pod}:"

        def out(text: str) -> None:
            sys.stdout.write(f"{prefix} {text}\n")
            sys.stdout.flush()

        return out


async def resolve_name(client: HttpClient, name: str, namespace: str) -> str:
    """``@latest`` is the most recently created workflow, as in ``argo``."""
    if name != "@latest":
        return name
    items = await client.list("Workflow", namespace)
    if not items:
        raise CommandError(f"no workflows in namespace {namespace}")
    return str(max(items, key=lambda w: str(w["metadata"].get("creationTimestamp") or ""))["metadata"]["name"])


class WorkflowLogs:
    def __init__(self, reader: LogReader, args: argparse.Namespace, namespace: str) -> None:
        self.reader, self.args, self.namespace = reader, args, namespace
        self.printer = Printer(color=sys.stdout.isatty() and not args.no_color)
        self.params = {"container": args.container}
        if args.tail is not None:
            self.params["tailLines"] = str(args.tail)
        self.started: dict[str, asyncio.Task[None]] = {}

    def wanted(self, wf: Obj) -> list[str]:
        pods = [(pod, node) for pod, node in pods_of(wf)
                if (not self.args.pod or pod == self.args.pod)
                and (not self.args.step or step_matches(node, self.args.step))]
        return [pod for pod, _ in pods]

    async def once(self, wf: Obj) -> None:
        for pod in self.wanted(wf):
            try:
                await self.reader.stream(self.namespace, pod, self.params, self.printer.line(pod))
            except (BadRequest, NotFound):
                continue  # not started yet, or gone: nothing to show, as argo skips it

    async def follow(self, client: HttpClient, name: str) -> None:
        params = {**self.params, "follow": "true"}

        def on_change(wf: Obj) -> None:
            for pod in self.wanted(wf):
                if pod not in self.started:
                    coro = self.reader.stream(self.namespace, pod, params, self.printer.line(pod))
                    self.started[pod] = asyncio.create_task(coro, name=f"log-{pod}")

        await follow_workflow(client, name, self.namespace, on_change)
        results = await asyncio.gather(*self.started.values(), return_exceptions=True)
        for res in results:
            if isinstance(res, Unavailable):
                raise res


def _check_selection(wf: Obj, args: argparse.Namespace, logs: WorkflowLogs) -> None:
    """Name a missing step or pod, unless the workflow may still create it (``-f``)."""
    if logs.wanted(wf) or not (args.step or args.pod):
        return
    if args.follow and (wf.get("status") or {}).get("phase") not in ("Succeeded", "Failed", "Error"):
        return
    what = f"step {args.step!r}" if args.step else f"pod {args.pod!r}"
    raise CommandError(f"workflow {wf['metadata']['name']} has no {what}; `pinnace get wf "
                       f"{wf['metadata']['name']}` lists its steps and pods")


async def _logs(args: argparse.Namespace) -> int:
    async with client_from_args(args) as client:
        ns = args.namespace or client.conn.namespace
        name = await resolve_name(client, args.workflow, ns)
        try:
            wf = await client.get("Workflow", name, ns)
        except NotFound:
            raise CommandError(f'workflows.argoproj.io "{name}" not found') from None
        reader = LogReader(client.conn)
        try:
            logs = WorkflowLogs(reader, args, ns)
            _check_selection(wf, args, logs)
            if args.follow:
                await logs.follow(client, name)
            else:
                await logs.once(wf)
        finally:
            await reader.close()
    return 0


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("workflow", metavar="WORKFLOW", help="workflow name, or @latest")
    p.add_argument("pod", nargs="?", metavar="POD", help="only this pod")
    p.add_argument("--step", metavar="NAME", help="only the pods of this step or task (by display name)")
    p.add_argument("-f", "--follow", action="store_true", help="stream new lines until the workflow finishes")
    p.add_argument("-c", "--container", default="main", help="container (default: main)")
    p.add_argument("--tail", type=int, metavar="N", help="only the last N lines of each pod")
    p.add_argument("--no-color", action="store_true", help="no colored pod names on a terminal")
    add_client_arguments(p)


def _run(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_logs(args))
    except ApiError as exc:
        raise CommandError(exc.message) from None


register(Command("logs", "Print the logs of a workflow's pods (-f to follow until it finishes).", _configure, _run))
