"""The Sensor resource (``SensorSpec`` in argo-events ``sensor_types.go``) and its checks."""

from __future__ import annotations

from eventsources.spec.checks import require
from eventsources.spec.common import EventsModel, Status, Template
from pinnace.resources.base import Problem, Problems, Resource, join_path
from sensors.spec.dependency import EventDependency, check_dependencies
from sensors.spec.parameter import TriggerContext
from sensors.spec.trigger import Trigger, check_trigger


class SensorSpec(EventsModel):
    dependencies: list[EventDependency] | None = None
    triggers: list[Trigger] | None = None
    template: Template | None = None
    error_on_failed_round: bool | None = None
    event_bus_name: str | None = None
    replicas: int | None = None
    revision_history_limit: int | None = None
    logging_fields: dict[str, str] | None = None


class Sensor(Resource):
    kind: str = "Sensor"
    spec: SensorSpec
    status: Status | None = None


def check_trigger_names(triggers: list[Trigger], problems: Problems) -> None:
    seen: set[str] = set()
    for i, trigger in enumerate(triggers):
        name = trigger.template.name if trigger.template else ""
        if name and name in seen:
            problems.error(join_path("spec.triggers", i, "template", "name"), f"duplicate trigger name {name!r}")
        seen.add(name)


def check_sensor(resource: Resource) -> list[Problem]:
    assert isinstance(resource, Sensor)
    spec = resource.spec
    problems = Problems()
    deps = spec.dependencies or []
    check_dependencies(deps, "spec.dependencies", problems)
    ctx = TriggerContext(frozenset(d.name for d in deps if d.name))
    triggers = spec.triggers or []
    if not triggers:
        problems.error("spec.triggers", "the sensor defines no triggers: add at least one action to take")
    for i, trigger in enumerate(triggers):
        check_trigger(trigger, join_path("spec.triggers", i), ctx, problems)
    check_trigger_names(triggers, problems)
    require(resource.metadata.name or resource.metadata.generate_name, "metadata.name", problems, "the sensor's name")
    if spec.replicas is not None and spec.replicas < 0:
        problems.error("spec.replicas", f"replicas must not be negative, got {spec.replicas}")
    return problems.items
