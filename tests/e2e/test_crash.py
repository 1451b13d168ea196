"""Crash: SIGKILL the whole ``pinnace up`` tree at random points under webhook load.

With an ``atLeastOnce`` sensor, every event that got a 200 must end as exactly one workflow after
the restart, no workflow may stay Running, and the store and stream must reopen cleanly.

CI runs a short form (``PINNACE_CRASH_ROUNDS``, default 3 kills on one data dir). The full run:

    PINNACE_CRASH_ROUNDS=20 pytest tests/e2e/test_crash.py
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections import Counter
from pathlib import Path
from typing import Any

from tests.e2e import specs
from tests.e2e.harness import DONE, UpProcess, free_port, processes_using, up, wait_for
from tests.e2e.load import LoadThread, id_stream

ROUNDS = int(os.environ.get("PINNACE_CRASH_ROUNDS", "3"))


def crash_files(tmp_path: Path, port: int) -> Path:
    wf = {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"generateName": "ev-"},
        "spec": {"entrypoint": "main", "arguments": {"parameters": [{"name": "id", "value": "none"}]},
                 "templates": [{"name": "main", "inputs": {"parameters": [{"name": "id"}]},
                                "container": {"image": "alpine", "command": ["echo", "{{inputs.parameters.id}}"]}}]},
    }
    return specs.write(tmp_path / "in" / "crash.yaml", specs.plain_webhook("hook", port),
                       specs.sensor("on-hook", "hook", "hook", wf, [("body.id", 0)]))


def event_ids(workflows: list[dict[str, Any]]) -> Counter[str]:
    return Counter(str(w["spec"]["arguments"]["parameters"][0]["value"]) for w in workflows
                   if str(w["metadata"]["name"]).startswith("ev-"))


def settle(proc: UpProcess, acked: set[str], timeout: float = 90.0) -> list[dict[str, Any]]:
    """Wait until every acknowledged event has its workflow and no workflow is unfinished."""
    def settled() -> list[dict[str, Any]] | None:
        wfs = proc.workflows()
        missing = acked - set(event_ids(wfs))
        unfinished = [w["metadata"]["name"] for w in wfs if w.get("status", {}).get("phase") not in DONE]
        return wfs if not missing and not unfinished else None
    try:
        return wait_for(settled, timeout, interval=0.5, what="every acked event to end as a finished workflow")
    except AssertionError:
        wfs = proc.workflows()
        missing = sorted(acked - set(event_ids(wfs)))
        stuck = {w["metadata"]["name"]: w.get("status", {}).get("phase") for w in wfs
                 if w.get("status", {}).get("phase") not in DONE}
        raise AssertionError(f"lost {len(missing)} acked events (e.g. {missing[:5]}); unfinished workflows: "
                             f"{dict(list(stuck.items())[:10])} ({len(stuck)}); log tail:\n{proc.log_tail()}") from None


def test_sigkill_under_webhook_load_loses_and_doubles_nothing(tmp_path: Path) -> None:
    rng = random.Random(os.environ.get("PINNACE_CRASH_SEED") or None)
    port = free_port()
    data = tmp_path / "data"
    acked: set[str] = set()
    sent = 0
    with up(data, crash_files(tmp_path, port), wait_ports=(port,)) as proc:
        for round_no in range(ROUNDS):
            load = LoadThread(f"http://127.0.0.1:{port}/hook", id_stream(f"r{round_no}"), concurrency=8)
            load.start()
            # Kill at a random point: sometimes while events are still in the webhook, sometimes
            # while sensors trigger, sometimes while pods run.
            time.sleep(rng.uniform(0.2, 2.0))
            proc.kill()
            result = load.halt()
            acked |= result.acked()
            sent += len(result.sent)
            proc.start()
            assert proc.alive()
            wait_for(lambda: port_listens(port) or None, 30, what="the webhook port after restart")
        wfs = settle(proc, acked)
        counts = event_ids(wfs)
        doubled = {k: v for k, v in counts.items() if v > 1}
        assert not doubled, f"events that started more than one workflow: {doubled}"
        assert acked <= set(counts), "an acknowledged event has no workflow"
        assert len(acked) > 0, "no event was acknowledged at all: the load never reached the webhook"
        # The stream still flows after the last restart.
        tail = LoadThread(f"http://127.0.0.1:{port}/hook", id_stream("after", 20), concurrency=4)
        tail.start()
        tail_result = tail.finish(120)
        assert tail_result.acked() == {f"after-{i:06d}" for i in range(20)}
        settle(proc, acked | tail_result.acked())
        listing = proc.cli("get", "wf", "-o", "name")
        assert listing.returncode == 0, listing.stderr
        assert proc.stop() == 0
    assert processes_using(data) == []
    with sqlite3.connect(f"file:{data / 'store.db'}?mode=ro", uri=True) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    print(f"\ncrash: {ROUNDS} kills, {sent} requests sent, {len(acked)} acked, "
          f"{len(counts)} distinct events with a workflow, 0 lost, 0 doubled")


def port_listens(port: int) -> bool:
    from tests.e2e.harness import port_open

    return port_open("127.0.0.1", port)
