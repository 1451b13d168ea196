"""Lifecycle hooks (workflow, step and task level) and the phase labels on the Workflow object."""

from __future__ import annotations

import asyncio
from pathlib import Path

from engine_sim import Sim, fail, load
from test_controller import wait_done

from pinnace.resources.memory import MemoryClient
from workflows.controller import Controller

STEPS = """
spec:
  entrypoint: main
  hooks:
    exit: {template: note}
    running: {expression: workflow.status == "Running", template: note}
  templates:
    - name: main
      steps:
        - - name: step-1
            template: work
            hooks:
              running: {expression: 'steps["step-1"].status == "Running"', template: note}
              success: {expression: 'steps["step-1"].status == "Succeeded"', template: note}
              failed: {expression: 'steps["step-1"].status == "Failed"', template: note}
    - name: work
      container: {image: alpine, command: ["true"]}
    - name: note
      container: {image: alpine, command: [echo, hook]}
"""


def test_step_and_workflow_hooks_fire_once_when_true() -> None:
    sim = Sim(load(STEPS))
    sim.hold = {"work"}  # observed Running for a pass, so the "running" hook can fire
    sim.step()
    sim.step()
    assert sim.node("wf[0].step-1")["phase"] == "Running"
    sim.hold.clear()
    status = sim.run()
    assert status["phase"] == "Succeeded"
    names = {n["name"]: n for n in status["nodes"].values()}
    step = names["wf[0].step-1"]
    running, success = names["wf[0].step-1.hooks.running"], names["wf[0].step-1.hooks.success"]
    assert "wf[0].step-1.hooks.failed" not in names
    assert running["phase"] == success["phase"] == "Succeeded"
    assert running["nodeFlag"] == {"hooked": True}
    assert running["displayName"] == "step-1.hooks.running"
    assert {running["id"], success["id"]} <= set(step["children"])
    wf_hook = names["wf.hooks.running"]
    assert wf_hook["phase"] == "Succeeded" and wf_hook["id"] in names["wf"]["children"]
    assert names["wf.onExit"]["phase"] == "Succeeded"
    assert [r.node_name for r in sim.requests].count("wf[0].step-1.hooks.success") == 1


def test_failed_step_fires_its_failure_hook_and_the_group_waits_for_it() -> None:
    sim = Sim(load(STEPS), behaviours={"work": fail(2)})
    status = sim.run()
    assert status["phase"] == "Failed"
    names = {n["name"]: n for n in status["nodes"].values()}
    assert names["wf[0].step-1.hooks.failed"]["phase"] == "Succeeded"
    assert "wf[0].step-1.hooks.success" not in names
    group = names["wf[0]"]
    assert group["message"] == f"child '{names['wf[0].step-1']['id']}' failed"
    assert group["finishedAt"] >= names["wf[0].step-1.hooks.failed"]["finishedAt"]


def test_dag_task_hook_sees_its_own_task() -> None:
    wf = load(
        """
spec:
  entrypoint: main
  templates:
    - name: main
      dag:
        tasks:
          - name: a
            template: work
            hooks:
              done: {expression: tasks.a.status == "Succeeded", template: note}
          - {name: b, template: work, depends: a}
    - name: work
      container: {image: alpine, command: ["true"]}
    - name: note
      container: {image: alpine, command: [echo, hook]}
"""
    )
    sim = Sim(wf)
    status = sim.run()
    assert status["phase"] == "Succeeded"
    hook = sim.node("wf.a.hooks.done")
    b = sim.node("wf.b")
    assert hook["phase"] == "Succeeded"
    # b waits for a's triggered hook, as a dependency is fulfilled only with its hooks.
    assert b["startedAt"] >= hook["finishedAt"]


async def test_controller_keeps_phase_labels_up_to_date(tmp_path: Path) -> None:
    client = MemoryClient()
    wf = load(STEPS, "labelled")
    wf.update(apiVersion="argoproj.io/v1alpha1", kind="Workflow")
    async with Controller(client, tmp_path):
        await client.create(wf)
        await wait_done(client, "labelled")
        for _ in range(50):
            labels = (await client.get("Workflow", "labelled"))["metadata"].get("labels") or {}
            if labels.get("workflows.argoproj.io/completed") == "true":
                break
            await asyncio.sleep(0.02)
    assert labels == {"workflows.argoproj.io/phase": "Succeeded", "workflows.argoproj.io/completed": "true"}


PODGC = """
spec:
  entrypoint: main
  podGC: {strategy: STRATEGY, labelSelector: {matchLabels: {gc: "yes"}}}
  templates:
    - name: main
      steps:
        - - {name: ok, template: ok}
          - {name: bad, template: bad, continueOn: {failed: true}}
          - {name: kept, template: kept}
    - name: ok
      metadata: {labels: {gc: "yes"}}
      container: {image: alpine, command: ["true"]}
    - name: bad
      metadata: {labels: {gc: "yes"}}
      container: {image: alpine, command: ["false"]}
    - name: kept
      container: {image: alpine, command: ["true"]}
"""


def _deleted(strategy: str) -> set[str]:
    sim = Sim(load(PODGC.replace("STRATEGY", strategy)), behaviours={"bad": fail(1)})
    gone: set[str] = set()
    for _ in range(20):
        out = sim.step()
        gone |= {d.node_id for d in out.delete_pods}
        if out.completed:
            break
        sim.finish_running()
    return {sim.status["nodes"][nid]["displayName"] for nid in gone}


def test_pod_gc_strategies_pick_the_pods_argo_deletes() -> None:
    assert _deleted("OnPodCompletion") == {"ok", "bad"}
    assert _deleted("OnPodSuccess") == {"ok"}
    assert _deleted("OnWorkflowCompletion") == {"ok", "bad"}
    assert _deleted("OnWorkflowSuccess") == {"ok", "bad"}


async def test_kubelet_pod_deletion_keeps_the_log(tmp_path: Path) -> None:
    client = MemoryClient()
    wf = load(PODGC.replace("STRATEGY", "OnPodSuccess"), "gc")
    wf.update(apiVersion="argoproj.io/v1alpha1", kind="Workflow")
    async with Controller(client, tmp_path) as ctl:
        await client.create(wf)
        done = await wait_done(client, "gc")
        ok = next(n for n in done["status"]["nodes"].values() if n["displayName"] == "ok")
        kept = next(n for n in done["status"]["nodes"].values() if n["displayName"] == "kept")
        pod_dir = ctl.log_path("default", "gc", ok["id"]).parent
        assert pod_dir.is_dir() and sorted(p.name for p in pod_dir.iterdir()) == ["main.log"]
        assert (ctl.log_path("default", "gc", kept["id"]).parent / "tmp").is_dir()
