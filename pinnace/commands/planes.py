"""The split-deployment planes of ``pinnace run``: ``engine``, ``eventsource NAME``, ``sensor NAME``,
``eventsources``, ``sensors``.

Each connects to a shared API (``--server``/``--token``/``--kubeconfig``/``--data-dir``, or
``--in-cluster`` inside a pod) and, for the event planes, to a NATS cluster (``--nats-url``), runs
the same plane ``pinnace up`` runs, prints ``pinnace <plane> ready ...`` and stops cleanly on
SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import builtins
import os
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pinnace.apiclient.config import Connection
from pinnace.apiclient.http import HttpClient
from pinnace.apiclient.options import add_client_arguments, connection_from_args
from pinnace.cli import CommandError
from pinnace.commands.run import Plane, register_plane
from pinnace.datadir import DataDir, resolve
from pinnace.resources.client import Obj, WatchEvent
from pinnace.resources.errors import ApiError

SERVICE_ACCOUNT = Path("/var/run/secrets/kubernetes.io/serviceaccount")


def in_cluster_connection(root: Path = SERVICE_ACCOUNT, env: dict[str, str] | None = None) -> Connection:
    """The pod's service account: ``$KUBERNETES_SERVICE_HOST``, its token, CA and namespace."""
    env = dict(os.environ) if env is None else env
    host, port = env.get("KUBERNETES_SERVICE_HOST"), env.get("KUBERNETES_SERVICE_PORT", "443")
    if not host:
        raise CommandError("--in-cluster: KUBERNETES_SERVICE_HOST is not set; this is not a Kubernetes pod "
                           "(use --server or --kubeconfig)")
    try:
        token = (root / "token").read_text(encoding="utf-8").strip()
        ca = (root / "ca.crt").read_bytes()
    except OSError as exc:
        raise CommandError(f"--in-cluster: cannot read the service account in {root}: {exc.strerror}") from None
    ns_file = root / "namespace"
    namespace = ns_file.read_text(encoding="utf-8").strip() if ns_file.exists() else "default"
    shown = f"[{host}]" if ":" in host else host
    return Connection(f"https://{shown}:{port}", token=token, ca_pem=ca, namespace=namespace)


class OneResource:
    """A ResourceClient whose list/watch of ``kind`` see only the object named ``name``.

    Lets the generic per-kind worker pool run a single EventSource or Sensor; every other call
    (a trigger creating a Workflow, a source reading a Secret) goes through unchanged.
    """

    def __init__(self, inner: HttpClient, kind: str, name: str) -> None:
        self.inner, self.kind, self.name = inner, kind, name

    def _mine(self, kind: str, obj: Obj) -> bool:
        return kind != self.kind or (obj.get("metadata") or {}).get("name") == self.name

    async def list(
        self, kind: str, namespace: str | None = "default", label_selector: str | None = None
    ) -> builtins.list[Obj]:
        return [o for o in await self.inner.list(kind, namespace, label_selector) if self._mine(kind, o)]

    async def watch(self, kind: str, namespace: str | None = "default",
                    resource_version: str | None = None) -> AsyncIterator[WatchEvent]:
        async for ev in self.inner.watch(kind, namespace, resource_version):
            if ev.type == "BOOKMARK" or self._mine(kind, ev.object):
                yield ev

    async def get(self, kind: str, name: str, namespace: str | None = "default") -> Obj:
        return await self.inner.get(kind, name, namespace)

    async def create(self, obj: Obj, namespace: str | None = "default") -> Obj:
        return await self.inner.create(obj, namespace)

    async def update(self, obj: Obj) -> Obj:
        return await self.inner.update(obj)

    async def update_status(self, obj: Obj) -> Obj:
        return await self.inner.update_status(obj)

    async def patch(self, kind: str, name: str, patch: Obj, namespace: str | None = "default") -> Obj:
        return await self.inner.patch(kind, name, patch, namespace)

    async def delete(self, kind: str, name: str, namespace: str | None = "default") -> None:
        await self.inner.delete(kind, name, namespace)


@dataclass
class Context:
    """What every plane gets: the API client, where to watch, the local data dir, the NATS URL."""

    args: argparse.Namespace
    client: HttpClient
    namespace: str | None
    data_dir: Path
    nats_url: str


Build = Callable[[Context], tuple[list[Any], str]]  # → (planes in start order, ready-line suffix)


def _engine(ctx: Context) -> tuple[list[Any], str]:
    from pinnace.planes.engine import EnginePlane

    # The same layout as ``pinnace up``, so an api plane on this data dir serves these pods' logs.
    return [EnginePlane(ctx.client, DataDir(ctx.data_dir).root)], ""


def _eventsource_workers(client: Any, bus: Any, args: argparse.Namespace) -> Any:
    from pinnace.planes.events import eventsource_plane

    return eventsource_plane(client, bus, args.host)


def _sensor_workers(client: Any, bus: Any, args: argparse.Namespace) -> Any:
    from pinnace.planes.events import sensor_plane

    return sensor_plane(client, bus)


WORKERS: dict[str, Callable[[Any, Any, argparse.Namespace], Any]] = {
    "EventSource": _eventsource_workers,
    "Sensor": _sensor_workers,
}


def _event_planes(kind: str, single: bool) -> Build:
    def build(ctx: Context) -> tuple[list[Any], str]:
        from pinnace.planes.bus import BusPlane
        from pinnace.planes.deferred import Deferred

        bus = BusPlane(ctx.data_dir / "bus", ctx.nats_url)
        client: Any = OneResource(ctx.client, kind, ctx.args.name) if single else ctx.client
        # Deferred: the workers need the bus connection, which exists only once the bus plane started.
        workers = Deferred(f"{kind.lower()}s", lambda: WORKERS[kind](client, bus.bus, ctx.args))
        suffix = f" name={ctx.args.name}" if single else ""
        return [bus, workers], f"{suffix} nats={ctx.nats_url}"

    return build


async def _check_api(ctx: Context, kind: str) -> None:
    """Fail now when the API is unreachable or refuses us; warn about a named resource not there yet."""
    items = await ctx.client.list(kind, ctx.namespace)
    name = getattr(ctx.args, "name", None)
    if name and not any(o["metadata"]["name"] == name for o in items):
        where = f"namespace {ctx.namespace}" if ctx.namespace else "any namespace"
        print(f"pinnace: {kind} {name} does not exist in {where} yet; it starts once created", file=sys.stderr)


async def _serve(plane: str, kind: str, build: Build, args: argparse.Namespace) -> None:
    from pinnace.planes.supervisor import Supervisor
    from pinnace.up import install_signal_handlers

    conn = in_cluster_connection() if args.in_cluster else connection_from_args(args)
    stop = asyncio.Event()
    install_signal_handlers(stop)
    async with HttpClient(conn) as client:
        ctx = Context(args, client, args.namespace, resolve(args.data_dir), getattr(args, "nats_url", "") or "")
        await _check_api(ctx, kind)
        planes, suffix = build(ctx)
        async with Supervisor(planes):
            print(f"pinnace {plane} ready api={conn.server}{suffix}", flush=True)
            await stop.wait()


def _runner(plane: str, kind: str, build: Build) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        from bus.errors import BusError

        try:
            asyncio.run(_serve(plane, kind, build, args))
        except ApiError as exc:
            raise CommandError(exc.message) from None
        except BusError as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"{plane}: {exc}") from None
        return 0

    return run


def _configure(kind: str, *, named: bool, nats: bool) -> Callable[[argparse.ArgumentParser], None]:
    def configure(p: argparse.ArgumentParser) -> None:
        if named:
            p.add_argument("name", metavar="NAME", help=f"the {kind} to run")
        if nats:
            p.add_argument("--nats-url", required=True, help="NATS (JetStream) URL(s) shared by every plane, "
                           "e.g. nats://nats:4222")
        if kind == "EventSource":
            p.add_argument("--host", default="127.0.0.1",
                           help="address event-source listeners bind (0.0.0.0 inside a container)")
        p.add_argument("--in-cluster", action="store_true",
                       help="connect to the Kubernetes API with this pod's service account")
        add_client_arguments(p)

    return configure


PLANES = (
    ("engine", "Workflow", "Run the workflow engine (controller and pod runner) against a shared API.",
     _engine, False, False),
    ("eventsource", "EventSource", "Run one EventSource (by name) against a shared API and NATS.",
     _event_planes("EventSource", True), True, True),
    ("eventsources", "EventSource", "Run every EventSource against a shared API and NATS.",
     _event_planes("EventSource", False), False, True),
    ("sensor", "Sensor", "Run one Sensor (by name) against a shared API and NATS.",
     _event_planes("Sensor", True), True, True),
    ("sensors", "Sensor", "Run every Sensor against a shared API and NATS.",
     _event_planes("Sensor", False), False, True),
)

for _name, _kind, _help, _build, _named, _nats in PLANES:
    register_plane(Plane(_name, _help, _configure(_kind, named=_named, nats=_nats), _runner(_name, _kind, _build)))
