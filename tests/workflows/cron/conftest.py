"""Controller fixtures: each test runs against MemoryClient and against the real SQLite store."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # cron_harness, under --import-mode=importlib

from cron_harness import Backend

from pinnace.resources.memory import MemoryClient
from pinnace.store.local import LocalClient
from pinnace.store.store import Store
from workflows.cron.clock import ManualClock

UTC = dt.UTC


@pytest.fixture(params=["memory", "sqlite"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    if request.param == "memory":
        memory = MemoryClient()
        yield Backend(lambda: memory)
        return
    store = await Store.open(tmp_path / "data")
    try:
        yield Backend(lambda: LocalClient(store))
    finally:
        await store.close()


@pytest.fixture
def clock() -> ManualClock:
    # Near the real time, because the API stamps creationTimestamp (the @every anchor) from it.
    start = dt.datetime.now(UTC).replace(second=30, microsecond=0)
    return ManualClock(start)


