"""Write operations, run on the writer thread inside the batch transaction."""

from __future__ import annotations

import copy
import json
import sqlite3
import uuid
from dataclasses import dataclass
from typing import Any

from pinnace.resources.base import Problem
from pinnace.resources.errors import AlreadyExists, BadRequest, Conflict, Invalid, NotFound
from pinnace.resources.kinds import KINDS, KindInfo
from pinnace.resources.patching import MERGE, apply_patch
from pinnace.resources.validate import validate_object
from pinnace.store import codec
from pinnace.store.names import generate_name, label_problems, name_problems, now_rfc3339
from pinnace.store.ttl import expires_at, is_completed
from pinnace.store.writer import Event, Tx

Obj = dict[str, Any]


def kind_info(kind: str) -> KindInfo:
    info = KINDS.get(kind)
    if info is None:
        raise BadRequest(f"kind {kind!r} is not served here; served kinds: {', '.join(sorted(KINDS))}")
    return info


def scope(info: KindInfo, namespace: str | None) -> str:
    """The namespace column value: '' for cluster-scoped kinds."""
    if not info.namespaced:
        return ""
    return namespace or "default"


@dataclass
class Row:
    id: int
    uid: str
    rv: int
    obj: Obj


def load(conn: sqlite3.Connection, kind: str, ns: str, name: str) -> Row:
    row = conn.execute(
        "SELECT id, uid, rv, body FROM objects WHERE kind=? AND namespace=? AND name=?", (kind, ns, name)
    ).fetchone()
    if row is None:
        raise NotFound(_describe(kind, name, "not found"), kind=kind, name=name)
    return Row(row[0], row[1], row[2], codec.decode(row[3]))


def _describe(kind: str, name: str, what: str) -> str:
    info = KINDS.get(kind)
    plural = info.plural if info else kind.lower()
    group = f".{info.group}" if info and info.group else ""
    return f'{plural}{group} "{name}" {what}'.rstrip()


def check(obj: Obj, info: KindInfo, name: str) -> None:
    """Schema, semantic and name checks; status is the controller's and is not validated."""
    problems: list[Problem] = []
    if name:
        problems += name_problems(name, label_only=info.kind == "Namespace")
    meta = obj.get("metadata")
    problems += label_problems(meta.get("labels") if isinstance(meta, dict) else None)
    spec_only = {k: v for k, v in obj.items() if k != "status"}
    _, found = validate_object(spec_only)
    problems += [p for p in found if p.severity == "error"]
    if problems:
        detail = "; ".join(str(p) for p in problems[:5])
        raise Invalid(f'{info.kind}.{info.group or "core"} "{name}" is invalid: {detail}', problems,
                      kind=info.kind, name=name)


def _write(tx: Tx, info: KindInfo, ns: str, obj: Obj, row_id: int | None, ev_type: str) -> Obj:
    meta = obj["metadata"]
    rv = tx.next_rv()
    meta["resourceVersion"] = str(rv)
    labels = meta.get("labels") or {}
    phase = (obj.get("status") or {}).get("phase") if isinstance(obj.get("status"), dict) else None
    blob = codec.encode(obj)
    cols = (meta["uid"], rv, phase, json.dumps(labels, separators=(",", ":")) if labels else None,
            expires_at(obj), blob)
    if row_id is None:
        tx.conn.execute(
            "INSERT INTO objects(kind, namespace, name, uid, rv, phase, labels, expires_at, body) "
            "VALUES(?,?,?,?,?,?,?,?,?)", (info.kind, ns, meta["name"], *cols))
    else:
        tx.conn.execute(
            "UPDATE objects SET uid=?, rv=?, phase=?, labels=?, expires_at=?, body=? WHERE id=?", (*cols, row_id))
    tx.events.append(_event(rv, ev_type, info.kind, ns, obj))
    return obj


def _event(rv: int, ev_type: str, kind: str, ns: str, obj: Obj) -> Event:
    meta = obj["metadata"]
    data = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    return Event(rv, ev_type, kind, ns, meta["name"], dict(meta.get("labels") or {}), data)


def _exists(tx: Tx, kind: str, ns: str, name: str) -> bool:
    return tx.conn.execute(
        "SELECT 1 FROM objects WHERE kind=? AND namespace=? AND name=?", (kind, ns, name)).fetchone() is not None


def _pick_name(tx: Tx, info: KindInfo, ns: str, meta: Obj) -> str:
    name = meta.get("name")
    if name:
        if _exists(tx, info.kind, ns, name):
            raise AlreadyExists(_describe(info.kind, name, "already exists"), kind=info.kind, name=name)
        return str(name)
    prefix = meta.get("generateName")
    if not prefix:
        raise Invalid(f"{info.kind}: metadata.name or metadata.generateName is required",
                      [Problem("metadata.name", "name or generateName is required")], kind=info.kind)
    for _ in range(16):
        candidate = generate_name(str(prefix))
        if not _exists(tx, info.kind, ns, candidate):
            return candidate
    raise AlreadyExists(f"could not find a free name for generateName {prefix!r}; use a longer prefix")


def create(tx: Tx, obj: Obj, namespace: str | None) -> Obj:
    obj = copy.deepcopy(obj)
    info = kind_info(str(obj.get("kind")))
    ns = scope(info, namespace or (obj.get("metadata") or {}).get("namespace"))
    meta = obj.setdefault("metadata", {})
    if not isinstance(meta, dict):
        raise BadRequest("metadata must be an object")
    check(obj, info, str(meta.get("name") or ""))
    meta["name"] = _pick_name(tx, info, ns, meta)
    if info.namespaced:
        meta["namespace"] = ns
    else:
        meta.pop("namespace", None)
    meta["uid"] = str(uuid.uuid4())
    meta["creationTimestamp"] = now_rfc3339()
    meta["generation"] = 1
    for server_field in ("resourceVersion", "deletionTimestamp", "selfLink"):
        meta.pop(server_field, None)
    return _write(tx, info, ns, obj, None, "ADDED")


def _preconditions(current: Row, meta: Obj, info: KindInfo, name: str) -> None:
    rv = meta.get("resourceVersion")
    if rv not in (None, "") and str(rv) != str(current.rv):
        raise Conflict(
            f'Operation cannot be fulfilled on {_describe(info.kind, name, "")}: the object has been modified; '
            "please apply your changes to the latest version and try again", kind=info.kind, name=name)
    uid = meta.get("uid")
    if uid not in (None, "") and uid != current.uid:
        raise Conflict(f"Precondition failed: UID in precondition: {uid}, UID in object meta: {current.uid}",
                       kind=info.kind, name=name)


def _body_without(obj: Obj, *keys: str) -> Obj:
    return {k: v for k, v in obj.items() if k not in keys}


def replace(tx: Tx, obj: Obj, *, status_only: bool, namespace: str | None = None) -> Obj:
    info = kind_info(str(obj.get("kind")))
    meta = obj.get("metadata")
    if not isinstance(meta, dict) or not meta.get("name"):
        raise Invalid(f"{info.kind}: metadata.name is required to update",
                      [Problem("metadata.name", "required field is missing")], kind=info.kind)
    name = str(meta["name"])
    ns = scope(info, namespace or meta.get("namespace"))
    current = load(tx.conn, info.kind, ns, name)
    _preconditions(current, meta, info, name)
    return _store_new(tx, info, ns, current, obj, status_only)


def _store_new(tx: Tx, info: KindInfo, ns: str, current: Row, obj: Obj, status_only: bool) -> Obj:
    old = current.obj
    if status_only:
        new = copy.deepcopy(old)
        if obj.get("status") is None:
            new.pop("status", None)
        else:
            new["status"] = copy.deepcopy(obj["status"])
    else:
        new = copy.deepcopy(obj)
        new.setdefault("apiVersion", old.get("apiVersion"))
        new_meta = new.setdefault("metadata", {})
        old_meta = old["metadata"]
        for keep in ("name", "namespace", "uid", "creationTimestamp", "generation", "generateName"):
            if keep in old_meta:
                new_meta[keep] = old_meta[keep]
            else:
                new_meta.pop(keep, None)
        check(new, info, old_meta["name"])
        if _body_without(new, "metadata", "status") != _body_without(old, "metadata", "status"):
            new_meta["generation"] = int(old_meta.get("generation") or 1) + 1
    new["metadata"]["resourceVersion"] = old["metadata"].get("resourceVersion")
    if new == old:
        return old  # a no-op write neither bumps the version nor wakes watchers, as in Kubernetes
    return _write(tx, info, ns, new, current.id, "MODIFIED")


def patch(tx: Tx, kind: str, namespace: str | None, name: str, body: Any, content_type: str = MERGE,
          *, status_only: bool = False) -> Obj:
    info = kind_info(kind)
    ns = scope(info, namespace)
    current = load(tx.conn, info.kind, ns, name)
    patched = apply_patch(current.obj, body, content_type)
    meta = patched.get("metadata")
    if not isinstance(meta, dict):
        raise BadRequest("the patch must leave metadata an object")
    if patched.get("kind") != info.kind or meta.get("name") != name:
        raise BadRequest("a patch cannot change kind or metadata.name")
    _preconditions(current, meta, info, name)
    return _store_new(tx, info, ns, current, patched, status_only)


def delete(tx: Tx, kind: str, namespace: str | None, name: str, preconditions: Obj | None = None) -> Obj:
    info = kind_info(kind)
    ns = scope(info, namespace)
    current = load(tx.conn, info.kind, ns, name)
    _preconditions(current, preconditions or {}, info, name)
    tx.conn.execute("DELETE FROM objects WHERE id=?", (current.id,))
    obj = current.obj
    rv = tx.next_rv()
    obj["metadata"]["resourceVersion"] = str(rv)
    if is_completed(obj):
        archive(tx.conn, info.kind, ns, obj)
    tx.events.append(_event(rv, "DELETED", info.kind, ns, obj))
    return obj


def archive(conn: sqlite3.Connection, kind: str, ns: str, obj: Obj) -> None:
    meta = obj["metadata"]
    labels = meta.get("labels") or {}
    conn.execute(
        "INSERT OR REPLACE INTO archive(uid, kind, namespace, name, phase, labels, archived_at, body) "
        "VALUES(?,?,?,?,?,?,?,?)",
        (meta["uid"], kind, ns, meta["name"], (obj.get("status") or {}).get("phase"),
         json.dumps(labels) if labels else None, now_rfc3339(), codec.encode(obj)))


EXPIRE_BATCH = 100


def expire(tx: Tx, now: float, limit: int = EXPIRE_BATCH) -> int:
    rows = tx.conn.execute(
        "SELECT kind, namespace, name FROM objects WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ?",
        (now, limit)).fetchall()
    for kind, ns, name in rows:
        delete(tx, kind, ns, name)
    return len(rows)
