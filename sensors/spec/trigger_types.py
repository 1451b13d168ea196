"""The registry of trigger types: template key -> strict model and semantic check.

Each implemented type module registers itself; ``trigger.py`` builds the ``TriggerTemplate``
fields from this dict. The other trigger keys Argo defines (``ARGO_ONLY_TRIGGERS``) are parsed
as opaque mappings and reported unsupported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pinnace.resources.base import ArgoModel, Problems
from sensors.spec.parameter import TriggerContext

# (trigger model, path of the model, what the sensor defines, problems)
TriggerCheck = Callable[[Any, str, TriggerContext, Problems], None]


@dataclass(frozen=True)
class TriggerType:
    key: str
    model: type[ArgoModel]
    check: TriggerCheck


TRIGGER_TYPES: dict[str, TriggerType] = {}

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


def register_trigger_type(key: str, model: type[ArgoModel], check: TriggerCheck) -> None:
    if key in TRIGGER_TYPES or key in ARGO_ONLY_TRIGGERS:
        raise ValueError(f"trigger type {key!r} registered twice")
    TRIGGER_TYPES[key] = TriggerType(key, model, check)
