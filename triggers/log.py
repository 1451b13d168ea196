"""The ``log`` trigger: print the triggering events (Argo's log trigger), at most every ``intervalSeconds``."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from sensors.event import Event, PayloadError
from triggers.base import Firing, Services, TriggerSpec, register

log = logging.getLogger("pinnace.trigger.log")


def _describe(dep: str, event: Event) -> dict[str, Any]:
    try:
        data: Any = event.data()
    except PayloadError:
        data = event.data_bytes().decode("utf-8", "replace")
    return {"dependency": dep, "eventContext": event.context(), "data": data}


@dataclass
class LogTrigger:
    spec: TriggerSpec
    services: Services
    type: str = "log"
    _last: float = field(default=0.0)

    async def fetch(self) -> Any:
        return self.spec.body

    def apply_parameters(self, resource: Any, events: dict[str, Event]) -> Any:
        return resource

    async def execute(self, resource: Any, firing: Firing) -> Any:
        interval = float((resource or {}).get("intervalSeconds") or 0)
        state = self.services.cache.setdefault(f"log:{self.spec.name}", {"last": 0.0})
        now = time.monotonic()
        if interval and now - state["last"] < interval:
            return None
        state["last"] = now
        for dep, event in firing.events.items():
            log.info("%s", json.dumps(_describe(dep, event), default=str))
        return None

    async def apply_policy(self, result: Any) -> None:
        return None


@register("log")
def build(spec: TriggerSpec, services: Services) -> LogTrigger:
    return LogTrigger(spec, services)
