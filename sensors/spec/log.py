"""The ``log`` trigger: print the triggering events (``LogTrigger``)."""

from __future__ import annotations

from eventsources.spec.common import EventsModel
from pinnace.resources.base import Problems, join_path
from sensors.spec.parameter import TriggerContext
from sensors.spec.trigger_types import register_trigger_type


class LogTrigger(EventsModel):
    interval_seconds: int | None = None


def check_log(trigger: LogTrigger, path: str, _: TriggerContext, problems: Problems) -> None:
    if trigger.interval_seconds is not None and trigger.interval_seconds < 0:
        message = f"intervalSeconds must be 0 or more, got {trigger.interval_seconds}"
        problems.error(join_path(path, "intervalSeconds"), message)


register_trigger_type("log", LogTrigger, check_log)
