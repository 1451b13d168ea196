"""Bus fixtures (a real nats-server on a free port, a stream per test) for the sensor tests."""

from bus.testing import jetstream_bus, memory_bus, nats_server, nats_url, own_nats_server

__all__ = ["jetstream_bus", "memory_bus", "nats_server", "nats_url", "own_nats_server"]
