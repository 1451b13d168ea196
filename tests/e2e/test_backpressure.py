"""Back-pressure: events arriving faster than the engine finishes workflows wait on the bus.

``pinnace up --max-active-workflows N`` refuses a new Workflow while N are unfinished (429); the
sensor's ``atLeastOnce`` trigger hands the event back to the bus and holds off, so the engine never
holds more than N workflows, and every accepted event still ends as exactly one workflow.
"""

from __future__ import annotations

import threading
from pathlib import Path

from tests.e2e import specs
from tests.e2e.harness import DONE, free_port, up
from tests.e2e.load import LoadThread, id_stream
from tests.e2e.test_crash import event_ids, settle

LIMIT = 4
EVENTS = 30


def slow_files(tmp_path: Path, port: int) -> Path:
    wf = {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"generateName": "ev-"},
        "spec": {"entrypoint": "main", "arguments": {"parameters": [{"name": "id", "value": "none"}]},
                 "templates": [{"name": "main", "inputs": {"parameters": [{"name": "id"}]},
                                "container": {"image": "alpine",
                                              "command": ["sh", "-c", "sleep 0.4", "{{inputs.parameters.id}}"]}}]},
    }
    return specs.write(tmp_path / "in" / "slow.yaml", specs.plain_webhook("hook", port),
                       specs.sensor("on-hook", "hook", "hook", wf, [("body.id", 0)]))


def test_a_backlog_waits_on_the_bus_and_every_event_still_runs_once(tmp_path: Path) -> None:
    port = free_port()
    with up(tmp_path / "data", slow_files(tmp_path, port), wait_ports=(port,),
            extra=["--max-active-workflows", str(LIMIT)]) as proc:
        load = LoadThread(f"http://127.0.0.1:{port}/hook", id_stream("bp", EVENTS), concurrency=8)
        load.start()
        acked = load.finish().acked()
        assert len(acked) == EVENTS  # the bus takes them all at once; only the engine is bounded
        most, stop = [0], threading.Event()

        def sample() -> None:
            while not stop.wait(0.1):
                unfinished = [w for w in proc.workflows() if w.get("status", {}).get("phase") not in DONE]
                most[0] = max(most[0], len(unfinished))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            counts = event_ids(settle(proc, acked, timeout=120))
        finally:
            stop.set()
            sampler.join(5)
        log = proc.log_tail(20000)
    assert set(counts) == acked and max(counts.values()) == 1
    assert LIMIT - 1 <= most[0] <= LIMIT, f"at most {most[0]} unfinished workflows seen at once"
    assert "target unavailable, the events will be redelivered" in log, "the bound was never reached"
