"""File source: created and written files in a watched directory become events (Argo's fsevent shape)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bus.memory import MemoryBus
from eventsources.runner import EventSourceRunner
from eventsources.testing import event_source, read_events


async def test_create_and_write_events(tmp_path: Path, memory_bus: MemoryBus) -> None:
    (tmp_path / "old.txt").write_text("present before start")
    spec = {
        "file": {
            "created": {
                "eventType": "CREATE",
                "watchPathConfig": {"directory": str(tmp_path), "pathRegexp": r"\.txt$"},
            },
            "written": {
                "eventType": "WRITE",
                "polling": True,
                "watchPathConfig": {"directory": str(tmp_path) + "/", "path": "x.txt"},
                "metadata": {"k": "v"},
            },
        }
    }
    async with EventSourceRunner(event_source("files", spec), memory_bus) as runner:
        await runner.wait_ready()
        (tmp_path / "x.txt").write_text("one")
        (tmp_path / "ignored.log").write_text("no")
        await asyncio.sleep(0.3)
        (tmp_path / "x.txt").write_text("two, longer")
        events = await read_events(memory_bus, "files", 2, settle=0.3)
    by_subject = {e.subject: e.data for e in events}
    assert len(events) == 2
    assert by_subject["created"] == {"name": str(tmp_path / "x.txt"), "op": 1, "metadata": None}
    assert by_subject["written"] == {"name": "x.txt", "op": 2, "metadata": {"k": "v"}}
