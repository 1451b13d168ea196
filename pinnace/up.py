"""``pinnace up``: every plane in one process on an embedded default.

Order matters. Up: data-dir lock → bus → API (store) → apply the given files → engine → sensors →
event sources, so nothing accepts an event before there is somewhere to send it. Down runs in
reverse: event sources stop accepting first, the store closes last.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pinnace.api.server import DEFAULT_PORT, ApiConfig
from pinnace.commands.apply import apply_one, check_documents
from pinnace.datadir import DataDir
from pinnace.planes.api import ApiPlane
from pinnace.planes.bus import BusPlane
from pinnace.planes.deferred import Deferred
from pinnace.planes.engine import EnginePlane
from pinnace.planes.events import eventsource_plane, sensor_plane
from pinnace.planes.supervisor import Supervisor
from pinnace.resources.client import ResourceClient
from pinnace.resources.documents import Document, read_paths
from pinnace.store.admission import DEFAULT_LIMIT as DEFAULT_ACTIVE_LIMIT

log = logging.getLogger("pinnace.up")

# Referenced objects first, so a Sensor or Workflow never starts before what it reads exists.
APPLY_ORDER = ("Namespace", "Secret", "ConfigMap", "EventBus", "WorkflowTemplate", "ClusterWorkflowTemplate",
               "CronWorkflow", "Sensor", "EventSource", "Workflow")


class UpError(Exception):
    """``pinnace up`` cannot start; the message says why and what to do."""


@dataclass
class UpConfig:
    data_dir: Path
    paths: list[str] = field(default_factory=list)
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    nats_url: str | None = None
    allow_remote: bool = False
    tls: bool = True
    tls_port: int | None = None  # default: port + 1 (any free port when port is 0)
    max_active_workflows: int = DEFAULT_ACTIVE_LIMIT  # see pinnace.store.admission


def load_documents(paths: list[str]) -> list[Document]:
    """Every document in ``paths``, or UpError listing each problem with its file and field."""
    docs = list(read_paths(paths))
    problems = check_documents(docs)
    if problems:
        raise UpError("invalid input, nothing started:\n" + "\n".join(problems))
    rank = {kind: i for i, kind in enumerate(APPLY_ORDER)}
    return sorted(docs, key=lambda d: rank.get(str(d.content.get("kind")), len(rank)))


async def apply_documents(client: ResourceClient, docs: list[Document]) -> None:
    for doc in docs:
        # apply_one only uses the ResourceClient protocol, so the in-process client serves.
        line = await apply_one(client, copy.deepcopy(doc.content), None)  # type: ignore[arg-type]
        log.info("%s (%s)", line, doc.where)


class _Apply:
    name = "apply"

    def __init__(self, client: ResourceClient, docs: list[Document]) -> None:
        self._client = client
        self._docs = docs

    async def start(self) -> None:
        await apply_documents(self._client, self._docs)

    async def stop(self) -> None:
        pass


class Up:
    def __init__(self, config: UpConfig) -> None:
        self.config = config
        self.data_dir = DataDir(config.data_dir)
        self._docs: list[Document] = []
        self.bus = BusPlane(self.data_dir.root / "bus", config.nats_url)
        tls_port = config.tls_port if config.tls_port is not None else (config.port + 1 if config.port else 0)
        self.api = ApiPlane(ApiConfig(self.data_dir.root, host=config.host, port=config.port,
                                      allow_remote=config.allow_remote, tls=config.tls, tls_port=tls_port,
                                      max_active_workflows=config.max_active_workflows))
        self.supervisor = Supervisor([
            self.bus,
            self.api,
            # Applied before the planes that run them start, so `pinnace ready` means the
            # given event sources listen and the given sensors consume.
            Deferred("apply", lambda: _Apply(self.api.client, self._docs)),
            Deferred("engine", lambda: EnginePlane(self.api.client, self.data_dir.root)),
            Deferred("sensors", lambda: sensor_plane(self.api.client, self.bus.bus)),
            Deferred("eventsources", lambda: eventsource_plane(self.api.client, self.bus.bus, config.host)),
        ])

    async def run(self, on_ready: Callable[[Up], None], stop: asyncio.Event) -> None:
        self._docs = load_documents(self.config.paths)
        self.data_dir.acquire()
        try:
            await self.supervisor.start()
            on_ready(self)
            await stop.wait()
            log.info("shutting down")
        finally:
            await self.supervisor.stop()
            self.data_dir.release()

    @property
    def ready_line(self) -> str:
        server = self.api.server
        assert server is not None
        return f"pinnace ready api={server.url} kubeconfig={server.kubeconfig} nats={self.bus.url}"


def install_signal_handlers(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
