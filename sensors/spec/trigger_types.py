"""The registry of trigger types: template key -> strict model and semantic check.

Each implemented type module registers itself; ``trigger.py`` builds the ``TriggerTemplate``
fields from this dict. The other trigger keys Argo defines (``ARGO_ONLY_TRIGGERS``) are parsed
as opaque mappings and reported unsupported.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pinnace.resources.base import Problems
from pinnace.resources.registry import SpecType, SpecTypes
from sensors.spec.parameter import TriggerContext

# (trigger model, path of the model, what the sensor defines, problems)
TriggerCheck = Callable[[Any, str, TriggerContext, Problems], None]
TriggerType = SpecType[TriggerCheck]

# The remaining trigger keys of Argo's TriggerTemplate (pkg/apis/events/v1alpha1/sensor_types.go).
ARGO_ONLY_TRIGGERS: tuple[str, ...] = (
    "awsLambda",
    "custom",
    "kafka",
    "slack",
    "openWhisk",
    "azureEventHubs",
    "pulsar",
    "azureServiceBus",
    "email",
)

TRIGGER_TYPES: SpecTypes[TriggerCheck] = SpecTypes("trigger type", ARGO_ONLY_TRIGGERS)
register_trigger_type = TRIGGER_TYPES.register
