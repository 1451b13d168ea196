"""``filters.script``: a Lua script over the payload (``event``) that must return ``true``."""

from __future__ import annotations

from dataclasses import dataclass

from sensors import lua
from sensors.event import Event, PayloadError
from sensors.filters.base import FAIL, PASS, Outcome


@dataclass
class ScriptFilter:
    script: str
    # Argo returns a script error at once even under filtersLogicalOperator "or".
    fatal_errors: bool = True

    def evaluate(self, event: Event | None) -> Outcome:
        if event is None:
            return Outcome(False, "nil event")
        if not event.has_data:
            return PASS
        try:
            return PASS if lua.run_filter(self.script, event.data()) else FAIL
        except (lua.LuaError, PayloadError) as exc:
            return Outcome(False, str(exc))
