"""Sensor resource model and its ``argo lint``-style checks; registers kind Sensor."""

from pinnace.resources.kinds import KindInfo, register_kind
from sensors.spec.dependency import EventDependency, EventDependencyFilter
from sensors.spec.parameter import TriggerContext, TriggerParameter, TriggerParameterSource
from sensors.spec.sensor import Sensor, SensorSpec, check_sensor
from sensors.spec.trigger import Trigger, TriggerTemplate
from sensors.spec.trigger_types import ARGO_ONLY_TRIGGERS, TRIGGER_TYPES, TriggerType, register_trigger_type

__all__ = [
    "ARGO_ONLY_TRIGGERS",
    "TRIGGER_TYPES",
    "EventDependency",
    "EventDependencyFilter",
    "Sensor",
    "SensorSpec",
    "Trigger",
    "TriggerContext",
    "TriggerParameter",
    "TriggerParameterSource",
    "TriggerTemplate",
    "TriggerType",
    "check_sensor",
    "register_trigger_type",
]

register_kind(KindInfo("Sensor", Sensor, "sensors", short_names=("sn",), check=check_sensor))
