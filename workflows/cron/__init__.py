"""CronWorkflow scheduling: a pure core (``core``) and the controller that carries it out."""

from workflows.cron.clock import Clock, ManualClock, SystemClock
from workflows.cron.controller import CronController
from workflows.cron.plane import CronPlane

__all__ = ["Clock", "CronController", "CronPlane", "ManualClock", "SystemClock"]
