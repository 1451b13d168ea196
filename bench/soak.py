"""Load and soak through a real ``pinnace up``: a burst at the highest rate, then steady load.

    python bench/soak.py                          # 10,000 events at max rate, then 15 min at 100/s
    python bench/soak.py --events 10000 --minutes 15 --rate 100
    python bench/soak.py --short                  # CI-sized: 500 events, 30 s at 50/s

Runs ``pinnace up`` as a subprocess on a temp data dir with a webhook event source and an
``atLeastOnce`` sensor whose one-step workflow appends its event id to a file, and
``ttlStrategy`` so finished workflows are collected and the store stays bounded. Reports:

* the burst: accepted events/s and latency p50/p99 beside a bare aiohttp handler answering 200
  (the same load generator, same run);
* lost (acknowledged but never run) and doubled (run more than once) events over the whole run;
* peak RSS per process (pinnace, nats-server, pods) and RSS growth over the steady phase, from 30 s in
  and after a warm-up (a third of the phase, at most 5 min);
* idle RSS of ``pinnace up -f examples/`` (webhook moved to a free port).

Exit status 1 when anything was lost or doubled.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

# Run as a script, bench/ comes first on sys.path and bench/bus.py would shadow the bus package.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from aiohttp import web  # noqa: E402

from tests.e2e import specs  # noqa: E402
from tests.e2e.harness import UpProcess, free_port, wait_for  # noqa: E402
from tests.e2e.load import LoadThread, id_stream, percentile, run_ids  # noqa: E402
from tests.e2e.test_load import examples_copy  # noqa: E402


class RssSampler(threading.Thread):
    def __init__(self, proc: UpProcess, every: float = 2.0) -> None:
        super().__init__(daemon=True, name="rss")
        self.proc, self.every = proc, every
        self.samples: list[tuple[float, dict[str, int]]] = []
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.wait(self.every):
            with contextlib.suppress(Exception):
                self.samples.append((time.monotonic(), self.proc.rss()))

    def peak(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for _, s in self.samples:
            for k, v in s.items():
                out[k] = max(out.get(k, 0), v)
        return out

    def core_total(self, since: float, until: float) -> list[int]:
        """pinnace + nats-server RSS (pods come and go) for samples in the window."""
        return [s.get("pinnace up", 0) + s.get("nats-server", 0) for t, s in self.samples if since <= t <= until]


def _growth(series: list[int]) -> float:
    return (series[-1] - series[0]) / series[0] * 100 if len(series) >= 2 and series[0] else float("nan")


def report_progress(sampler: RssSampler, load: LoadThread, until: float, every: float = 60.0) -> None:
    """One line a minute while the steady load runs: elapsed time, events so far, RSS per process."""
    start = time.monotonic()
    while (left := until - time.monotonic()) > 0:
        time.sleep(min(every, left))
        last = sampler.samples[-1][1] if sampler.samples else {}
        print(f"  {time.monotonic() - start:5.0f} s: {len(load.result.acked())} events, "
              + ", ".join(f"{k} {mib(v)}" for k, v in sorted(last.items()) if k != "pods"), flush=True)


def bare_baseline(events: int, concurrency: int) -> tuple[float, float, float]:
    """The same load generator against a bare aiohttp handler answering 200: req/s, p50, p99 (s)."""
    port = free_port()
    ready = threading.Event()
    stop: asyncio.Future[None] | None = None
    loop_box: list[asyncio.AbstractEventLoop] = []

    async def serve() -> None:
        nonlocal stop
        async def ok(request: web.Request) -> web.Response:
            await request.read()
            return web.Response(text="success")
        app = web.Application()
        app.router.add_post("/hook", ok)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        stop = asyncio.get_running_loop().create_future()
        loop_box.append(asyncio.get_running_loop())
        ready.set()
        await stop
        await runner.cleanup()

    server = threading.Thread(target=lambda: asyncio.run(serve()), daemon=True)
    server.start()
    ready.wait(10)
    load = LoadThread(f"http://127.0.0.1:{port}/hook", id_stream("base", events), concurrency=concurrency)
    load.start()
    res = load.finish()
    loop_box[0].call_soon_threadsafe(lambda: stop.set_result(None) if stop else None)
    server.join(10)
    lat = res.latencies()
    return res.rate(), percentile(lat, 0.5), percentile(lat, 0.99)


def mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def idle_rss(tmp: Path) -> dict[str, int]:
    port = free_port()
    proc = UpProcess(tmp / "idle-data", [examples_copy(tmp, port)], wait_ports=(port,))
    try:
        proc.start()
        wait_for(lambda: [w for w in proc.workflows() if w.get("status", {}).get("phase") == "Succeeded"] or None,
                 60, what="the coinflip workflow")
        time.sleep(3)
        return proc.rss()
    finally:
        proc.kill()


def soak(args: argparse.Namespace, tmp: Path) -> int:
    port = free_port()
    ids_file = Path("/var/tmp") / f"pinnace-soak-{os.getpid()}.ids"  # outside the pods' private /tmp
    ids_file.unlink(missing_ok=True)
    extra = ["--max-active-workflows", str(args.max_active)] if args.max_active is not None else None
    files = [specs.id_recording_files(tmp / "in", port, ids_file)]
    proc = UpProcess(tmp / "data", files, extra=extra, wait_ports=(port,))
    url = f"http://127.0.0.1:{port}/hook"
    try:
        proc.start()
        sampler = RssSampler(proc)
        sampler.start()
        burst = LoadThread(url, id_stream("burst", args.events), concurrency=args.concurrency)
        burst.start()
        b = burst.finish()
        lat = b.latencies()
        steady_start = time.monotonic()
        steady = LoadThread(url, id_stream("steady"), concurrency=8, rate=args.rate)
        steady.start()
        report_progress(sampler, steady, steady_start + args.minutes * 60)
        s = steady.halt()
        steady_end = time.monotonic()
        acked = b.acked() | s.acked()
        wait_for(lambda: acked <= set(run_ids(ids_file)) or None, max(120.0, len(acked) / 20), interval=1.0,
                 what="every acknowledged event to run")
        time.sleep(2)
        ran = run_ids(ids_file)
        sampler.halt.set()
        sampler.join()
    finally:
        proc.kill()
        ids_file.unlink(missing_ok=True)
    lost = len(acked - set(ran))
    doubled = sum(1 for k, v in ran.items() if v > 1 and k in acked)
    core = sampler.core_total(steady_start + min(30.0, args.minutes * 15), steady_end)
    growth = _growth(core)
    # The bus fills its first 8 MB stream block and its write cache during the first minutes; the
    # figure that shows a leak is the growth after that warm-up (a third of the run, at most 5 min).
    warm = sampler.core_total(steady_start + min(300.0, args.minutes * 20), steady_end)
    warm_growth = _growth(warm)
    print(f"burst: {args.events} events, {b.rate():.0f} accepted/s, p50 {percentile(lat, 0.5) * 1000:.1f} ms, "
          f"p99 {percentile(lat, 0.99) * 1000:.1f} ms, lost {len(b.acked() - set(ran))}, doubled "
          f"{sum(1 for k in b.acked() if ran.get(k, 0) > 1)}, rejected {args.events - len(b.acked())}")
    slat = s.latencies()
    print(f"soak: {args.minutes:g} min at {args.rate:g}/s, {len(s.acked())} events, p99 "
          f"{percentile(slat, 0.99) * 1000:.1f} ms, lost {lost}, doubled {doubled} (whole run), "
          f"pinnace+nats RSS {mib(core[0]) if core else '?'} -> {mib(core[-1]) if core else '?'}, "
          f"growth {growth:.1f} %; after warm-up {mib(warm[0]) if warm else '?'} -> "
          f"{mib(warm[-1]) if warm else '?'}, growth {warm_growth:.1f} %")
    print("peak RSS per process: " + ", ".join(f"{k} {mib(v)}" for k, v in sorted(sampler.peak().items())))
    return 1 if lost or doubled else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--events", type=int, default=10000, help="burst size, sent at the highest rate (default 10000)")
    p.add_argument("--minutes", type=float, default=15.0, help="steady-load duration (default 15)")
    p.add_argument("--rate", type=float, default=100.0, help="steady events/s (default 100)")
    p.add_argument("--concurrency", type=int, default=32, help="concurrent clients in the burst (default 32)")
    p.add_argument("--max-active", type=int, default=None, metavar="N",
                   help="pinnace up --max-active-workflows N (default: pinnace's own)")
    p.add_argument("--short", action="store_true", help="CI size: 500 events, 0.5 min at 50/s")
    args = p.parse_args()
    if args.short:
        args.events, args.minutes, args.rate = 500, 0.5, 50.0
    with tempfile.TemporaryDirectory(prefix="pinnace-soak-") as tmp:
        rate, p50, p99 = bare_baseline(min(args.events, 3000), args.concurrency)
        print(f"baseline: bare aiohttp handler {rate:.0f} req/s, p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms")
        idle = idle_rss(Path(tmp))
        print(f"idle RSS: {sum(idle.values()) / 1024:.0f} MiB total ("
              + ", ".join(f"{k} {mib(v)}" for k, v in sorted(idle.items())) + ")")
        return soak(args, Path(tmp))


if __name__ == "__main__":
    sys.exit(main())
