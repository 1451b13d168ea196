"""Load: webhook events at the highest rate the machine takes — zero lost, zero doubled — and the idle
memory of ``pinnace up -f examples/`` across all its processes (nats-server included).

CI sends ``PINNACE_LOAD_EVENTS`` (default 1,000) events. The full run is

    PINNACE_LOAD_EVENTS=10000 pytest tests/e2e/test_load.py -s

and ``bench/soak.py`` adds the steady-load soak with memory growth.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from tests.e2e.harness import EXAMPLES, free_port, up, wait_for
from tests.e2e.load import LoadThread, id_stream, percentile
from tests.e2e.test_crash import crash_files, event_ids, settle

EVENTS = int(os.environ.get("PINNACE_LOAD_EVENTS", "1000"))
IDLE_LIMIT_MIB = 250


def test_webhook_burst_loses_and_doubles_nothing(tmp_path: Path) -> None:
    port = free_port()
    with up(tmp_path / "data", crash_files(tmp_path, port), wait_ports=(port,)) as proc:
        load = LoadThread(f"http://127.0.0.1:{port}/hook", id_stream("load", EVENTS), concurrency=32)
        load.start()
        result = load.finish()
        statuses = sorted({s.status for s in result.sent})
        acked = result.acked()
        assert len(result.sent) == EVENTS
        assert len(acked) == EVENTS, f"only {len(acked)} of {EVENTS} accepted; statuses seen: {statuses}"
        t0 = time.monotonic()
        wfs = settle(proc, acked, timeout=max(120.0, EVENTS / 5))
        drained = time.monotonic() - t0
        counts = event_ids(wfs)
        assert set(counts) == acked, f"lost: {sorted(acked - set(counts))[:5]}"
        assert max(counts.values()) == 1, f"doubled: {[k for k, v in counts.items() if v > 1][:5]}"
        lat = result.latencies()
        rss = proc.rss()
    print(f"\nload: {EVENTS} events, {result.rate():.0f} accepted/s, latency p50 {percentile(lat, 0.5) * 1000:.1f} ms "
          f"p99 {percentile(lat, 0.99) * 1000:.1f} ms; all workflows finished {drained:.1f}s after the last 200; "
          f"0 lost, 0 doubled; RSS after: " + ", ".join(f"{k} {v / 1024:.0f} MiB" for k, v in rss.items()))


def examples_copy(tmp_path: Path, port: int) -> Path:
    """examples/ with the webhook moved to a free port (12000 may be taken on a shared machine)."""
    dest = tmp_path / "examples"
    shutil.copytree(EXAMPLES, dest)
    es = dest / "webhook" / "eventsource.yaml"
    es.write_text(es.read_text().replace('port: "12000"', f'port: "{port}"'))
    return dest


def test_idle_examples_stay_under_250_mib(tmp_path: Path) -> None:
    port = free_port()
    with up(tmp_path / "data", examples_copy(tmp_path, port), wait_ports=(port,)) as proc:
        wait_for(lambda: [w for w in proc.workflows() if w.get("status", {}).get("phase") == "Succeeded"] or None,
                 30, what="the coinflip workflow")
        time.sleep(3)  # idle: past start-up, nothing running
        rss = proc.rss()
    total_mib = sum(rss.values()) / 1024
    print(f"\nidle `pinnace up -f examples/`: {total_mib:.0f} MiB total ("
          + ", ".join(f"{k} {v / 1024:.0f} MiB" for k, v in sorted(rss.items())) + ")")
    assert "nats-server" in rss, f"the embedded nats-server was not counted: {rss}"
    assert total_mib < IDLE_LIMIT_MIB, f"idle RSS {total_mib:.0f} MiB over {IDLE_LIMIT_MIB} MiB: {rss}"
