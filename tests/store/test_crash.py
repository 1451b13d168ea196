"""SIGKILL the API server in the middle of a burst of creates: every answered create survives."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import aiohttp

URL = "/apis/argoproj.io/v1alpha1/namespaces/default/workflows"


def start_server(data_dir: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "pinnace.api", "--data-dir", str(data_dir), "--port", "0", "--no-tls"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("pinnace api ready api="), line
    return proc, line.split("api=")[1].split()[0]


def workflow(name: str) -> dict[str, object]:
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"name": name},
            "spec": {"entrypoint": "main", "templates": [{"name": "main", "container": {"image": "alpine"}}]}}


async def burst(url: str, token: str, acked: list[str], writers: int = 8) -> None:
    headers = {"Authorization": f"Bearer {token}"}

    async def writer(session: aiohttp.ClientSession, w: int) -> None:
        i = 0
        while True:
            name = f"w{w}-{i}"
            i += 1
            try:
                async with session.post(url + URL, json=workflow(name)) as resp:
                    if resp.status == 201:
                        acked.append(name)
            except (aiohttp.ClientError, OSError):
                return

    async with aiohttp.ClientSession(headers=headers) as session:
        await asyncio.gather(*(writer(session, w) for w in range(writers)))


async def test_sigkill_during_creates_loses_no_acknowledged_write(tmp_path: Path) -> None:
    data = tmp_path / "data"
    proc, url = start_server(data)
    token = (data / "token").read_text().strip()
    acked: list[str] = []
    task = asyncio.create_task(burst(url, token, acked))
    while len(acked) < 300:  # noqa: ASYNC110 - polling a plain list the writers append to
        await asyncio.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    await asyncio.wait_for(task, 30)
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL

    conn = sqlite3.connect(data / "store.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()

    proc, url = start_server(data)
    try:
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as s, \
                s.get(url + URL) as resp:
            body = await resp.json()
        present = {i["metadata"]["name"] for i in body["items"]}
        missing = set(acked) - present
        assert not missing, f"{len(missing)} acknowledged creates lost, e.g. {sorted(missing)[:5]}"
        versions = [int(i["metadata"]["resourceVersion"]) for i in body["items"]]
        assert len(set(versions)) == len(versions)
        # The server keeps working after the crash: versions continue above everything stored.
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as s, \
                s.post(url + URL, json=workflow("after-crash")) as resp:
            assert resp.status == 201
            assert int((await resp.json())["metadata"]["resourceVersion"]) > max(versions)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
