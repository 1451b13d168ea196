"""The SQLite schema and connection settings of the store.

Durability: WAL with ``synchronous=FULL`` fsyncs the log on every commit, so an answered write
survives a process crash *and* a power cut (``NORMAL`` would only survive a process crash).
The cost of that fsync is shared by all writes of one batch (see ``writer``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS objects(
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  uid TEXT NOT NULL,
  rv INTEGER NOT NULL,
  phase TEXT,
  labels TEXT,
  expires_at REAL,
  body BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS objects_key ON objects(kind, namespace, name);
CREATE INDEX IF NOT EXISTS objects_expiry ON objects(expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS archive(
  uid TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  phase TEXT,
  labels TEXT,
  archived_at TEXT NOT NULL,
  body BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS archive_key ON archive(kind, namespace, name);
"""


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30.0)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=OFF")
    if readonly:
        conn.execute("PRAGMA query_only=ON")
    return conn


def initialize(conn: sqlite3.Connection) -> int:
    """Create the schema if needed; returns the last resourceVersion handed out."""
    conn.executescript(_SCHEMA)
    row = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
    if row is None:
        conn.execute("INSERT INTO meta(key, value) VALUES('schema', ?)", (str(SCHEMA_VERSION),))
    elif int(row[0]) > SCHEMA_VERSION:
        raise RuntimeError(f"the store was written by a newer pinnace (schema {row[0]}); upgrade pinnace")
    rv = conn.execute("SELECT value FROM meta WHERE key='rv'").fetchone()
    return int(rv[0]) if rv else 0


def check_integrity(conn: sqlite3.Connection) -> str:
    row = conn.execute("PRAGMA quick_check").fetchone()
    return str(row[0]) if row else "unknown"
