"""The API plane: the SQLite store, the Kubernetes-compatible HTTP API and workflow TTL collection."""

from __future__ import annotations

import asyncio
import contextlib

from pinnace.api.auth import load_or_create_token
from pinnace.api.server import ApiConfig, ApiServer
from pinnace.store.local import LocalClient
from pinnace.store.store import Store
from pinnace.store.ttl import collect_forever


class ApiPlane:
    name = "api"

    def __init__(self, config: ApiConfig) -> None:
        self.config = config
        self.store: Store | None = None
        self.server: ApiServer | None = None
        self._gc: asyncio.Task[None] | None = None

    @property
    def client(self) -> LocalClient:
        if self.store is None:
            raise RuntimeError("the api plane is not started")
        return LocalClient(self.store)

    async def start(self) -> None:
        self.store = await Store.open(self.config.data_dir, max_active_workflows=self.config.max_active_workflows)
        token = load_or_create_token(self.config.data_dir)
        self.server = ApiServer(self.store, token, self.config)
        await self.server.start()
        self._gc = asyncio.create_task(collect_forever(self.store, self.config.gc_interval), name="workflow-ttl-gc")

    async def stop(self) -> None:
        gc, self._gc = self._gc, None
        if gc is not None:
            gc.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await gc
        server, self.server = self.server, None
        if server is not None:
            await server.stop()
        store, self.store = self.store, None
        if store is not None:
            await store.close()
