"""The embedded resource store (SQLite) and the in-process client on top of it."""

from pinnace.store.store import STORE_FILE, Store, StoreBusy

__all__ = ["STORE_FILE", "Store", "StoreBusy"]
