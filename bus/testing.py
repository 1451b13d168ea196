"""Pytest fixtures for code that needs a bus; reuse them from any test folder's conftest.py::

    from bus.testing import jetstream_bus, memory_bus, nats_server, nats_url  # noqa: F401

``nats_server`` is one embedded nats-server (a real one, on a free loopback port, never the
system server at 4222) shared by the whole session; ``jetstream_bus`` gives each test its own
stream on it, so tests do not see each other's events. ``own_nats_server`` is a private
server for tests that stop, kill or restart it.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from bus.embedded import EmbeddedNats
from bus.jetstream import JetStreamBus
from bus.memory import MemoryBus
from bus.settings import StreamSettings


def unique_name(prefix: str = "t") -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def test_stream(name: str | None = None, **limits: object) -> StreamSettings:
    """Settings for a throw-away stream: one replica, short duplicate window unless given."""
    fields: dict[str, object] = {"name": name or unique_name(), "replicas": 1, **limits}
    return StreamSettings(**fields)  # type: ignore[arg-type]


test_stream.__test__ = False  # type: ignore[attr-defined]  # not a test, despite its name


@pytest.fixture(scope="session")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedNats]:
    server = EmbeddedNats(tmp_path_factory.mktemp("nats-shared"))
    server.start_blocking()
    yield server
    server.stop_blocking()


@pytest.fixture(scope="session")
def nats_url(nats_server: EmbeddedNats) -> str:
    return nats_server.url


@pytest.fixture
def own_nats_server(tmp_path: Path) -> Iterator[EmbeddedNats]:
    server = EmbeddedNats(tmp_path / "nats-own")
    server.start_blocking()
    yield server
    server.stop_blocking()


@pytest_asyncio.fixture
async def jetstream_bus(nats_url: str) -> AsyncIterator[JetStreamBus]:
    bus = await JetStreamBus.connect(nats_url, test_stream())
    yield bus
    if bus.conn.connected:
        await bus.conn.js.delete_stream(bus.stream_name)
    await bus.close()


@pytest.fixture
def memory_bus() -> MemoryBus:
    return MemoryBus(test_stream())
