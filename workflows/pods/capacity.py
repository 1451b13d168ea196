"""Admission against the machine: ``resources.requests`` vs CPUs and memory."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

_SUFFIX = {
    "": 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "m": 0.001,
}


def quantity(text: str | int | float) -> float:
    """A Kubernetes quantity (``100m``, ``1.5``, ``64Mi``) as a number."""
    m = re.fullmatch(r"\s*([0-9.]+)\s*([kMGT]i?|m)?\s*", str(text))
    if not m:
        raise ValueError(f"invalid quantity {text!r}")
    return float(m.group(1)) * _SUFFIX[m.group(2) or ""]


def host_memory() -> float:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    return float(8 * 2**30)


@dataclass
class Request:
    cpu: float = 0.0
    memory: float = 0.0


def requests_of(container: dict[str, object]) -> Request:
    res = container.get("resources") or {}
    req = (res.get("requests") or {}) if isinstance(res, dict) else {}
    try:
        return Request(quantity(req.get("cpu", 0)), quantity(req.get("memory", 0)))
    except ValueError:
        return Request()


class Capacity:
    """Fits pods by requests; ``max_pods`` also bounds how many processes run at once."""

    def __init__(self, cpu: float | None = None, memory: float | None = None, max_pods: int | None = None):
        self.cpu = float(cpu if cpu is not None else os.cpu_count() or 1)
        self.memory = float(memory if memory is not None else host_memory())
        self.max_pods = max_pods if max_pods is not None else max(64, 32 * int(self.cpu))
        self.used = Request()
        self.running = 0

    def fits(self, req: Request) -> bool:
        if self.running >= self.max_pods:
            return False
        if self.running == 0:
            return True  # a pod larger than the machine still runs alone rather than wait forever
        return self.used.cpu + req.cpu <= self.cpu and self.used.memory + req.memory <= self.memory

    def take(self, req: Request) -> None:
        self.running += 1
        self.used.cpu += req.cpu
        self.used.memory += req.memory

    def give(self, req: Request) -> None:
        self.running -= 1
        self.used.cpu -= req.cpu
        self.used.memory -= req.memory
