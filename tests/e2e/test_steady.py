"""Steady load, the CI form of ``bench/soak.py``: zero lost, zero doubled, and a store that stays bounded.

Workflows expire one second after they finish (``ttlStrategy``); under a steady rate the store
must hold about rate * (ttl + collection interval + run time) of them, not a growing pile —
what made the soak's memory grow before expired workflows were collected all at once. The
documented 15-minute soak with memory figures is ``python bench/soak.py --events 2000 --minutes 15
--rate 30`` (docs/operations.md).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from tests.e2e import specs
from tests.e2e.harness import free_port, up, wait_for
from tests.e2e.load import LoadThread, id_stream, run_ids

RATE = 40.0
SECONDS = float(os.environ.get("PINNACE_STEADY_SECONDS", "30"))
# ttl 1 s + collection every 5 s + a few seconds to run and to be listed, with room to spare.
BOUND = int(RATE * 10)


def test_steady_load_runs_every_event_once_and_the_store_stays_bounded(tmp_path: Path) -> None:
    port = free_port()
    ids_file = Path("/var/tmp") / f"pinnace-steady-{os.getpid()}-{port}.ids"  # outside the pods' private /tmp
    ids_file.unlink(missing_ok=True)
    try:
        files = specs.id_recording_files(tmp_path / "in", port, ids_file, ttl_seconds=1)
        with up(tmp_path / "data", files, wait_ports=(port,)) as proc:
            load = LoadThread(f"http://127.0.0.1:{port}/hook", id_stream("steady"), concurrency=8, rate=RATE)
            counts: list[int] = []
            stop = threading.Event()

            def sample() -> None:
                while not stop.wait(1.0):
                    counts.append(len(proc.workflows()))

            sampler = threading.Thread(target=sample, daemon=True)
            load.start()
            sampler.start()
            time.sleep(SECONDS)
            acked = load.halt().acked()
            stop.set()
            sampler.join(10)
            wait_for(lambda: acked <= set(run_ids(ids_file)) or None, 60, interval=0.5,
                     what="every acknowledged event to run")
            time.sleep(1.0)
            ran = run_ids(ids_file)
    finally:
        ids_file.unlink(missing_ok=True)
    assert len(acked) >= RATE * SECONDS * 0.8, f"only {len(acked)} events accepted in {SECONDS:g} s"
    assert set(ran) == acked, f"lost: {sorted(acked - set(ran))[:5]}"
    assert max(ran.values()) == 1, f"doubled: {[k for k, v in ran.items() if v > 1][:5]}"
    late = counts[len(counts) // 2:]
    assert late and max(late) <= BOUND, f"workflows in the store over the second half: {late} (bound {BOUND})"
