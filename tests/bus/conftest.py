"""The bus fixtures (a real nats-server per session, a stream per test) from bus.testing."""

from bus.testing import jetstream_bus, memory_bus, nats_server, nats_url, own_nats_server

__all__ = ["jetstream_bus", "memory_bus", "nats_server", "nats_url", "own_nats_server"]
