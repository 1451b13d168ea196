"""Inputs, scopes and outputs: ``common.ProcessArgs``, ``buildLocalScope``, output aggregation."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from workflows.engine.conditions import expr_eval
from workflows.engine.model import RETRY, SUCCEEDED, Obj
from workflows.engine.nodes import Nodes
from workflows.templating import LateBound, TemplateError, render, render_object


class ArgsError(ValueError):
    pass


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def process_args(
    tmpl: Obj, args: Obj | None, values: Mapping[str, str], configmaps: Mapping[str, Obj] | None = None
) -> Obj:
    """Bind arguments to inputs and substitute the template (``common.ProcessArgs``)."""
    given = {p["name"]: p for p in (args or {}).get("parameters") or [] if "name" in p}
    inputs = []
    local = dict(values)
    for param in (tmpl.get("inputs") or {}).get("parameters") or []:
        name = param["name"]
        value: Any = param.get("value", param.get("default"))
        arg = given.get(name)
        if arg is not None and "value" in arg:
            value = arg["value"]
        elif arg is not None and "valueFrom" in arg:
            value = _configmap_value(arg["valueFrom"], name, configmaps)
        elif value is None and "valueFrom" in param:
            value = _configmap_value(param["valueFrom"], name, configmaps)
        if value is None:
            raise ArgsError(f"inputs.parameters.{name} was not supplied")
        bound = {k: v for k, v in param.items() if k not in ("value", "valueFrom")}
        bound["value"] = _text(value)
        if "{{" in bound["value"]:
            # Globals and locals are substituted before inputs are bound (``SubstituteParams``).
            try:
                bound["value"] = render(bound["value"], values, escape=False, expr=_lenient_expr)
            except TemplateError as err:
                raise ArgsError(str(err)) from err
        inputs.append(bound)
        local[f"inputs.parameters.{name}"] = bound["value"]
    if inputs:
        local["inputs.parameters"] = json.dumps(inputs, separators=(",", ":"))
    for art in (tmpl.get("inputs") or {}).get("artifacts") or []:
        if "path" in art:
            local[f"inputs.artifacts.{art['name']}.path"] = art["path"]
    for kind in ("parameters", "artifacts"):
        for out in (tmpl.get("outputs") or {}).get(kind) or []:
            path = out.get("path") or (out.get("valueFrom") or {}).get("path")
            if path:
                local[f"outputs.{kind}.{out['name']}.path"] = path
    body = {k: v for k, v in tmpl.items() if k != "inputs"}
    try:
        processed: Obj = render_object(body, local, expr=_lenient_expr)
    except TemplateError as err:
        raise ArgsError(str(err)) from err
    if inputs or tmpl.get("inputs"):
        processed["inputs"] = dict(tmpl.get("inputs") or {})
        if inputs:
            processed["inputs"]["parameters"] = inputs
    return processed


def _lenient_expr(source: str, env: Mapping[str, Any]) -> Any:
    # An expression naming steps/tasks/item is resolved later, with the step scope.
    try:
        return expr_eval(source, env)
    except Exception as err:
        if any(w in source for w in ("steps", "tasks", "item", "retries", "lastRetry", "workflow.status")):
            raise LateBound("deferred") from err
        raise


def _configmap_value(value_from: Obj, name: str, configmaps: Mapping[str, Obj] | None) -> str | None:
    ref = value_from.get("configMapKeyRef")
    if not ref:
        return None
    cm = (configmaps or {}).get(ref.get("name", ""))
    if cm is None or ref.get("key") not in (cm.get("data") or {}):
        if "default" in value_from:
            return _text(value_from["default"])
        raise ArgsError(f"unable to retrieve inputs.parameters.{name} from ConfigMap")
    return str(cm["data"][ref["key"]])


def add_node_to_scope(scope: dict[str, str], prefix: str, name: str, node: Obj, nodes: Nodes) -> None:
    """``buildLocalScope``: a Retry node resolves to its last attempt."""
    if node["type"] == RETRY:
        last = nodes.last_attempt(node)
        node = last or node
    key = f"{prefix}.{name}"
    scope[f"{key}.id"] = node["id"]
    scope[f"{key}.status"] = node["phase"]
    scope[f"{key}.startedAt"] = node.get("startedAt", "")
    scope[f"{key}.finishedAt"] = node.get("finishedAt", "")
    if node.get("hostNodeName"):
        scope[f"{key}.hostNodeName"] = node["hostNodeName"]
    outputs = node.get("outputs") or {}
    if "result" in outputs:
        scope[f"{key}.outputs.result"] = outputs["result"]
    if "exitCode" in outputs:
        scope[f"{key}.exitCode"] = outputs["exitCode"]
    for p in outputs.get("parameters") or []:
        if "value" in p:
            scope[f"{key}.outputs.parameters.{p['name']}"] = p["value"]


ABSENT = "\x00absent"


def add_skipped_outputs(scope: dict[str, str], prefix: str, name: str, node: Obj, tmpl: Obj | None) -> None:
    """Skipped/Omitted producers: declared outputs resolve to ``valueFrom.default`` or are absent."""
    if node["phase"] not in ("Skipped", "Omitted") or tmpl is None:
        return
    for p in (tmpl.get("outputs") or {}).get("parameters") or []:
        vf = p.get("valueFrom") or {}
        key = f"{prefix}.{name}.outputs.parameters.{p['name']}"
        scope[key] = _text(vf["default"]) if "default" in vf else ABSENT


def add_aggregate_to_scope(scope: dict[str, str], prefix: str, name: str, children: list[Obj]) -> None:
    """``processAggregateNodeOutputs``: JSON lists of the loop children's outputs."""
    kids = [c for c in children if not c.get("nodeFlag", {}).get("hooked")]
    kids.sort(key=_loop_index)
    params: list[dict[str, str]] = []
    per_name: dict[str, list[str]] = {}
    results: list[Any] = []
    for node in kids:
        outputs = node.get("outputs")
        if not outputs or node["phase"] != SUCCEEDED or node["type"] == RETRY:
            continue
        if outputs.get("parameters"):
            entry = {}
            for p in outputs["parameters"]:
                entry[p["name"]] = p.get("value", "")
                per_name.setdefault(p["name"], []).append(p.get("value", ""))
            params.append(entry)
        if "result" in outputs:
            try:
                results.append(json.loads(outputs["result"]))
            except ValueError:
                results.append(outputs["result"])
    key = f"{prefix}.{name}"
    scope[f"{key}.outputs.result"] = json.dumps(results, separators=(",", ":"))
    scope[f"{key}.outputs.parameters"] = json.dumps(params, separators=(",", ":"))
    for pname, vals in per_name.items():
        scope[f"{key}.outputs.parameters.{pname}"] = _aggregated_list(vals)


def _aggregated_list(values: list[str]) -> str:
    parsed: list[Any] = []
    for v in values:
        try:
            item = json.loads(v)
        except ValueError:
            return json.dumps(values, separators=(",", ":"))
        if not isinstance(item, dict | list):
            return json.dumps(values, separators=(",", ":"))
        parsed.append(item)
    return json.dumps(parsed, separators=(",", ":"))


def _loop_index(node: Obj) -> int:
    name = node["name"]
    start = name.rfind("(")
    if start < 0:
        return 0
    head = name[start + 1 :].split(":", 1)[0]
    # Retry attempts end in "(n)"; the loop index sits in the previous group.
    if ":" not in name[start:]:
        prev = name[:start].rfind("(")
        head = name[prev + 1 :].split(":", 1)[0] if prev >= 0 else "0"
    try:
        return int(head)
    except ValueError:
        return 0


def template_outputs(tmpl: Obj, scope: Mapping[str, str], global_values: Mapping[str, str]) -> Obj | None:
    """Outputs of a steps/dag template from its children's scope (``getTemplateOutputsFromScope``)."""
    declared = (tmpl.get("outputs") or {}).get("parameters") or []
    if not declared:
        return None
    # executeSteps/executeDAG put the template's own inputs into the scope too.
    inputs = {
        f"inputs.parameters.{p['name']}": str(p["value"])
        for p in (tmpl.get("inputs") or {}).get("parameters") or []
        if "value" in p
    }
    values = {**global_values, **inputs, **scope}
    out = []
    for param in declared:
        vf = param.get("valueFrom") or {}
        value: Any = None
        try:
            if "parameter" in vf:
                value = render_object(vf["parameter"], values, expr=expr_eval)
                if "{{" in str(value):
                    value = None
            elif "expression" in vf:
                from workflows.templating import expand_keys

                value = expr_eval(vf["expression"], expand_keys(values))
        except Exception:
            value = None
        if value is None and "default" in vf:
            value = vf["default"]
        if value is None:
            raise ArgsError(f"unable to resolve outputs.parameters.{param['name']}")
        entry = {k: v for k, v in param.items() if k != "value"}
        entry["value"] = _text(value)
        out.append(entry)
    return {"parameters": out}
