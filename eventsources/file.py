"""The ``file`` source: changes in one directory (Argo's ``file/start.go``), found by polling.

Event data ``{name, op, metadata}`` as Argo's ``fsevent.Event``: ``op`` is the numeric bit
(CREATE 1, WRITE 2, REMOVE 4, RENAME 8, CHMOD 16). ``name`` is the full path, or the base name
with ``polling: true`` (Argo's polling watcher reports ``os.FileInfo.Name()``). An event passes
when its relative path equals ``watchPathConfig.path`` or matches ``pathRegexp``, and its
operation is ``eventType``. The directory is scanned every 100 ms (both modes: the Python
standard library has no inotify); files already present at start are the baseline.
"""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass
from typing import Any

from eventsources.base import Emit, EventSourceType, SourceContext, SpecError
from eventsources.registry import register

OPS = {"CREATE": 1, "WRITE": 2, "REMOVE": 4, "RENAME": 8, "CHMOD": 16}
POLL_INTERVAL = 0.1


@dataclass(frozen=True)
class Stat:
    inode: int
    mtime_ns: int
    size: int
    mode: int


def scan(directory: str) -> dict[str, Stat]:
    out: dict[str, Stat] = {}
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return out
    for entry in entries:
        try:
            st = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            continue
        out[entry.name] = Stat(st.st_ino, st.st_mtime_ns, st.st_size, st.st_mode)
    return out


def changes(before: dict[str, Stat], after: dict[str, Stat]) -> list[tuple[str, str]]:
    """(name, op) pairs between two scans, in a stable order; a moved inode is RENAME + CREATE."""
    out: list[tuple[str, str]] = []
    new_inodes = {st.inode: name for name, st in after.items() if name not in before}
    for name in sorted(before.keys() - after.keys()):
        moved = new_inodes.get(before[name].inode)
        out.append((name, "RENAME" if moved else "REMOVE"))
    for name in sorted(after):
        old, new = before.get(name), after[name]
        if old is None:
            out.append((name, "CREATE"))
        elif (old.mtime_ns, old.size, old.inode) != (new.mtime_ns, new.size, new.inode):
            out.append((name, "WRITE"))
        elif old.mode != new.mode:
            out.append((name, "CHMOD"))
    return out


@register
class FileSource(EventSourceType):
    key = "file"

    def __init__(self, ctx: SourceContext) -> None:
        super().__init__(ctx)
        spec = ctx.spec
        watch = spec.watch_path_config
        if watch is None or not watch.directory:
            raise SpecError(self.path("watchPathConfig", "directory"), "the directory to watch is required")
        if spec.event_type not in OPS:
            raise SpecError(self.path("eventType"), f"eventType must be one of {', '.join(OPS)}")
        if not watch.path and not watch.path_regexp:
            raise SpecError(self.path("watchPathConfig"), "give path or pathRegexp")
        self.directory = watch.directory
        self.path_exact = watch.path or ""
        try:
            self.pattern = re.compile(watch.path_regexp) if watch.path_regexp else None
        except re.error as exc:
            raise SpecError(self.path("watchPathConfig", "pathRegexp"), f"invalid regular expression: {exc}") from None

    def matches(self, name: str, op: str) -> bool:
        if op != self.ctx.spec.event_type:
            return False
        if self.path_exact and name == self.path_exact.lstrip("/"):
            return True
        return self.pattern is not None and self.pattern.search(name) is not None

    def event_data(self, name: str, op: str) -> dict[str, Any]:
        shown = name if self.ctx.spec.polling else os.path.join(self.directory, name)
        return {"name": shown, "op": OPS[op], "metadata": dict(self.ctx.spec.metadata or {}) or None}

    async def run(self, emit: Emit) -> None:
        if not await asyncio.to_thread(os.path.isdir, self.directory):
            raise SpecError(self.path("watchPathConfig", "directory"), f"{self.directory} is not a directory")
        before = await asyncio.to_thread(scan, self.directory)
        self.ready.set()
        while True:
            await asyncio.sleep(POLL_INTERVAL)
            after = await asyncio.to_thread(scan, self.directory)
            for name, op in changes(before, after):
                if self.matches(name, op):
                    await self.emit_until_stored(emit, self.event_data(name, op))
            before = after
