"""Trigger parameters: values taken from events and written into the trigger (``TriggerParameter``).

pinnace extension: ``src.jmespath``, a JMESPath expression evaluated on the event payload whose
result becomes the parameter value.
"""

from __future__ import annotations

from dataclasses import dataclass

from eventsources.spec.checks import check_enum, one_of, require
from eventsources.spec.common import AnyStr, EventsModel
from pinnace.resources.base import Problems, join_path
from sensors.spec.dependency import check_jmespath

PARAMETER_OPERATIONS = ("overwrite", "append", "prepend")


@dataclass(frozen=True)
class TriggerContext:
    """What a trigger's checks need to know about the rest of the sensor."""

    dependencies: frozenset[str]


class TriggerParameterSource(EventsModel):
    dependency_name: str = ""
    context_key: str | None = None
    context_template: str | None = None
    data_key: str | None = None
    data_template: str | None = None
    value: AnyStr | None = None
    use_raw_data: bool | None = None
    jmespath: str | None = None


class TriggerParameter(EventsModel):
    src: TriggerParameterSource | None = None
    dest: str = ""
    operation: str | None = None


def check_dependency_ref(name: str, path: str, ctx: TriggerContext, problems: Problems) -> None:
    if not require(name, path, problems, f"one of the sensor's dependencies: {one_of(sorted(ctx.dependencies))}"):
        return
    if name not in ctx.dependencies:
        problems.error(path, f"unknown dependency {name!r}; the sensor defines {one_of(sorted(ctx.dependencies))}")


def check_parameter(
    param: TriggerParameter, path: str, ctx: TriggerContext, problems: Problems, *, dest_required: bool = True
) -> None:
    src = param.src
    if src is None:
        require(None, join_path(path, "src"), problems, "where the value comes from (dependencyName and dataKey, ...)")
    else:
        src_path = join_path(path, "src")
        check_dependency_ref(src.dependency_name, join_path(src_path, "dependencyName"), ctx, problems)
        check_jmespath(src.jmespath, join_path(src_path, "jmespath"), problems)
    if dest_required:
        require(param.dest, join_path(path, "dest"), problems, "the path to write the value to, such as spec.arguments")
    if param.operation:
        check_enum(param.operation, PARAMETER_OPERATIONS, join_path(path, "operation"), problems, "operation")


def check_parameters(
    params: list[TriggerParameter] | None,
    path: str,
    ctx: TriggerContext,
    problems: Problems,
    *,
    dest_required: bool = True,
) -> None:
    for i, param in enumerate(params or []):
        check_parameter(param, join_path(path, i), ctx, problems, dest_required=dest_required)
