"""Run every bench script in bench/ and write the README "Performance" table.

    python bench/run_all.py            # full sizes (several minutes)
    python bench/run_all.py --quick    # reduced sizes, for a quick look

Each bench runs as its own subprocess (benches start their own nats-server / API server; running
them one after the other keeps them from measuring each other). Their printed figures are parsed;
a bench may also print machine-readable lines ``FIGURE <name> | <pinnace> | <baseline> | <argo>``,
which are taken verbatim. The table — each figure, its baseline measured in the same run, and the
figure Argo's users measured — goes to stdout and to bench/RESULTS.md with the machine description
and every bench's raw output.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


@dataclass
class Row:
    figure: str
    pinnace: str
    baseline: str
    argo: str = ""


Parser = Callable[[str], list[Row]]


@dataclass
class Bench:
    script: str
    full: list[str]
    quick: list[str]
    parse: Parser


def _find(pattern: str, text: str) -> re.Match[str] | None:
    return re.search(pattern, text, re.MULTILINE)


def parse_bus(out: str) -> list[Row]:
    rows = []
    for m in re.finditer(r"^(\S.*?)\s{2,}([\d.]+)\s+([\d.]+)\s+([\d.]+)x\s+(.*)$", out, re.MULTILINE):
        name = m.group(1).strip()
        if name == "measure":
            continue
        rows.append(Row(f"bus: {name}", m.group(2), f"{m.group(3)} raw nats-py ({m.group(4)}x; target {m.group(5)})"))
    return rows


def parse_api(out: str) -> list[Row]:
    rows = []
    serial = _find(r"creates/s, 1 client.*:\s*([\d.]+)", out)
    group = _find(r"creates/s, 32 clients.*:\s*([\d.]+)", out)
    if group and serial:
        rows.append(Row("API: creates/s, 32 clients", group.group(1), f"{serial.group(1)} (1 client, one fsync each)"))
    lst = _find(r"list all (\d+) objects\s*:\s*([\d.]+) ms \(baseline: [^)]*?([\d.]+) ms\)", out)
    if lst:
        rows.append(Row(f"API: list {lst.group(1)} workflows", f"{lst.group(2)} ms",
                        f"{lst.group(3)} ms (json dump+load in-process)"))
    argo = _find(r"Argo's JSON.*:\s*(\d+) bytes", out)
    blob = _find(r"object blob\s*:\s*(\d+) bytes", out)
    growth = _find(r"database file growth per workflow\s*:\s*(\d+) bytes", out)
    if argo and growth:
        rows.append(Row("store: bytes per finished ten-step workflow",
                        f"{growth.group(1)} B file growth ({blob.group(1) if blob else '?'} B object)",
                        f"{argo.group(1)} B (Argo's JSON, uncompressed)", "~200 KB of etcd"))
    return rows


def parse_engine(out: str) -> list[Row]:
    rows = []
    step = re.compile(r"^\s*(\d+)\s+([\d.]+) ms\s+([\d.]+) ms\s+(-?[\d.]+) ms\s+(-?[\d.]+) ms", re.MULTILINE)
    for m in step.finditer(out):
        argo = "50-60 s per step (pod start)" if m.group(1) == "1" else ""
        rows.append(Row(f"engine: {m.group(1)}-step workflow, create → Succeeded", f"{m.group(2)} ms",
                        f"{m.group(3)} ms bare spawn (overhead {m.group(5)} ms/step)", argo))
    runs = re.compile(r"^(15 x 3 steps, [^\n]*?)\s+(\d+) wfs\s+(\d+) pods\s+"
                      r"pinnace\s+([\d.]+) s\s+bare spawn\s+([\d.]+) s", re.MULTILINE)
    for m in runs.finditer(out):
        failing = "fail" in m.group(1)
        argo = "~10 min (11 failing attempts)" if failing else "~2 min (15 concurrent three-step workflows)"
        rows.append(Row(f"engine: {m.group(1).strip()} ({m.group(3)} pods)", f"{m.group(4)} s",
                        f"{m.group(5)} s bare spawn", argo))
    k = _find(r"(\d+) one-step workflows at once:.*?→\s*([\d.]+) workflows/s.*?→\s*([\d.]+)/s", out)
    if k:
        rows.append(Row(f"engine: {k.group(1)} one-step workflows at once", f"{k.group(2)} workflows/s",
                        f"{k.group(3)}/s bare spawn"))
    return rows


def parse_sensor(out: str) -> list[Row]:
    rows = []
    base = _find(r"baseline: decode CloudEvent\s+([\d,]+) events/s", out)
    filt = _find(r"3-filter dependency \+ 2 parameters applied\s+([\d,]+) events/s", out)
    if base and filt:
        rows.append(Row("sensor: 3 filters + params, in-process", f"{filt.group(1)} events/s",
                        f"{base.group(1)} events/s (decode only)"))
    raw = _find(r"baseline: raw consume \+ ack\s+([\d,]+) events/s", out)
    bus = _find(r"sensor: consume \+ 3 filters \+ params \+ ack\s+([\d,]+) events/s", out)
    if raw and bus:
        rows.append(Row("sensor: through the bus", f"{bus.group(1)} events/s",
                        f"{raw.group(1)} events/s raw consume+ack"))
    lraw = _find(r"baseline: publish -> consumed.*?p50\s+([\d.]+) ms\s+p99\s+([\d.]+) ms", out)
    lwf = _find(r"publish -> Workflow created.*?p50\s+([\d.]+) ms\s+p99\s+([\d.]+) ms", out)
    if lraw and lwf:
        rows.append(Row("sensor: event → Workflow created, p50 / p99", f"{lwf.group(1)} / {lwf.group(2)} ms",
                        f"{lraw.group(1)} / {lraw.group(2)} ms raw publish→consume"))
    return rows


def parse_webhook(out: str) -> list[Row]:
    rows = []
    med = _find(r"^median: pinnace (\d+) events/s, baseline (\d+) events/s", out)
    p99 = {who: sorted(float(m.group(1)) for m in re.finditer(rf"^\s*{who}\s+\d+ events/s.*?p99\s+([\d.]+) ms",
                                                              out, re.MULTILINE))
           for who in ("pinnace", "baseline")}
    if med:
        def mid(xs: list[float]) -> str:
            return f", p99 {xs[len(xs) // 2]:.1f} ms" if xs else ""
        lost = _find(r"^pinnace: \d+ accepted, \d+ stored, (\d+) lost", out)
        rows.append(Row("webhook: accepted events/s (bus ack before 200)",
                        f"{med.group(1)}/s{mid(p99['pinnace'])}" + (f", {lost.group(1)} lost" if lost else ""),
                        f"{med.group(2)}/s{mid(p99['baseline'])} (bare aiohttp + JetStream publish)"))
    return rows


def parse_soak(out: str) -> list[Row]:
    rows = []
    burst = _find(r"^burst: (\d+) events, ([\d.]+) accepted/s, p50 ([\d.]+) ms, p99 ([\d.]+) ms, "
                  r"lost (\d+), doubled (\d+)", out)
    base = _find(r"^baseline: bare aiohttp handler ([\d.]+) req/s, p50 ([\d.]+) ms, p99 ([\d.]+) ms", out)
    if burst:
        rows.append(Row(f"e2e: {burst.group(1)} webhook events → workflows (lost / doubled)",
                        f"{burst.group(2)} events/s, p99 {burst.group(4)} ms, {burst.group(5)} lost / "
                        f"{burst.group(6)} doubled",
                        f"{base.group(1)} req/s, p99 {base.group(3)} ms (bare aiohttp 200)" if base else ""))
    idle = _find(r"^idle RSS: ([\d.]+) MiB total \((.*)\)", out)
    if idle:
        rows.append(Row("e2e: idle `pinnace up -f examples/`, RSS all processes",
                        f"{idle.group(1)} MiB ({idle.group(2)})", "target < 250 MiB"))
    growth = _find(r"^soak: .*growth ([-\d.]+) %; after warm-up .*growth ([-\d.]+) %", out)
    if growth:
        rows.append(Row("e2e: RSS growth over the soak (from 30 s; after warm-up)",
                        f"{growth.group(1)} %; {growth.group(2)} %", "target ≤ 10 %"))
    return rows


BENCHES = [
    Bench("bus.py", [], ["--messages", "1000", "--rounds", "3"], parse_bus),
    Bench("api.py", [], ["--objects", "2000"], parse_api),
    Bench("engine.py", [], ["--quick"], parse_engine),
    Bench("webhook.py", [], [], parse_webhook),
    Bench("sensor.py", [], ["--events", "5000", "--latency", "100"], parse_sensor),
    Bench("soak.py", ["--events", "10000", "--minutes", "1"], ["--short"], parse_soak),
]


def generic_figures(out: str) -> list[Row]:
    rows = []
    for m in re.finditer(r"^FIGURE (.+?) \| (.*?) \| (.*?)(?: \| (.*))?$", out, re.MULTILINE):
        rows.append(Row(m.group(1), m.group(2), m.group(3), m.group(4) or ""))
    return rows


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                   if ln.startswith("model name"))
    mem = ""
    try:
        kib = int(next(ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines()
                       if ln.startswith("MemTotal")))
        mem = f", {kib / 1024 / 1024:.1f} GiB RAM"
    except (OSError, StopIteration):
        pass
    return (f"{cpu}, {os.cpu_count()} CPUs{mem}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}")


def run_bench(bench: Bench, quick: bool) -> tuple[list[Row], str, float, int]:
    args = [sys.executable, str(HERE / bench.script), *(bench.quick if quick else bench.full)]
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    t0 = time.monotonic()
    proc = subprocess.run(args, capture_output=True, text=True, cwd=REPO, env=env, timeout=3600)
    took = time.monotonic() - t0
    out = proc.stdout + ("\n" + proc.stderr[-3000:] if proc.returncode else "")
    rows = generic_figures(proc.stdout) + bench.parse(proc.stdout)
    return rows, out, took, proc.returncode


def table(rows: list[Row]) -> str:
    lines = ["| figure | pinnace | baseline (same run) | Argo, as our users measured |", "|---|---|---|---|"]
    lines += [f"| {r.figure} | {r.pinnace} | {r.baseline} | {r.argo} |" for r in rows]
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="reduced sizes (minutes instead of tens of minutes)")
    p.add_argument("--only", action="append", default=[], help="run only this bench script (repeatable)")
    p.add_argument("--output", default=str(HERE / "RESULTS.md"))
    args = p.parse_args()
    rows: list[Row] = []
    raw: list[str] = []
    failed = 0
    for bench in BENCHES:
        if args.only and bench.script not in args.only:
            continue
        if not (HERE / bench.script).exists():
            raw.append(f"### {bench.script}\n\nnot present in bench/: skipped\n")
            continue
        print(f"running bench/{bench.script} ...", file=sys.stderr, flush=True)
        found, out, took, code = run_bench(bench, args.quick)
        if code:
            failed += 1
            found.append(Row(f"{bench.script}: FAILED (exit {code})", "see raw output", ""))
        elif not found:
            found.append(Row(f"{bench.script}: no figure recognised", "see raw output", ""))
        rows += found
        raw.append(f"### bench/{bench.script} ({took:.0f} s, exit {code})\n\n```\n{out.strip()}\n```\n")
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    mode = "quick" if args.quick else "full"
    command = "python bench/run_all.py" + (" --quick" if args.quick else "")
    header = f"Measured {when} ({mode} run of `{command}`) on: {machine()}"
    text = f"## Performance\n\n{header}\n\n{table(rows)}\n"
    print(text)
    Path(args.output).write_text(text + "\n## Raw output\n\n" + "\n".join(raw))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
