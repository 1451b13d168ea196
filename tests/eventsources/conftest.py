"""Fixtures for event-source tests: the bus fixtures plus loopback-service guards."""

from bus.testing import jetstream_bus, memory_bus, nats_server, nats_url, own_nats_server

__all__ = ["jetstream_bus", "memory_bus", "nats_server", "nats_url", "own_nats_server"]
