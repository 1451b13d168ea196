"""Engine benchmarks: step overhead, the seed's 15x3-step experiment, retries, 1,000 workflows.

Run: ``/work/venv/bin/python bench/engine.py [--quick]``. Every figure is printed beside a bare
``asyncio.create_subprocess_exec`` baseline of the same commands, measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pinnace.resources.memory import MemoryClient
from workflows.controller import Controller

ECHO = ["echo", "hello"]
FAIL = ["sh", "-c", "exit 1"]
DONE = ("Succeeded", "Failed", "Error")


def workflow(name: str, groups: list[list[str]], command: list[str], retry: int | None = None) -> dict[str, Any]:
    leaf: dict[str, Any] = {"name": "leaf", "container": {"image": "alpine", "command": command}}
    if retry is not None:
        leaf["retryStrategy"] = {"limit": retry}
    steps = [[{"name": s, "template": "leaf"} for s in group] for group in groups]
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"name": name},
        "spec": {"entrypoint": "main", "templates": [{"name": "main", "steps": steps}, leaf]},
    }


class Waiter:
    """One watch for all workflows; resolves a future per name when it finishes."""

    def __init__(self, client: MemoryClient) -> None:
        self.client = client
        self.futures: dict[str, asyncio.Future[tuple[float, str]]] = {}
        self.task = asyncio.get_running_loop().create_task(self._watch(), name="bench-watch")

    async def _watch(self) -> None:
        async for ev in self.client.watch("Workflow"):
            phase = (ev.object.get("status") or {}).get("phase")
            fut = self.futures.get(ev.object["metadata"]["name"])
            if phase in DONE and fut is not None and not fut.done():
                fut.set_result((time.perf_counter(), phase))

    def expect(self, name: str) -> asyncio.Future[tuple[float, str]]:
        fut: asyncio.Future[tuple[float, str]] = asyncio.get_running_loop().create_future()
        self.futures[name] = fut
        return fut

    async def close(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


async def bare(command: list[str], steps: int) -> float:
    t0 = time.perf_counter()
    for _ in range(steps):
        proc = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE)
        await proc.communicate()
    return time.perf_counter() - t0


async def run_one(client: MemoryClient, waiter: Waiter, wf: dict[str, Any]) -> tuple[float, str]:
    fut = waiter.expect(wf["metadata"]["name"])
    t0 = time.perf_counter()
    await client.create(wf)
    t1, phase = await fut
    return t1 - t0, phase


def ms(x: float) -> str:
    return f"{x * 1000:7.1f} ms"


async def step_overhead(client: MemoryClient, waiter: Waiter, repeats: int) -> None:
    print("## Step overhead (create → Succeeded, sequential steps of `echo hello`; median of", repeats, "runs)")
    print(f"{'steps':>5} {'pinnace':>11} {'bare spawn':>11} {'overhead':>11} {'per step':>11}")
    for steps in (1, 2, 5, 10):
        ours, base = [], []
        for i in range(repeats):
            wf = workflow(f"ovh-{steps}-{i}", [[f"s{j}"] for j in range(steps)], ECHO)
            took, phase = await run_one(client, waiter, wf)
            assert phase == "Succeeded", phase
            ours.append(took)
            base.append(await bare(ECHO, steps))
        o, b = statistics.median(ours), statistics.median(base)
        print(f"{steps:>5} {ms(o)} {ms(b)} {ms(o - b)} {ms((o - b) / steps)}")


async def concurrent(
    client: MemoryClient, waiter: Waiter, label: str, count: int, command: list[str], retry: int | None, expect: str
) -> None:
    groups = [["step1"], ["step2a", "step2b"]]
    wfs = [workflow(f"{label}-{i}", groups, command, retry) for i in range(count)]
    t0 = time.perf_counter()
    results = await asyncio.gather(*(run_one(client, waiter, wf) for wf in wfs))
    total = time.perf_counter() - t0
    assert all(p == expect for _, p in results), {p for _, p in results}
    attempts = 1 + (retry or 0)
    if expect == "Failed":
        # step1 fails after all its attempts, so 2a/2b never start (as on Argo).
        sample = await client.get("Workflow", wfs[0]["metadata"]["name"])
        pods = [n for n in sample["status"]["nodes"].values() if n["type"] == "Pod"]
        assert len(pods) == attempts, len(pods)
        spawns = count * attempts
    else:
        spawns = count * 3
    t1 = time.perf_counter()

    async def bare_wf() -> None:
        # The same spawns without the engine: levels in order, workflows concurrent.
        if expect == "Failed":
            await bare(command, attempts)
            return
        await bare(command, 1)
        await asyncio.gather(bare(command, 1), bare(command, 1))

    await asyncio.gather(*(bare_wf() for _ in range(count)))
    base = time.perf_counter() - t1
    print(
        f"{label:<34} {count:>3} wfs  {spawns:>4} pods  pinnace {total:6.3f} s   bare spawn {base:6.3f} s   ({expect})"
    )


async def thousand(client: MemoryClient, waiter: Waiter, count: int) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    wfs = [workflow(f"k-{i}", [["only"]], ECHO) for i in range(count)]
    t0 = time.perf_counter()
    results = await asyncio.gather(*(run_one(client, waiter, wf) for wf in wfs))
    total = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert all(p == "Succeeded" for _, p in results)
    t1 = time.perf_counter()
    sem = asyncio.Semaphore(64)

    async def one() -> None:
        async with sem:
            await bare(ECHO, 1)

    await asyncio.gather(*(one() for _ in range(count)))
    base = time.perf_counter() - t1
    print(
        f"{count} one-step workflows at once: {total:6.2f} s → {count / total:7.1f} workflows/s "
        f"(bare spawn of the same {count} commands, 64 at a time: {base:5.2f} s → {count / base:7.1f}/s)"
    )
    print(f"  peak RSS of the controller process: {after / 1024:.0f} MiB (was {before / 1024:.0f} MiB before)")


async def main(quick: bool) -> None:
    with tempfile.TemporaryDirectory(dir=Path.home()) as data:
        client = MemoryClient()
        async with Controller(client, data) as ctl:
            waiter = Waiter(client)
            print(
                f"sandbox (private /tmp via mount namespace): {ctl.kubelet.sandbox.enabled}; "
                f"python {sys.version.split()[0]}\n"
            )
            await run_one(client, waiter, workflow("warmup", [["a"]], ECHO))
            await step_overhead(client, waiter, 5 if quick else 21)
            print("\n## The seed's experiment: step1, then step2a ‖ step2b")
            await concurrent(client, waiter, "15 x 3 steps, all succeed", 15, ECHO, None, "Succeeded")
            await concurrent(client, waiter, "15 x 3 steps, all fail, limit 10", 15, FAIL, 10, "Failed")
            print()
            await thousand(client, waiter, 200 if quick else 1000)
            await waiter.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats and 200 instead of 1,000 workflows")
    asyncio.run(main(parser.parse_args().quick))
