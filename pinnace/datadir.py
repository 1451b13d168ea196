"""The data directory: where the store, the bus, pod work dirs and the kubeconfig live.

One ``pinnace up`` owns a data directory at a time; a second one is told who holds it rather
than corrupting the first one's store.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

DEFAULT_DATA_DIR = ".pinnace"
ENV_DATA_DIR = "PINNACE_DATA_DIR"


class DataDirError(Exception):
    """The data directory cannot be used; the message says why and what to do."""


def resolve(path: str | None) -> Path:
    """``--data-dir``, else ``$PINNACE_DATA_DIR``, else ``./.pinnace``."""
    return Path(path or os.environ.get(ENV_DATA_DIR) or DEFAULT_DATA_DIR).expanduser().resolve()


@dataclass
class DataDir:
    root: Path
    _lock: IO[str] | None = field(default=None, repr=False)

    @property
    def store(self) -> Path:
        return self.root / "store.db"

    @property
    def nats(self) -> Path:
        return self.root / "nats"

    @property
    def pods(self) -> Path:
        return self.root / "pods"

    @property
    def kubeconfig(self) -> Path:
        return self.root / "kubeconfig"

    @property
    def lock_file(self) -> Path:
        return self.root / "pinnace.lock"

    def create(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            for sub in (self.nats, self.pods):
                sub.mkdir(exist_ok=True)
        except OSError as exc:
            raise DataDirError(f"cannot create data directory {self.root}: {exc.strerror}") from None
        if not os.access(self.root, os.W_OK):
            raise DataDirError(f"data directory {self.root} is not writable; choose another with --data-dir")

    def acquire(self) -> None:
        """Take the exclusive lock, or say which process holds it."""
        self.create()
        handle = open(self.lock_file, "a+", encoding="utf-8")  # noqa: SIM115 - held for the process lifetime
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise DataDirError(
                f"data directory {self.root} is in use by pinnace (pid {holder}); "
                "stop that instance or pass another --data-dir"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._lock = handle

    def release(self) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None
