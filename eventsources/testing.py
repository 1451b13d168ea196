"""Helpers for event-source tests: free ports, loopback-service guards, reading back the bus."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from typing import Any

import pytest

from bus.cloudevent import CloudEvent
from bus.errors import TemporaryBusError
from bus.interface import ConsumerOptions, Subscriber


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def require_service(name: str, port: int, host: str = "127.0.0.1") -> None:
    """Skip when a loopback service is absent; under CI=true its absence is a failure."""
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return
    except OSError as exc:
        reason = f"{name} not reachable on {host}:{port} ({exc})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI=true requires it")
    pytest.skip(reason)


def event_source(name: str, spec: dict[str, Any], namespace: str = "default") -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "EventSource",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


async def read_events(
    bus: Subscriber, source: str, count: int, within: float = 10.0, settle: float = 0.0
) -> list[CloudEvent]:
    """Every event of ``source`` stored on the bus, waiting until ``count`` arrived (then ``settle``
    seconds more, to catch extras that must not be there). Rides out a bus that is reconnecting."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    durable = f"reader{uuid.uuid4().hex[:8]}"
    options = ConsumerOptions(deliver="all", batch=64)
    events: list[CloudEvent] = []
    sub = None
    try:
        while True:
            now = loop.time()
            done = len(events) >= count
            if (done and (not settle or now >= deadline)) or now >= deadline + settle:
                break
            if done and settle:
                deadline = min(deadline, now)  # count reached: only the settle period remains
            try:
                if sub is None:
                    sub = await bus.subscribe(durable, bus.filter_for(source), options)
                for d in await sub.fetch(64, timeout=0.2):
                    events.append(d.event)
                    await d.ack()
            except TemporaryBusError:
                await asyncio.sleep(0.1)
    finally:
        if sub is not None:
            await sub.close()
    return events
