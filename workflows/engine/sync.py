"""Mutexes and semaphores (``synchronization``), after ``workflow/sync`` (``Manager``, ``prioritySemaphore``).

One ``SyncManager`` is shared by every workflow a controller runs; ``operate`` asks it for locks.
It is plain in-memory state (no I/O, no clock), rebuilt after a restart from the workflows'
``status.synchronization``. Holders are ``<ns>/<workflow>`` (workflow level) or
``<ns>/<workflow>/<nodeID>`` (template level); lock names are ``<ns>/Mutex/<name>`` and
``<ns>/ConfigMap/<configmap>/<key>``. Waiters queue by ``spec.priority`` (higher first), then by
the workflow's creation time; a mutex is a semaphore of size one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Obj = dict[str, Any]
MUTEX, SEMAPHORE = "mutex", "semaphore"


@dataclass(frozen=True)
class LockRef:
    name: str
    kind: str  # mutex | semaphore
    limit: int


@dataclass
class _Lock:
    limit: int
    holders: list[str] = field(default_factory=list)
    pending: list[tuple[int, str, int, str]] = field(default_factory=list)  # -priority, created, seq, holder


def _workflow_of(holder: str) -> str:
    return "/".join(holder.split("/")[:2])


def _same_workflow(a: str, b: str) -> bool:
    """``isSameWorkflowNodeKeys``: same depth and same workflow name."""
    pa, pb = a.split("/"), b.split("/")
    return len(pa) == len(pb) and pa[1] == pb[1]


class SyncManager:
    def __init__(self, on_release: Callable[[str], None] | None = None) -> None:
        self.locks: dict[str, _Lock] = {}
        self.on_release = on_release or (lambda key: None)
        self._seq = 0

    def try_acquire(
        self, holder: str, refs: list[LockRef], priority: int = 0, created: str = ""
    ) -> tuple[bool, str, str]:
        """All or nothing: (acquired, waiting message, name of the lock that blocked)."""
        for ref in refs:
            lock = self.locks.setdefault(ref.name, _Lock(ref.limit))
            lock.limit = ref.limit
            if holder not in lock.holders and all(p[3] != holder for p in lock.pending):
                self._seq += 1
                lock.pending.append((-priority, created, self._seq, holder))
                lock.pending.sort()
        for ref in refs:
            ok, message = self._check(ref.name, holder)
            if not ok:
                return False, message, ref.name
        for ref in refs:
            lock = self.locks[ref.name]
            if holder not in lock.holders:
                lock.holders.append(holder)
            lock.pending = [p for p in lock.pending if p[3] != holder]
        return True, "", ""

    def _check(self, name: str, holder: str) -> tuple[bool, str]:
        lock = self.locks[name]
        if holder in lock.holders:
            return True, ""
        if lock.limit <= 0:
            return False, f"Failed to get semaphore limit for {name}"
        message = f"Waiting for {name} lock. Lock status: {lock.limit - len(lock.holders)}/{lock.limit}"
        if lock.pending and not _same_workflow(holder, lock.pending[0][3]):
            return False, message
        if len(lock.holders) < lock.limit:
            return True, ""
        return False, message

    def release(self, holder: str, names: list[str] | None = None) -> None:
        """Give up ``holder``'s locks (and queue places); waiting workflows are told."""
        woken: set[str] = set()
        for name, lock in self.locks.items():
            if names is not None and name not in names:
                continue
            had = holder in lock.holders or any(p[3] == holder for p in lock.pending)
            if not had:
                continue
            lock.holders = [h for h in lock.holders if h != holder]
            lock.pending = [p for p in lock.pending if p[3] != holder]
            woken |= {_workflow_of(p[3]) for p in lock.pending}
        for key in sorted(woken):
            self.on_release(key)

    def release_workflow(self, workflow_key: str) -> None:
        """``ReleaseAll``: every lock and queue place of one workflow."""
        holders = {h for lock in self.locks.values() for h in lock.holders if _workflow_of(h) == workflow_key}
        holders |= {p[3] for lock in self.locks.values() for p in lock.pending if _workflow_of(p[3]) == workflow_key}
        for holder in sorted(holders):
            self.release(holder)

    def held_by(self, workflow_key: str) -> list[tuple[str, str]]:
        """(holder, lock name) pairs a workflow holds."""
        return [(h, name) for name, lock in self.locks.items() for h in lock.holders if _workflow_of(h) == workflow_key]

    def waiting_of(self, workflow_key: str) -> list[tuple[str, str]]:
        return [
            (p[3], name)
            for name, lock in self.locks.items()
            for p in lock.pending
            if _workflow_of(p[3]) == workflow_key
        ]

    def restore(self, wf: Obj, refs: Mapping[str, LockRef]) -> None:
        """Re-take the locks a workflow's status says it holds (after a controller restart)."""
        meta = wf.get("metadata") or {}
        base = f"{meta.get('namespace', 'default')}/{meta.get('name', '')}"
        sync = (wf.get("status") or {}).get("synchronization") or {}
        for kind in (MUTEX, SEMAPHORE):
            for holding in (sync.get(kind) or {}).get("holding") or []:
                name = holding.get(kind, "")
                ref = refs.get(name) or LockRef(name, kind, 1)
                lock = self.locks.setdefault(name, _Lock(ref.limit))
                for short in holding.get("holders") or [holding.get("holder", "")]:
                    holder = base if short in ("", meta.get("name")) else f"{base}/{short}"
                    if holder not in lock.holders:
                        lock.holders.append(holder)


def lock_refs(sync: Obj, namespace: str, configmaps: Mapping[str, Obj]) -> list[LockRef]:
    """The locks a ``synchronization`` block asks for, with semaphore sizes from ConfigMaps."""
    refs = []
    for m in sync.get("mutexes") or []:
        ns = m.get("namespace") or namespace
        refs.append(LockRef(f"{ns}/Mutex/{m.get('name', '')}", MUTEX, 1))
    for s in sync.get("semaphores") or []:
        ref = s.get("configMapKeyRef") or {}
        ns = s.get("namespace") or namespace
        name = f"{ns}/ConfigMap/{ref.get('name', '')}/{ref.get('key', '')}"
        refs.append(LockRef(name, SEMAPHORE, _limit(configmaps.get(ref.get("name", "")), ref.get("key", ""))))
    return refs


def _limit(cm: Obj | None, key: str) -> int:
    try:
        return int(str(((cm or {}).get("data") or {}).get(key, "0")).strip())
    except ValueError:
        return 0


def status_block(manager: SyncManager, workflow_key: str) -> Obj:
    """``status.synchronization`` as Argo records it (holders by node ID or workflow name)."""
    name = workflow_key.split("/", 1)[1]
    out: Obj = {}
    kinds = {n: MUTEX if "/Mutex/" in n else SEMAPHORE for n in manager.locks}
    for section, pairs in (("holding", manager.held_by(workflow_key)), ("waiting", manager.waiting_of(workflow_key))):
        for holder, lock in pairs:
            kind = kinds[lock]
            short = holder[len(workflow_key) + 1 :] if holder != workflow_key else name
            entries = out.setdefault(kind, {}).setdefault(section, [])
            if kind == MUTEX:
                entries.append({"mutex": lock, "holder": short})
                continue
            entry = next((e for e in entries if e["semaphore"] == lock), None)
            if entry is None:
                entries.append({"semaphore": lock, "holders": [short]})
            else:
                entry["holders"].append(short)
    return out
