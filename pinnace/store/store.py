"""The embedded store: SQLite in the data directory, one writer thread, watch fan-out.

Every method takes and returns plain wire dicts. Writes go through ``writer`` (group commit,
durable before the answer); reads run on a small thread pool with their own connections so a
large list never blocks the event loop.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import fcntl
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from pinnace.resources.errors import AlreadyExists, ApiError, BadRequest, NotFound
from pinnace.resources.kinds import KINDS, ensure_loaded
from pinnace.resources.patching import MERGE
from pinnace.store import db, ops, reads
from pinnace.store.admission import DEFAULT_LIMIT, WorkflowAdmission
from pinnace.store.hub import Hub, WatchFilter
from pinnace.store.reads import Page
from pinnace.store.selectors import FieldSelector, LabelSelector
from pinnace.store.watching import Watch
from pinnace.store.writer import Event, Writer

log = logging.getLogger(__name__)
Obj = dict[str, Any]
T = TypeVar("T")

STORE_FILE = "store.db"


class StoreBusy(RuntimeError):
    """Another process has the store open."""


def load_kinds() -> None:
    """Import every kind; a plane package missing from this install leaves its kinds out."""
    try:
        ensure_loaded()
    except ImportError as exc:
        import pinnace.resources.core  # noqa: F401

        log.warning("some resource kinds are not available (%s); serving: %s", exc, ", ".join(sorted(KINDS)))


def _lock(path: Path) -> int:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
        os.close(fd)
        raise StoreBusy(f"{path.parent} is in use by another pinnace (pid {holder}); stop it or use another "
                        "--data-dir") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    return fd


def _store_file(p: Path) -> Path:
    if p.is_dir() or not p.suffix:
        p.mkdir(parents=True, exist_ok=True)
        return p / STORE_FILE
    p.parent.mkdir(parents=True, exist_ok=True)
    return p


class Store:
    def __init__(self, path: Path, *, event_window: int = 2048, max_active_workflows: int = DEFAULT_LIMIT) -> None:
        self.path = path
        self.admission = WorkflowAdmission(max_active_workflows)
        self._event_window = event_window
        self._lock_fd: int | None = None
        self._writer: Writer | None = None
        self._hub: Hub | None = None
        self._local = threading.local()
        self._read_conns: list[Any] = []
        self._readers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="pinnace-store-read")

    @classmethod
    async def open(cls, path: Path | str, *, event_window: int = 2048,
                   max_active_workflows: int = DEFAULT_LIMIT) -> Store:
        """Open (creating if needed) the store file ``path``; a directory means ``<dir>/store.db``.

        ``max_active_workflows``: creating a Workflow while this many are unfinished is refused with
        a retry hint (see ``pinnace.store.admission``); 0 admits everything.
        """
        store = cls(_store_file(Path(path)), event_window=event_window, max_active_workflows=max_active_workflows)
        await store._start()
        return store

    async def _start(self) -> None:
        load_kinds()
        self._lock_fd = _lock(self.path.with_name(self.path.name + ".lock"))
        loop = asyncio.get_running_loop()
        hub_box: list[Hub] = []

        def committed(events: list[Event]) -> None:
            self.admission.observe(events)
            hub_box[0].publish_threadsafe(events)

        self._writer = Writer(self.path, committed)
        self._hub = Hub(loop, self._writer.rv, self._event_window)
        hub_box.append(self._hub)
        await self._read(self.admission.load)
        if "Namespace" in KINDS:
            with contextlib.suppress(AlreadyExists):
                await self.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._writer is None:
            return
        writer, self._writer = self._writer, None
        if self._hub:
            self._hub.close_all()
        await asyncio.to_thread(writer.close)
        self._readers.shutdown(wait=True)
        for conn in self._read_conns:
            conn.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    @property
    def hub(self) -> Hub:
        if self._hub is None:
            raise RuntimeError("the store is not open")
        return self._hub

    @property
    def resource_version(self) -> int:
        return self.hub.last_rv

    # --- writes -------------------------------------------------------------------------

    async def _write(self, op: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if self._writer is None:
            raise RuntimeError("the store is closed")
        result: T = await self._writer.submit(lambda tx: op(tx, *args, **kwargs))
        return result

    async def create(self, obj: Obj, namespace: str | None = None) -> Obj:
        self.admission.check(str(obj.get("kind")))
        return await self._write(ops.create, obj, namespace)

    async def replace(self, obj: Obj, namespace: str | None = None) -> Obj:
        return await self._write(ops.replace, obj, status_only=False, namespace=namespace)

    async def replace_status(self, obj: Obj, namespace: str | None = None) -> Obj:
        return await self._write(ops.replace, obj, status_only=True, namespace=namespace)

    async def patch(self, kind: str, name: str, body: Any, namespace: str | None = None,
                    content_type: str = MERGE, *, status_only: bool = False) -> Obj:
        return await self._write(ops.patch, kind, namespace, name, body, content_type, status_only=status_only)

    async def delete(self, kind: str, name: str, namespace: str | None = None,
                     preconditions: Obj | None = None) -> Obj:
        return await self._write(ops.delete, kind, namespace, name, preconditions)

    async def collect_garbage(self, now: float | None = None, batch: int = ops.EXPIRE_BATCH) -> int:
        """Delete every expired workflow, ``batch`` per transaction so writers are not held up long.

        All of them, not one batch: workflows finishing faster than one batch per interval would
        otherwise pile up in the store and in every watcher's cache.
        """
        when = time.time() if now is None else now
        total = 0
        while (removed := await self._write(ops.expire, when, batch)) > 0:
            total += removed
            if removed < batch:
                break
        return total

    # --- reads --------------------------------------------------------------------------

    def _conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = db.connect(self.path, readonly=True)
            self._local.conn = conn
            self._read_conns.append(conn)
        return conn

    async def _read(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, lambda: fn(self._conn(), *args))

    async def get_text(self, kind: str, name: str, namespace: str | None = None) -> str:
        info = ops.kind_info(kind)
        text = await self._read(reads.get_one, info.kind, ops.scope(info, namespace), name)
        if text is None:
            raise NotFound(ops._describe(kind, name, "not found"), kind=kind, name=name)
        return text

    async def get(self, kind: str, name: str, namespace: str | None = None) -> Obj:
        obj: Obj = json.loads(await self.get_text(kind, name, namespace))
        return obj

    async def list(self, kind: str, namespace: str | None = None, label_selector: str | None = None,
                   field_selector: str | None = None, limit: int | None = None, cont: str | None = None) -> Page:
        """``namespace=None`` lists every namespace."""
        info = ops.kind_info(kind)
        ns = ops.scope(info, namespace) if namespace is not None or not info.namespaced else None
        if limit is not None and limit < 0:
            raise BadRequest("limit must not be negative")
        return await self._read(reads.list_page, info.kind, ns, LabelSelector.parse(label_selector),
                                FieldSelector.parse(field_selector), limit, cont)

    async def list_archived(self, kind: str = "Workflow", namespace: str | None = None,
                            label_selector: str | None = None) -> builtins.list[Obj]:
        texts = await self._read(reads.list_archived, kind, namespace, LabelSelector.parse(label_selector))
        return [json.loads(t) for t in texts]

    async def counts(self) -> builtins.list[tuple[str, str, int]]:
        return await self._read(reads.counts_by_phase)

    async def integrity(self) -> str:
        return await self._read(db.check_integrity)

    # --- watch --------------------------------------------------------------------------

    async def watch(self, kind: str, namespace: str | None = None, resource_version: str | None = None,
                    label_selector: str | None = None, field_selector: str | None = None) -> Watch:
        """Without a resourceVersion (or "0"): current objects as ADDED first, then changes."""
        info = ops.kind_info(kind)
        ns = ops.scope(info, namespace) if namespace is not None or not info.namespaced else None
        flt = WatchFilter(info.kind, ns, LabelSelector.parse(label_selector), FieldSelector.parse(field_selector))
        if resource_version not in (None, "", "0"):
            try:
                since = int(str(resource_version))
            except ValueError:
                raise BadRequest(f"resourceVersion {resource_version!r} is not a number") from None
            return Watch(self.hub.subscribe(flt, since), [], None)
        sub = self.hub.subscribe(flt, None)
        try:
            page = await self._read(reads.list_page, info.kind, ns, flt.labels, flt.fields, None, None)
        except ApiError:
            sub.close()
            raise
        initial = [_added(info.kind, text, page.resource_version) for text in page.items]
        return Watch(sub, initial, page.resource_version)


def _added(kind: str, text: str, rv: int) -> Event:
    obj = json.loads(text)
    meta = obj.get("metadata") or {}
    return Event(rv, "ADDED", kind, meta.get("namespace") or "", meta.get("name") or "",
                 dict(meta.get("labels") or {}), text)
