"""JetStream-only behaviour: restarts, outages, limits and auth, against real nats-servers
started by the tests on free ports."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import nats
import pytest

from bus.cloudevent import CloudEvent
from bus.connection import ConnectionSettings, Credentials
from bus.embedded import EmbeddedNats
from bus.errors import PermanentBusError, TemporaryBusError
from bus.interface import ConsumerOptions, Delivery
from bus.jetstream import JetStreamBus
from bus.pull import PullSubscription
from bus.settings import StreamSettings
from bus.testing import test_stream


def event(i: int | str, name: str = "push") -> CloudEvent:
    return CloudEvent.new(source="github", type="webhook", subject=name, id=f"e{i}", data={"i": i})


async def drain(sub: PullSubscription, want: int, within: float = 3.0) -> list[Delivery]:
    out: list[Delivery] = []
    loop = asyncio.get_running_loop()
    end = loop.time() + within
    while len(out) < want and loop.time() < end:
        out += await sub.fetch(want - len(out), timeout=max(0.05, min(0.5, end - loop.time())))
    return out


async def publish_when_back(bus: JetStreamBus, ev: CloudEvent, within: float = 10.0) -> None:
    end = time.monotonic() + within
    while True:
        try:
            await bus.publish(ev)
            return
        except TemporaryBusError:
            if time.monotonic() > end:
                raise
            await asyncio.sleep(0.05)


async def test_consumer_that_restarts_resumes_where_it_left_off(nats_url: str) -> None:
    settings = test_stream()
    async with await JetStreamBus.connect(nats_url, settings) as bus:
        sub = await bus.subscribe("resume", bus.filter_for(), ConsumerOptions(deliver="all"))
        for i in range(5):
            await bus.publish(event(i))
        got = await drain(sub, 3)
        for d in got[:3]:
            await d.ack()
        assert [d.event.id for d in got] == ["e0", "e1", "e2"]
        await sub.close()  # the two fetched-but-unhandled messages go back at once
    # A new process: new connection, same durable.
    async with await JetStreamBus.connect(nats_url, settings) as bus:
        sub = await bus.subscribe("resume", bus.filter_for(), ConsumerOptions(deliver="all"))
        rest = await drain(sub, 5, within=1.0)
        assert [d.event.id for d in rest] == ["e3", "e4"]
        for d in rest:
            await d.ack()
        await bus.conn.js.delete_stream(settings.name)


async def test_restarted_embedded_server_keeps_stream_messages_and_positions(tmp_path: Path) -> None:
    settings = test_stream(max_age=3600.0)
    async with EmbeddedNats(tmp_path / "data") as server, await JetStreamBus.connect(server.url, settings) as bus:
        sub = await bus.subscribe("keep", bus.filter_for(), ConsumerOptions(deliver="all"))
        for i in range(4):
            await bus.publish(event(i))
        [first] = await drain(sub, 1)
        await first.ack()
        await sub.close()
        kv = await bus.kv("state")
        await kv.put("k", b"v")
    # Same data directory, new process.
    async with EmbeddedNats(tmp_path / "data") as server, await JetStreamBus.connect(server.url, settings) as bus:
        assert await bus.stream_message_count() == 4
        sub = await bus.subscribe("keep", bus.filter_for(), ConsumerOptions(deliver="all"))
        assert [d.event.id for d in await drain(sub, 4, within=1.0)] == ["e1", "e2", "e3"]
        entry = await (await bus.kv("state")).get("k")
        assert entry is not None and entry.value == b"v"
        assert (await bus.publish(event(0))).duplicate  # dedup window survives too


async def test_publish_while_server_down_fails_fast_then_works_after_restart(
    own_nats_server: EmbeddedNats,
) -> None:
    settings = test_stream()
    async with await JetStreamBus.connect(own_nats_server.url, settings) as bus:
        sub = await bus.subscribe("outage", bus.filter_for(), ConsumerOptions(deliver="all"))
        assert not (await bus.publish(event("before"))).duplicate
        await own_nats_server.stop()
        for attempt in range(3):
            started = time.monotonic()
            with pytest.raises(TemporaryBusError) as err:
                await bus.publish(event(f"down{attempt}"))
            assert time.monotonic() - started < 0.5
            assert err.value.retry_after > 0
        with pytest.raises(TemporaryBusError):
            await sub.fetch(1, timeout=0.2)
        await own_nats_server.start()  # same port, same store
        await publish_when_back(bus, event("after"))
        ids = [d.event.id for d in await drain(sub, 2, within=5.0)]
        assert ids == ["ebefore", "eafter"]


async def test_publish_that_gets_no_ack_in_time_is_temporary(own_nats_server: EmbeddedNats) -> None:
    conn_settings = ConnectionSettings(url=own_nats_server.url, request_timeout=0.3)
    async with await JetStreamBus.connect(conn_settings, test_stream()) as bus:
        # A frozen (SIGSTOP) server: the socket stays open, nothing answers.
        proc_pid = own_nats_server.pid
        assert proc_pid is not None
        import os
        import signal

        os.kill(proc_pid, signal.SIGSTOP)
        try:
            # SIGSTOP takes effect asynchronously; on a loaded machine the server could still answer
            # one request, so wait until the kernel reports it stopped ("T").
            for _ in range(200):
                stat = Path(f"/proc/{proc_pid}/stat").read_text()  # noqa: ASYNC240 - procfs, never blocks
                if stat.rsplit(")", 1)[1].split()[0] == "T":
                    break
                await asyncio.sleep(0.005)
            started = time.monotonic()
            with pytest.raises(TemporaryBusError):
                await bus.publish(event("frozen"))
            assert time.monotonic() - started < 1.0
        finally:
            os.kill(proc_pid, signal.SIGCONT)
        await publish_when_back(bus, event("thawed"))


async def test_stream_is_created_with_the_limits_of_the_settings(nats_url: str) -> None:
    settings = StreamSettings(
        name=test_stream().name, max_msgs=3, max_age=120.0, max_bytes=1 << 20, replicas=3, duplicates=30.0
    )
    async with await JetStreamBus.connect(nats_url, settings) as bus:
        info = await bus.conn.js.stream_info(bus.stream_name)
        cfg = info.config
        assert (cfg.max_msgs, cfg.max_age, cfg.max_bytes, cfg.duplicate_window) == (3, 120.0, 1 << 20, 30.0)
        assert cfg.num_replicas == 1 and bus.settings.replicas == 1  # one server cannot hold 3 copies
        assert cfg.subjects == [f"{bus.stream_name}.*.*"]
        for i in range(5):
            await bus.publish(event(i))
        assert await bus.stream_message_count() == 3  # oldest discarded
        # Changed limits are applied to the existing stream.
        bus.settings = StreamSettings(name=bus.stream_name, max_msgs=10, replicas=1)
        await bus.ensure_stream()
        assert (await bus.conn.js.stream_info(bus.stream_name)).config.max_msgs == 10
        await bus.conn.js.delete_stream(bus.stream_name)


async def test_undecodable_message_is_terminated_and_skipped(jetstream_bus: JetStreamBus) -> None:
    bus = jetstream_bus
    sub = await bus.subscribe("strict", bus.filter_for(), ConsumerOptions(ack_wait=0.5))
    await bus.conn.js.publish(f"{bus.stream_name}.raw.thing", b"not a cloudevent")
    await bus.publish(event("ok"))
    got = await drain(sub, 2, within=0.3)
    assert [d.event.id for d in got] == ["eok"]
    await got[0].ack()
    assert await sub.fetch(2, timeout=0.8) == []  # the bad one is not redelivered


async def test_token_and_user_password_auth(tmp_path: Path) -> None:
    token_cfg = 'authorization { token: "s3cret" }'
    async with EmbeddedNats(tmp_path / "tok", extra_config=token_cfg) as server:
        good = ConnectionSettings(url=server.url, credentials=Credentials(token="s3cret"))
        async with await JetStreamBus.connect(good, test_stream()) as bus:
            assert not (await bus.publish(event(1))).duplicate
        with pytest.raises(PermanentBusError, match="credentials"):
            await JetStreamBus.connect(ConnectionSettings(url=server.url, credentials=Credentials(token="no")))
    user_cfg = 'authorization { user: "ann", password: "pw" }'
    async with EmbeddedNats(tmp_path / "usr", extra_config=user_cfg) as server:
        good = ConnectionSettings(url=server.url, credentials=Credentials(user="ann", password="pw"))
        async with await JetStreamBus.connect(good, test_stream()) as bus:
            assert (await bus.publish(event(1))).seq == 1
        bad = ConnectionSettings(url=server.url, credentials=Credentials(user="ann", password="nope"))
        with pytest.raises(PermanentBusError):
            await JetStreamBus.connect(bad)


async def test_connecting_to_nothing_is_a_quick_temporary_error(tmp_path: Path) -> None:
    server = EmbeddedNats(tmp_path / "gone")
    await server.start()
    url = server.url
    await server.stop()
    started = time.monotonic()
    with pytest.raises(TemporaryBusError, match="is the server running"):
        await JetStreamBus.connect(ConnectionSettings(url=url, connect_timeout=0.5))
    assert time.monotonic() - started < 3.0


async def test_oversized_event_is_a_permanent_error(tmp_path: Path) -> None:
    server = EmbeddedNats(tmp_path / "small", max_payload=4096)
    async with server, await JetStreamBus.connect(server.url, test_stream()) as bus:
        big = CloudEvent.new(source="s", type="webhook", subject="e", data={"x": "y" * 10_000})
        with pytest.raises(PermanentBusError, match="max_payload"):
            await bus.publish(big)


async def test_raw_nats_client_sees_cloudevent_json_with_msg_id(jetstream_bus: JetStreamBus) -> None:
    ev = event("wire")
    await jetstream_bus.publish(ev)
    nc = await nats.connect(jetstream_bus.conn.settings.url)
    try:
        msg = await nc.jetstream().get_last_msg(jetstream_bus.stream_name, f"{jetstream_bus.stream_name}.github.push")
        assert msg.headers is not None and msg.headers["Nats-Msg-Id"] == "ewire"
        assert msg.data is not None and CloudEvent.from_json(msg.data) == ev
        assert b'"specversion": "1.0"' in msg.data
    finally:
        await nc.close()
