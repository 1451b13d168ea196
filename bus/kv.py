"""Key-value state that must survive restarts (sensor dependency state, calendar last-fire times).

On JetStream a bucket is a KV stream; the in-memory twin keeps the same semantics (revisions
grow per bucket, ``create`` only when absent, ``update`` only at the expected revision) for
fast unit tests. Values are bytes; build keys with :func:`bus.naming.kv_key`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import nats.js.errors
from nats.js.kv import KeyValue

from bus.connection import BusConnection, bus_error
from bus.errors import KeyConflictError, PermanentBusError


@dataclass(frozen=True)
class KVEntry:
    key: str
    value: bytes
    revision: int


@runtime_checkable
class KeyValueStore(Protocol):
    async def get(self, key: str) -> KVEntry | None: ...

    async def put(self, key: str, value: bytes) -> int:
        """Write unconditionally; returns the new revision."""
        ...

    async def create(self, key: str, value: bytes) -> int:
        """Write only if ``key`` is absent (or deleted); else :class:`KeyConflictError`."""
        ...

    async def update(self, key: str, value: bytes, revision: int) -> int:
        """Write only if ``key`` is still at ``revision``; else :class:`KeyConflictError`."""
        ...

    async def delete(self, key: str, revision: int | None = None) -> None: ...

    async def keys(self) -> list[str]: ...


def _conflict(key: str, doing: str) -> KeyConflictError:
    return KeyConflictError(f"{doing} {key!r}: the key changed concurrently; re-read and retry", key=key)


class JetStreamKV:
    """A JetStream KV bucket."""

    def __init__(self, conn: BusConnection, kv: KeyValue, bucket: str) -> None:
        self.conn = conn
        self.bucket = bucket
        self._kv = kv

    @classmethod
    async def open(cls, conn: BusConnection, bucket: str, *, history: int = 1, ttl: float | None = None) -> JetStreamKV:
        doing = f"opening KV bucket {bucket}"
        conn.require_connected(doing)
        js = conn.js
        try:
            try:
                kv = await js.key_value(bucket)
            except nats.js.errors.BucketNotFoundError:
                kv = await js.create_key_value(bucket=bucket, history=history, ttl=ttl)
        except nats.js.errors.InvalidBucketNameError as exc:
            raise PermanentBusError(f"{doing}: invalid bucket name; build it with bus.naming.kv_bucket") from exc
        except Exception as exc:
            raise bus_error(exc, doing) from exc
        return cls(conn, kv, bucket)

    def _check(self, doing: str, key: str) -> str:
        what = f"{doing} {self.bucket}/{key}"
        self.conn.require_connected(what)
        return what

    async def get(self, key: str) -> KVEntry | None:
        doing = self._check("reading", key)
        try:
            entry = await self._kv.get(key)
        except nats.js.errors.KeyNotFoundError:
            return None
        except Exception as exc:
            raise _kv_error(exc, doing) from exc
        return KVEntry(key=key, value=bytes(entry.value or b""), revision=int(entry.revision or 0))

    async def put(self, key: str, value: bytes) -> int:
        doing = self._check("writing", key)
        try:
            return int(await self._kv.put(key, value))
        except Exception as exc:
            raise _kv_error(exc, doing) from exc

    async def create(self, key: str, value: bytes) -> int:
        doing = self._check("creating", key)
        try:
            return int(await self._kv.create(key, value))
        except nats.js.errors.KeyWrongLastSequenceError as exc:
            raise _conflict(key, "creating") from exc
        except Exception as exc:
            raise _kv_error(exc, doing) from exc

    async def update(self, key: str, value: bytes, revision: int) -> int:
        doing = self._check("updating", key)
        try:
            return int(await self._kv.update(key, value, last=revision))
        except nats.js.errors.KeyWrongLastSequenceError as exc:
            raise _conflict(key, "updating") from exc
        except Exception as exc:
            raise _kv_error(exc, doing) from exc

    async def delete(self, key: str, revision: int | None = None) -> None:
        doing = self._check("deleting", key)
        try:
            await self._kv.delete(key, last=revision)
        except nats.js.errors.APIError as exc:
            if exc.err_code in (10071, 10164):
                raise _conflict(key, "deleting") from exc
            raise _kv_error(exc, doing) from exc
        except Exception as exc:
            raise _kv_error(exc, doing) from exc

    async def keys(self) -> list[str]:
        doing = f"listing keys of {self.bucket}"
        self.conn.require_connected(doing)
        try:
            return sorted(await self._kv.keys())
        except nats.js.errors.NoKeysError:
            return []
        except Exception as exc:
            raise _kv_error(exc, doing) from exc


def _kv_error(exc: BaseException, doing: str) -> Exception:
    if isinstance(exc, nats.js.errors.InvalidKeyError):
        return PermanentBusError(f"{doing}: invalid key; build keys with bus.naming.kv_key")
    return bus_error(exc, doing)


class MemoryKV:
    """The in-memory twin of :class:`JetStreamKV` (one bucket)."""

    def __init__(self, bucket: str = "memory") -> None:
        self.bucket = bucket
        self._revision = 0
        # key -> (value, revision); value None is a delete tombstone, as in JetStream.
        self._data: dict[str, tuple[bytes | None, int]] = {}

    def _write(self, key: str, value: bytes | None) -> int:
        self._revision += 1
        self._data[key] = (value, self._revision)
        return self._revision

    async def get(self, key: str) -> KVEntry | None:
        value, revision = self._data.get(key, (None, 0))
        return None if value is None else KVEntry(key, value, revision)

    async def put(self, key: str, value: bytes) -> int:
        return self._write(key, bytes(value))

    async def create(self, key: str, value: bytes) -> int:
        current, _ = self._data.get(key, (None, 0))
        if current is not None:
            raise _conflict(key, "creating")
        return self._write(key, bytes(value))

    async def update(self, key: str, value: bytes, revision: int) -> int:
        if key not in self._data or self._data[key][1] != revision:
            raise _conflict(key, "updating")
        return self._write(key, bytes(value))

    async def delete(self, key: str, revision: int | None = None) -> None:
        if revision and self._data.get(key, (None, 0))[1] != revision:
            raise _conflict(key, "deleting")
        self._write(key, None)

    async def keys(self) -> list[str]:
        return sorted(k for k, (v, _) in self._data.items() if v is not None)
