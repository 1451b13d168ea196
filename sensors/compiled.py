"""A Sensor turned into what runs: filters, transforms, conditions and parameters compiled once.

Works on the wire (camelCase) form of the Sensor, so it accepts the pydantic model from
``sensors.spec`` or a plain dict read from YAML or the API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sensors import params
from sensors.conditions import Condition, ConditionsError, all_dependencies, names, parse_conditions
from sensors.filters import DependencyFilter, UnsupportedFilter, compile_filters
from sensors.state import ResetSchedule
from sensors.transform import Transform, UnsupportedTransform, compile_transform
from triggers.base import TRIGGER_TYPES, load_types
from triggers.policy import ONE_SHOT, Backoff, RateLimiter


class SensorConfigError(ValueError):
    """The sensor cannot run as written; each line names a field path and what to do."""


@dataclass
class Dependency:
    name: str
    event_source: str
    event_name: str
    filter: DependencyFilter
    transform: Transform | None = None


@dataclass
class CompiledTrigger:
    name: str
    key: str
    template: dict[str, Any]
    parameters: list[params.Parameter]
    condition: Condition
    dependencies: frozenset[str]
    correlates: bool  # needs state: the condition has an && somewhere
    retry: Backoff = ONE_SHOT
    rate_limiter: RateLimiter | None = None
    policy: dict[str, Any] | None = None
    at_least_once: bool = False
    resets: list[ResetSchedule] = field(default_factory=list)
    dlq: CompiledTrigger | None = None
    where: str = ""


@dataclass
class CompiledSensor:
    name: str
    namespace: str
    dependencies: dict[str, Dependency]
    triggers: list[CompiledTrigger]
    event_bus: str = "default"

    def dependencies_for(self, event_source: str, event_name: str) -> list[Dependency]:
        return [d for d in self.dependencies.values()
                if d.event_source == event_source and d.event_name == event_name]


def _wire(sensor: Any) -> dict[str, Any]:
    if isinstance(sensor, dict):
        return sensor
    wire = getattr(sensor, "wire", None)
    if callable(wire):
        out: dict[str, Any] = wire()
        return out
    raise SensorConfigError(f"expected a Sensor object or dict, got {type(sensor).__name__}")


def _has_and(cond: Condition) -> bool:
    from sensors.conditions import AllOf, AnyOf

    if isinstance(cond, AllOf):
        return True
    if isinstance(cond, AnyOf):
        return any(_has_and(c) for c in cond.items)
    return False


def _trigger(item: dict[str, Any], deps: list[str], where: str, errors: list[str]) -> CompiledTrigger | None:
    template = item.get("template") or {}
    name = str(template.get("name") or "")
    key = next((k for k in template if k in TRIGGER_TYPES and template.get(k) is not None), None)
    if key is None:
        kinds = [k for k in template if k not in ("name", "conditions", "conditionsReset")]
        errors.append(f"{where}.template: trigger type {', '.join(kinds) or '(none)'} is not supported by pinnace; "
                      f"supported: {', '.join(sorted(TRIGGER_TYPES))}")
        return None
    try:
        conditions = template.get("conditions")
        cond = parse_conditions(str(conditions)) if conditions else all_dependencies(deps)
        missing = names(cond) - set(deps)
        if missing:
            raise ConditionsError(f"names unknown dependencies {sorted(missing)}")
        resets = [ResetSchedule(str(r["byTime"]["cron"]), str(r["byTime"].get("timezone") or ""))
                  for r in template.get("conditionsReset") or [] if r.get("byTime")]
        trigger = CompiledTrigger(
            name=name, key=key, template=template,
            parameters=params.compile_parameters(item.get("parameters"), f"{where}.parameters"),
            condition=cond, dependencies=frozenset(names(cond)), correlates=_has_and(cond),
            retry=Backoff.from_wire(item.get("retryStrategy"), f"{where}.retryStrategy")
            if item.get("retryStrategy") else ONE_SHOT,
            rate_limiter=RateLimiter.from_wire(item.get("rateLimit")),
            policy=item.get("policy"), at_least_once=bool(item.get("atLeastOnce")), resets=resets, where=where,
        )
    except (ValueError, KeyError, TypeError) as exc:
        errors.append(f"{where}: {exc}")
        return None
    if item.get("dlqTrigger"):
        trigger.dlq = _trigger(item["dlqTrigger"], deps, f"{where}.dlqTrigger", errors)
    return trigger


def compile_sensor(sensor: Any) -> CompiledSensor:
    load_types()
    wire = _wire(sensor)
    meta, spec = wire.get("metadata") or {}, wire.get("spec") or {}
    errors: list[str] = []
    deps: dict[str, Dependency] = {}
    for i, dep in enumerate(spec.get("dependencies") or []):
        where = f"spec.dependencies[{i}]"
        try:
            deps[str(dep["name"])] = Dependency(
                name=str(dep["name"]), event_source=str(dep.get("eventSourceName", "")),
                event_name=str(dep.get("eventName", "")),
                filter=compile_filters(dep.get("filters"), dep.get("filtersLogicalOperator"), f"{where}.filters"),
                transform=compile_transform(dep.get("transform"), f"{where}.transform"),
            )
        except (UnsupportedFilter, UnsupportedTransform, ValueError, KeyError) as exc:
            errors.append(f"{where}: {exc}")
    triggers = [t for i, item in enumerate(spec.get("triggers") or [])
                if (t := _trigger(item, list(deps), f"spec.triggers[{i}]", errors)) is not None]
    if errors:
        raise SensorConfigError("\n".join(errors))
    return CompiledSensor(
        name=str(meta.get("name") or ""), namespace=str(meta.get("namespace") or "default"),
        dependencies=deps, triggers=triggers, event_bus=str(spec.get("eventBusName") or "default"),
    )
