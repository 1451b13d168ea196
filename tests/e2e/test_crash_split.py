"""Crash: SIGKILL single planes of a split deployment at random points under webhook load.

nats-server, ``pinnace run api``, ``engine``, ``sensors`` and ``eventsources`` run as separate
processes on one data dir (``split.SplitDeployment``). Webhook load runs throughout; at random
points one plane — the event-source plane, the sensor plane, the engine, the API or the NATS
server — is SIGKILLed (with its pods), left down a random moment and started again while the
others carry on. With an ``atLeastOnce`` sensor, every event that got a 200 must end as exactly
one workflow, no workflow may stay Running once the engine is back, the store must pass
``PRAGMA integrity_check`` and the stream must still carry events after the last restart.

CI kills each plane once, in a random order (5 kills). The full run:

    PINNACE_CRASH_ROUNDS=25 pytest tests/e2e/test_crash_split.py -s
    PINNACE_CRASH_SEED=42 pytest tests/e2e/test_crash_split.py -s     # the same kill plan again
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import time
from collections import Counter
from pathlib import Path
from typing import Any

from tests.e2e import specs
from tests.e2e.harness import DONE, free_port, http, processes_using, wait_for
from tests.e2e.load import LoadThread, id_stream
from tests.e2e.split import SplitDeployment, split

PLANES = ("eventsources", "sensors", "engine", "api", "nats")
ROUNDS = int(os.environ.get("PINNACE_CRASH_ROUNDS", str(len(PLANES))))
# Low enough that the pods of every accepted event run within the test's budget on 2 cores.
RATE = float(os.environ.get("PINNACE_CRASH_RATE", "25"))


# Covers an API restart (down up to 1 s, then ~1-2 s to start): the sensor plane cannot create a
# workflow while the API is gone, and without a retryStrategy the event is acked after the first
# failed attempt (as in Argo, see test_event_accepted_while_the_api_is_down_ends_as_a_workflow).
RETRY = {"steps": 8, "duration": "500ms", "factor": 2}


def crash_files(tmp_path: Path, port: int, retry: dict[str, Any] | None = RETRY) -> Path:
    wf = {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"generateName": "ev-"},
        "spec": {"entrypoint": "main", "arguments": {"parameters": [{"name": "id", "value": "none"}]},
                 "templates": [{"name": "main", "inputs": {"parameters": [{"name": "id"}]},
                                "container": {"image": "alpine", "command": ["echo", "{{inputs.parameters.id}}"]}}]},
    }
    sensor = specs.sensor("on-hook", "hook", "hook", wf, [("body.id", 0)])
    if retry:
        sensor["spec"]["triggers"][0]["retryStrategy"] = retry
    return specs.write(tmp_path / "in" / "crash.yaml", specs.plain_webhook("hook", port), sensor)


def kill_plan(rng: random.Random, rounds: int) -> list[str]:
    """Every plane once per ``len(PLANES)`` rounds, each block in a random order; the last kill is
    the API's, so every run proves that the planes which all depend on it resume after it restarts
    (a plane restarted after the API never sees a cut connection)."""
    plan: list[str] = []
    while len(plan) < rounds:
        block = list(PLANES)
        rng.shuffle(block)
        plan += block
    plan = plan[:rounds]
    if "api" in plan:
        plan.remove("api")
    return [*plan, "api"]


def event_ids(workflows: list[dict[str, Any]]) -> Counter[str]:
    return Counter(str(w["spec"]["arguments"]["parameters"][0]["value"]) for w in workflows
                   if str(w["metadata"]["name"]).startswith("ev-"))


def settle(dep: SplitDeployment, acked: set[str], timeout: float = 45.0) -> list[dict[str, Any]]:
    """Wait until every acknowledged event has its workflow and no workflow is unfinished."""
    def settled() -> list[dict[str, Any]] | None:
        wfs = dep.workflows()
        missing = acked - set(event_ids(wfs))
        unfinished = [w for w in wfs if w.get("status", {}).get("phase") not in DONE]
        return wfs if not missing and not unfinished else None
    try:
        return wait_for(settled, timeout, interval=0.5, what="every acked event to end as a finished workflow")
    except AssertionError:
        wfs = dep.workflows()
        missing = sorted(acked - set(event_ids(wfs)))
        stuck = {w["metadata"]["name"]: w.get("status", {}).get("phase") for w in wfs
                 if w.get("status", {}).get("phase") not in DONE}
        raise AssertionError(f"lost {len(missing)} of {len(acked)} acked events (e.g. {missing[:5]}); "
                             f"unfinished workflows: {dict(list(stuck.items())[:10])} ({len(stuck)}); "
                             f"logs:\n{dep.log_tails()}") from None


def crash_rounds(dep: SplitDeployment, url: str, rng: random.Random) -> tuple[set[str], int, list[str]]:
    """Load throughout; kill and restart one plane per round. (acked ids, requests sent, kill log)."""
    load = LoadThread(url, id_stream("ev"), concurrency=8, rate=RATE)
    load.start()
    kills: list[str] = []
    try:
        for key in kill_plan(rng, ROUNDS):
            time.sleep(rng.uniform(0.2, 2.0))
            dep.kill(key)
            down = rng.uniform(0.0, 1.0)
            time.sleep(down)
            dep.restart(key)
            kills.append(f"{key} (down {down:.1f}s)")
            assert all(dep.alive().values()), f"after restarting {key}: {dep.alive()}\n{dep.log_tails()}"
        time.sleep(rng.uniform(0.2, 1.0))
    finally:
        result = load.halt()
    return result.acked(), len(result.sent), kills


def test_sigkill_of_single_planes_under_webhook_load_loses_and_doubles_nothing(tmp_path: Path) -> None:
    seed = os.environ.get("PINNACE_CRASH_SEED") or str(random.randrange(1 << 30))
    rng = random.Random(seed)
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    data = tmp_path / "data"
    with split(data, crash_files(tmp_path, port), wait_ports=(port,)) as dep:
        acked, sent, kills = crash_rounds(dep, url, rng)
        assert acked, f"no event was acknowledged at all (seed {seed}):\n{dep.log_tails()}"
        counts = event_ids(settle(dep, acked))
        doubled = {k: v for k, v in counts.items() if v > 1}
        assert not doubled, f"events that started more than one workflow (seed {seed}): {doubled}"
        # The restarted stream still carries events end to end.
        tail = LoadThread(url, id_stream("after", 20), concurrency=4)
        tail.start()
        tail_acked = tail.finish(120).acked()
        assert tail_acked == {f"after-{i:06d}" for i in range(20)}
        final = event_ids(settle(dep, acked | tail_acked))
        assert max(final.values()) == 1, f"doubled after the tail: {[k for k, v in final.items() if v > 1]}"
        codes = dep.stop()
        assert codes == dict.fromkeys(codes, 0), f"planes did not stop cleanly: {codes}\n{dep.log_tails()}"
        nats_log = dep.nats.server.log_path.read_text(errors="replace")
    # Every restart of the SIGKILLed server recovered the stream from its store, without an error.
    assert nats_log.count("Restored ") >= 2 * (dep.nats.starts - 1), nats_log[-3000:]
    assert "[ERR]" not in nats_log and "[FTL]" not in nats_log, nats_log[-3000:]
    assert processes_using(data) == []
    with sqlite3.connect(f"file:{data / 'store.db'}?mode=ro", uri=True) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    print(f"\ncrash-split (seed {seed}): {len(kills)} kills [{', '.join(kills)}], {sent} requests, "
          f"{len(acked)} acked, {len(final)} distinct events with a workflow, 0 lost, 0 doubled")


def test_event_accepted_while_the_api_is_down_ends_as_a_workflow(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    with split(tmp_path / "data", crash_files(tmp_path, port, retry=None), wait_ports=(port,)) as dep:
        dep.kill("api")
        ids = {f"down-{i}" for i in range(3)}
        for event_id in sorted(ids):
            status, body = http("POST", url, json.dumps({"id": event_id}).encode(),
                                {"Content-Type": "application/json"})
            assert status == 200, f"{event_id}: {status} {body!r}"  # the bus took it: acknowledged
        time.sleep(1.0)  # the sensor plane gets them while the API is still gone
        dep.restart("api")
        # Only the sensor's part: a workflow exists for each (running them is the engine's, above).
        wait_for(lambda: ids <= set(event_ids(dep.workflows())) or None, 15,
                 what=f"a workflow for each of {sorted(ids)}")


def test_engine_keeps_running_workflows_after_an_api_restart(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    with split(tmp_path / "data", crash_files(tmp_path, port), wait_ports=(port,)) as dep:
        first = {"before-0"}
        assert http("POST", url, b'{"id": "before-0"}', {"Content-Type": "application/json"})[0] == 200
        settle(dep, first, timeout=20)
        dep.kill("api")
        dep.restart("api")
        assert http("POST", url, b'{"id": "after-0"}', {"Content-Type": "application/json"})[0] == 200
        settle(dep, first | {"after-0"}, timeout=15)
        assert dep.alive() == dict.fromkeys(dep.planes, True)
