"""A real API server on a free loopback port, run on its own event loop in a thread.

The ``kubernetes`` client and ``kubectl`` are synchronous, so the server cannot share the
test's loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pinnace.api.auth import load_or_create_token
from pinnace.api.server import ApiConfig, ApiServer
from pinnace.store.store import Store


@dataclass
class RunningApi:
    url: str
    token: str
    data_dir: Path
    kubeconfig: Path
    server: ApiServer
    loop: asyncio.AbstractEventLoop


def start_api(data_dir: Path, **config: object) -> tuple[RunningApi, threading.Event, threading.Thread]:
    ready: dict[str, RunningApi] = {}
    started = threading.Event()
    stop = threading.Event()
    failure: list[BaseException] = []

    async def main() -> None:
        token = load_or_create_token(data_dir)
        cfg = ApiConfig(data_dir, port=0, bookmark_interval=0.3, **config)  # type: ignore[arg-type]
        opened = await Store.open(data_dir, max_active_workflows=cfg.max_active_workflows)
        async with opened as store, ApiServer(store, token, cfg) as server:
            assert server.kubeconfig is not None
            ready["api"] = RunningApi(server.url, token, data_dir, server.kubeconfig, server,
                                      asyncio.get_running_loop())
            started.set()
            await asyncio.to_thread(stop.wait)

    def run() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:
            failure.append(exc)
            started.set()

    thread = threading.Thread(target=run, name="api-under-test", daemon=True)
    thread.start()
    started.wait(30)
    if failure:
        raise failure[0]
    return ready["api"], stop, thread


@pytest.fixture
def api(tmp_path: Path) -> Iterator[RunningApi]:
    running, stop, thread = start_api(tmp_path / "data")
    yield running
    stop.set()
    thread.join(30)


WORKFLOW = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "Workflow",
    "metadata": {"generateName": "hello-", "labels": {"team": "a"}},
    "spec": {"entrypoint": "main", "templates": [{"name": "main", "container": {"image": "alpine",
                                                                                "command": ["echo", "hi"]}}]},
}
