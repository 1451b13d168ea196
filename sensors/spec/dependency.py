"""Sensor dependencies and their filters (``EventDependency`` in argo-events ``sensor_types.go``).

pinnace extensions: ``filters.jmespath`` (a JMESPath boolean over the event payload, e.g.
``body.action == 'opened' && length(body.commits) > `0```) and ``transform.jmespath`` (the
event data becomes the expression's result). Argo's Lua ``script`` filter/transform and the
``jq`` transform need libraries pinnace does not ship: they are reported unsupported.
"""

from __future__ import annotations

import re
from datetime import datetime
from datetime import time as clock_time

import jmespath
import jmespath.exceptions
from pydantic import Field

from eventsources.spec.checks import check_enum, check_timezone, one_of, require
from eventsources.spec.common import EventsModel
from pinnace.resources.base import Problems, join_path
from sensors.conditions import NAME_PATTERN

LOGICAL_OPERATORS = ("and", "or")
DATA_TYPES = ("string", "number", "bool")
COMPARATORS = (">=", ">", "=", "!=", "<", "<=")
STRING_COMPARATORS = ("=", "!=")
# strconv.ParseBool
GO_BOOLS = ("1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False")
_NAME = re.compile(NAME_PATTERN)


class EventContext(EventsModel):
    """CloudEvent context attributes; the wire names are CloudEvents' own lower-case ones."""

    id: str | None = None
    source: str | None = None
    specversion: str | None = Field(default=None, alias="specversion")
    type: str | None = None
    datacontenttype: str | None = Field(default=None, alias="datacontenttype")
    subject: str | None = None
    time: str | None = None


class TimeFilter(EventsModel):
    start: str = ""
    stop: str = ""
    timezone: str | None = None


class DataFilter(EventsModel):
    path: str = ""
    type: str = ""
    value: list[str] | None = None
    comparator: str | None = None
    template: str | None = None


class PayloadField(EventsModel):
    path: str = ""
    name: str = ""


class ExprFilter(EventsModel):
    expr: str = ""
    fields: list[PayloadField] | None = None


class EventDependencyFilter(EventsModel):
    time: TimeFilter | None = None
    context: EventContext | None = None
    data: list[DataFilter] | None = None
    exprs: list[ExprFilter] | None = None
    data_logical_operator: str | None = None
    expr_logical_operator: str | None = None
    script: str | None = None
    jmespath: str | None = None


class EventDependencyTransformer(EventsModel):
    jq: str | None = None
    script: str | None = None
    jmespath: str | None = None


class EventDependency(EventsModel):
    name: str = ""
    event_source_name: str = ""
    event_name: str = ""
    filters: EventDependencyFilter | None = None
    transform: EventDependencyTransformer | None = None
    filters_logical_operator: str | None = None


def check_jmespath(expression: str | None, path: str, problems: Problems) -> None:
    if expression is None:
        return
    if not expression.strip():
        problems.error(path, "JMESPath expression is empty")
        return
    try:
        jmespath.compile(expression)
    except jmespath.exceptions.JMESPathError as exc:
        problems.error(path, f"invalid JMESPath expression {expression!r}: {_jmespath_detail(exc)}")


def _jmespath_detail(exc: jmespath.exceptions.JMESPathError) -> str:
    if isinstance(exc, jmespath.exceptions.IncompleteExpressionError):
        return f"the expression ends too early (column {exc.lex_position + 1})"
    if isinstance(exc, jmespath.exceptions.LexerError):
        return f"{exc.message} at column {exc.lexer_position + 1}"
    if isinstance(exc, jmespath.exceptions.ParseError):
        return f"unexpected {exc.token_value!r} at column {exc.lex_position + 1}"
    return " ".join(str(exc).split())


def check_logical_operator(value: str | None, path: str, problems: Problems) -> None:
    if value:
        check_enum(value, LOGICAL_OPERATORS, path, problems, "logical operator")


def _check_values(flt: DataFilter, path: str, problems: Problems) -> None:
    for i, value in enumerate(flt.value or []):
        item = join_path(path, "value", i)
        if value == "":
            problems.error(item, "a data filter value must not be empty")
        elif flt.type == "number":
            try:
                float(value)
            except ValueError:
                problems.error(item, f"value {value!r} is not a number (the filter type is number)")
        elif flt.type == "bool" and value not in GO_BOOLS:
            problems.error(item, f"value {value!r} is not a boolean: use true or false")
        elif flt.type == "string":
            try:
                re.compile(value)
            except re.error as exc:
                problems.error(item, f"value {value!r} is not a valid regular expression: {exc}")


def check_data_filter(flt: DataFilter, path: str, problems: Problems) -> None:
    require(flt.path, join_path(path, "path"), problems, "where the value sits in the event, such as body.action")
    type_path = join_path(path, "type")
    if require(flt.type, type_path, problems, f"one of {one_of(DATA_TYPES)}") and flt.type not in DATA_TYPES:
        hint = " (use 'bool')" if flt.type.lower() in ("boolean", "bool") else ""
        problems.error(type_path, f"data filter type {flt.type!r} is not one of {one_of(DATA_TYPES)}{hint}")
    require(flt.value, join_path(path, "value"), problems, "the list of accepted values")
    if flt.comparator:
        comparator_path = join_path(path, "comparator")
        check_enum(flt.comparator, COMPARATORS, comparator_path, problems, "comparator")
        if flt.type == "string" and flt.comparator in COMPARATORS and flt.comparator not in STRING_COMPARATORS:
            problems.error(comparator_path, f"comparator {flt.comparator!r} does not apply to strings: use = or !=")
    _check_values(flt, path, problems)


def check_expr_filter(flt: ExprFilter, path: str, problems: Problems) -> None:
    require(flt.expr, join_path(path, "expr"), problems, "a boolean expression over the named fields")
    require(flt.fields, join_path(path, "fields"), problems, "the named payload fields the expression uses")
    for i, fld in enumerate(flt.fields or []):
        require(fld.path, join_path(path, "fields", i, "path"), problems, "where the value sits in the event")
        require(fld.name, join_path(path, "fields", i, "name"), problems, "the name the expression uses")


def _parse_clock(text: str) -> clock_time | None:
    """Go's ``time.Parse("15:04:05", ...)``: the hour may have one digit, minutes and seconds two."""
    if not re.fullmatch(r"\d{1,2}:\d{2}:\d{2}", text):
        return None
    try:
        return datetime.strptime(text, "%H:%M:%S").time()
    except ValueError:
        return None


def check_time_filter(flt: TimeFilter, path: str, problems: Problems) -> None:
    clocks: dict[str, clock_time | None] = {}
    for key, text in (("start", flt.start), ("stop", flt.stop)):
        clock = _parse_clock(text)
        if clock is None:
            problems.error(join_path(path, key), f"{key} time {text!r} must be hh:mm:ss, such as 09:00:00")
        clocks[key] = clock
    if clocks["start"] is not None and clocks["start"] == clocks["stop"]:
        problems.error(path, f"stop {flt.stop!r} equals start {flt.start!r}: the time window is empty")
    check_timezone(flt.timezone, join_path(path, "timezone"), problems)


def check_filters(filters: EventDependencyFilter, path: str, problems: Problems) -> None:
    check_logical_operator(filters.data_logical_operator, join_path(path, "dataLogicalOperator"), problems)
    check_logical_operator(filters.expr_logical_operator, join_path(path, "exprLogicalOperator"), problems)
    for i, data in enumerate(filters.data or []):
        check_data_filter(data, join_path(path, "data", i), problems)
    for i, expr in enumerate(filters.exprs or []):
        check_expr_filter(expr, join_path(path, "exprs", i), problems)
    ctx = filters.context
    if ctx is not None and not (ctx.type or ctx.subject or ctx.source or ctx.datacontenttype):
        problems.error(
            join_path(path, "context"),
            "the context filter names no type, subject, source or datacontenttype, so it would discard every event",
        )
    if filters.time is not None:
        check_time_filter(filters.time, join_path(path, "time"), problems)
    check_jmespath(filters.jmespath, join_path(path, "jmespath"), problems)


def check_transform(transform: EventDependencyTransformer, path: str, problems: Problems) -> None:
    given = [key for key in ("jq", "script", "jmespath") if getattr(transform, key)]
    if len(given) > 1:
        problems.error(path, f"give only one of jq, script or jmespath, not {' and '.join(given)}")
    check_jmespath(transform.jmespath, join_path(path, "jmespath"), problems)
    if transform.jq:
        check_jq(transform.jq, join_path(path, "jq"), problems)


def check_jq(program: str, path: str, problems: Problems) -> None:
    try:
        import jq  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # the sensor reports it at start, with what to install
        return
    try:
        jq.compile(program)
    except ValueError as exc:
        problems.error(path, f"invalid jq program {program!r}: {str(exc).splitlines()[0]}")


def check_dependency(dep: EventDependency, path: str, problems: Problems) -> None:
    if require(dep.name, join_path(path, "name"), problems, "a name unique in this sensor") and not _NAME.fullmatch(
        dep.name
    ):
        problems.error(
            join_path(path, "name"),
            f"dependency name {dep.name!r} may only contain letters, digits, '-' and '_' (it is used in conditions)",
        )
    require(dep.event_source_name, join_path(path, "eventSourceName"), problems, "the EventSource's metadata.name")
    require(dep.event_name, join_path(path, "eventName"), problems, "the event's name within that EventSource")
    check_logical_operator(dep.filters_logical_operator, join_path(path, "filtersLogicalOperator"), problems)
    if dep.filters is not None:
        check_filters(dep.filters, join_path(path, "filters"), problems)
    if dep.transform is not None:
        check_transform(dep.transform, join_path(path, "transform"), problems)


def check_dependencies(deps: list[EventDependency], path: str, problems: Problems) -> None:
    """Each dependency, plus unique names; Argo maps '-' to '_' in conditions, so those collide too."""
    if not deps:
        problems.error(path, "the sensor defines no dependencies: add at least one event to listen for")
    seen: dict[str, str] = {}
    for i, dep in enumerate(deps):
        check_dependency(dep, join_path(path, i), problems)
        key = dep.name.replace("-", "_")
        if dep.name and key in seen:
            other = seen[key]
            same = other == dep.name
            message = (
                f"duplicate dependency name {dep.name!r}"
                if same
                else f"dependency name {dep.name!r} collides with {other!r}: Argo treats '-' and '_' alike"
            )
            problems.error(join_path(path, i, "name"), message)
        elif dep.name:
            seen[key] = dep.name
