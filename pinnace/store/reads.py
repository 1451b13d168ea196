"""Read queries, each in one read transaction (a consistent snapshot with its resourceVersion)."""

from __future__ import annotations

import base64
import binascii
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pinnace.resources.errors import BadRequest
from pinnace.store import codec
from pinnace.store.selectors import FieldSelector, LabelSelector

Obj = dict[str, Any]


@dataclass
class Page:
    """One list answer: objects as compact JSON text (ready to send), and where the list stands."""

    items: list[str]
    resource_version: int
    continue_token: str | None = None

    def objects(self) -> list[Obj]:
        return [json.loads(i) for i in self.items]


def current_rv(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM meta WHERE key='rv'").fetchone()
    return int(row[0]) if row else 0


def encode_continue(ns: str, name: str, rv: int) -> str:
    raw = json.dumps({"ns": ns, "name": name, "rv": rv}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_continue(token: str) -> tuple[str, str]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        return str(data["ns"]), str(data["name"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise BadRequest("the continue token is not valid; start the list again without it") from None


def _text(blob: bytes) -> str:
    """Stored blob → compact JSON text."""
    if blob[:1] == b"r":
        return blob[1:].decode()
    return json.dumps(codec.decode(blob), separators=(",", ":"), ensure_ascii=False)


def _rows(conn: sqlite3.Connection, kind: str, namespace: str | None, fields: FieldSelector,
          after: tuple[str, str] | None) -> Iterator[tuple[str, str, str | None, bytes]]:
    sql = "SELECT namespace, name, labels, body FROM objects WHERE kind=?"
    args: list[Any] = [kind]
    ns = namespace if namespace is not None else fields.equal_to("metadata.namespace")
    if ns is not None:
        sql += " AND namespace=?"
        args.append(ns)
    name = fields.equal_to("metadata.name")
    if name is not None:
        sql += " AND name=?"
        args.append(name)
    if after is not None:
        sql += " AND (namespace, name) > (?, ?)"
        args.extend(after)
    yield from conn.execute(sql + " ORDER BY namespace, name", args)


def list_page(conn: sqlite3.Connection, kind: str, namespace: str | None, labels: LabelSelector,
              fields: FieldSelector, limit: int | None = None, cont: str | None = None) -> Page:
    after = decode_continue(cont) if cont else None
    conn.execute("BEGIN")
    try:
        rv = current_rv(conn)
        items: list[str] = []
        last: tuple[str, str] | None = None
        more = False
        for ns, name, label_json, blob in _rows(conn, kind, namespace, fields, after):
            if labels.requirements and not labels.matches(json.loads(label_json) if label_json else {}):
                continue
            if fields.terms and not fields.matches({"metadata": {"name": name, "namespace": ns}}):
                continue
            if limit and len(items) >= limit:
                more = True
                break
            items.append(_text(blob))
            last = (ns, name)
    finally:
        conn.execute("COMMIT")
    token = encode_continue(last[0], last[1], rv) if more and last else None
    return Page(items, rv, token)


def get_one(conn: sqlite3.Connection, kind: str, namespace: str, name: str) -> str | None:
    row = conn.execute("SELECT body FROM objects WHERE kind=? AND namespace=? AND name=?",
                       (kind, namespace, name)).fetchone()
    return _text(row[0]) if row else None


def list_archived(conn: sqlite3.Connection, kind: str, namespace: str | None, labels: LabelSelector) -> list[str]:
    sql = "SELECT labels, body FROM archive WHERE kind=?"
    args: list[Any] = [kind]
    if namespace is not None:
        sql += " AND namespace=?"
        args.append(namespace)
    out: list[str] = []
    for label_json, blob in conn.execute(sql + " ORDER BY archived_at DESC, name", args):
        if labels.matches(json.loads(label_json) if label_json else {}):
            out.append(_text(blob))
    return out


def counts_by_phase(conn: sqlite3.Connection) -> list[tuple[str, str, int]]:
    rows = conn.execute("SELECT kind, COALESCE(phase, ''), count(*) FROM objects GROUP BY kind, phase")
    return [(str(k), str(p), int(n)) for k, p, n in rows]
