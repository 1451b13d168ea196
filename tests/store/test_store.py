"""The store on its own: semantics the API and the in-process client share."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from pinnace.resources.errors import BadRequest, Conflict, Invalid, NotFound, TooManyRequests
from pinnace.store import codec
from pinnace.store.hub import Expired
from pinnace.store.local import LocalClient
from pinnace.store.selectors import LabelSelector
from pinnace.store.store import Store, StoreBusy


def wf(name: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"name": name},
        "spec": {"entrypoint": "main", "templates": [{"name": "main", "container": {"image": "alpine"}}]},
    }
    body.update(extra)
    return body


async def test_codec_round_trips_and_compresses() -> None:
    small = {"a": 1}
    assert codec.decode(codec.encode(small)) == small
    big = {"nodes": {f"n{i}": {"phase": "Succeeded", "displayName": f"step-{i}"} for i in range(50)}}
    blob = codec.encode(big)
    assert codec.decode(blob) == big
    assert len(blob) < len(str(big)) / 4


def test_label_selector_grammar() -> None:
    sel = LabelSelector.parse("a=1, b!=2,c in (x, y),d notin (z),e,!f")
    assert sel.matches({"a": "1", "c": "x", "e": ""})
    assert not sel.matches({"a": "1", "c": "x", "e": "", "f": "1"})
    assert not sel.matches({"a": "1", "b": "2", "c": "x", "e": ""})
    with pytest.raises(BadRequest):
        LabelSelector.parse("a in x")


async def test_update_semantics(tmp_path: Path) -> None:
    async with await Store.open(tmp_path) as store:
        c = LocalClient(store)
        a = await c.create(wf("a"))
        same = await c.update(a)
        assert same["metadata"]["resourceVersion"] == a["metadata"]["resourceVersion"]  # no-op: no new version
        status = dict(a, status={"phase": "Running"}, spec={"entrypoint": "ignored", "templates": []})
        b = await c.update_status(status)
        assert b["status"] == {"phase": "Running"} and b["spec"] == a["spec"]
        assert b["metadata"]["generation"] == 1
        with pytest.raises(Conflict):
            await c.update(a)
        c2 = await c.patch("Workflow", "a", {"spec": {"arguments": {"parameters": [{"name": "p", "value": "1"}]}}})
        assert c2["metadata"]["generation"] == 2
        with pytest.raises(Invalid) as exc:
            await c.patch("Workflow", "a", {"spec": {"entrypoint": "other"}})
        assert [p.path for p in exc.value.problems] == ["spec.entrypoint"]
        assert (await c.get("Workflow", "a"))["spec"]["entrypoint"] == "main"
        with pytest.raises(NotFound):
            await c.get("Workflow", "nope")


async def test_watch_resume_and_expiry(tmp_path: Path) -> None:
    async with await Store.open(tmp_path, event_window=4) as store:
        first = await store.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}})
        rv = first["metadata"]["resourceVersion"]
        for i in range(3):
            await store.patch("ConfigMap", "x", {"data": {"i": str(i)}})
        w = await store.watch("ConfigMap", "default", rv)
        got = [await asyncio.wait_for(w.next(), 2) for _ in range(3)]
        assert [e.type for e in got if e] == ["MODIFIED"] * 3
        w.close()
        for i in range(5):
            await store.patch("ConfigMap", "x", {"data": {"i": f"more{i}"}})
        with pytest.raises(Expired):
            await store.watch("ConfigMap", "default", rv)


async def test_ttl_moves_finished_workflows_to_the_archive(tmp_path: Path) -> None:
    async with await Store.open(tmp_path) as store:
        c = LocalClient(store)
        done = await c.create(wf("done", spec={"entrypoint": "main", "ttlStrategy": {"secondsAfterCompletion": 10},
                                               "templates": [{"name": "main", "container": {"image": "a"}}]}))
        await c.create(wf("running"))
        done["status"] = {"phase": "Succeeded", "finishedAt": "2020-01-01T00:00:00Z"}
        await c.update_status(done)
        assert await store.collect_garbage() == 1
        assert [o["metadata"]["name"] for o in await c.list("Workflow")] == ["running"]
        archived = await c.list_archived()
        assert [(o["metadata"]["name"], o["status"]["phase"]) for o in archived] == [("done", "Succeeded")]


async def test_ttl_collects_every_expired_workflow_not_one_batch(tmp_path: Path) -> None:
    spec = {"entrypoint": "main", "ttlStrategy": {"secondsAfterCompletion": 1},
            "templates": [{"name": "main", "container": {"image": "a"}}]}
    async with await Store.open(tmp_path) as store:
        c = LocalClient(store)
        for i in range(25):
            created = await c.create(wf(f"done-{i}", spec=spec))
            created["status"] = {"phase": "Succeeded", "finishedAt": "2020-01-01T00:00:00Z"}
            await c.update_status(created)
        await c.create(wf("running"))
        assert await store.collect_garbage(batch=10) == 25
        assert [o["metadata"]["name"] for o in await c.list("Workflow")] == ["running"]
        assert len(await c.list_archived()) == 25


async def test_unfinished_workflows_are_counted_again_after_a_reopen(tmp_path: Path) -> None:
    async with await Store.open(tmp_path, max_active_workflows=2) as store:
        c = LocalClient(store)
        await c.create(wf("running"))
        done = await c.create(wf("done"))
        await c.patch("Workflow", "done", {"metadata": {"labels": {"workflows.argoproj.io/completed": "true"}}})
        assert done["metadata"]["name"] == "done" and store.admission.active == 1
    async with await Store.open(tmp_path, max_active_workflows=2) as store:
        c = LocalClient(store)
        assert store.admission.active == 1
        await c.create(wf("second"))
        with pytest.raises(TooManyRequests):
            await c.create(wf("third"))
        await c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "free"}})


async def test_second_opener_is_refused(tmp_path: Path) -> None:
    async with await Store.open(tmp_path):
        with pytest.raises(StoreBusy, match="in use"):
            await Store.open(tmp_path)


def test_ttl_strategy_picks_the_field_argo_picks_for_each_phase() -> None:
    from pinnace.store.ttl import expires_at

    ttl = {"secondsAfterCompletion": 30, "secondsAfterSuccess": 10, "secondsAfterFailure": 20}
    finished = "2026-01-01T00:00:00Z"
    base = 1767225600.0  # 2026-01-01T00:00:00Z

    def wf(phase: str, strategy: dict[str, int]) -> dict[str, object]:
        return {"kind": "Workflow", "spec": {"ttlStrategy": strategy},
                "status": {"phase": phase, "finishedAt": finished}}

    assert expires_at(wf("Succeeded", ttl)) == base + 10
    assert expires_at(wf("Failed", ttl)) == base + 20
    assert expires_at(wf("Error", ttl)) == base + 30  # Error is not "Failed" to Argo's gc
    assert expires_at(wf("Failed", {"secondsAfterCompletion": 5})) == base + 5
    assert expires_at(wf("Running", ttl)) is None
