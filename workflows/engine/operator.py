"""One reconcile of one Workflow: ``operate`` (the pure core, after ``workflow/controller/operator.go``).

Input: the Workflow object, what the kubelet knows about its pods, and the time. Output: the new
status and the pods to start or kill. No I/O, no clock reads: everything is passed in.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from workflows.engine import templates as tpl
from workflows.engine.conditions import ConditionError, expr_eval
from workflows.engine.model import (
    ERROR,
    FAILED,
    FAILED_OR_ERROR,
    FULFILLED,
    MAX_STACK_DEPTH,
    PENDING,
    POD,
    RETRY,
    RUNNING,
    SKIPPED_TYPE,
    SUCCEEDED,
    SUSPEND,
    KillRequest,
    Obj,
    Outcome,
    PodObservation,
    PodRequest,
    format_time,
    parse_time,
    pod_name,
)
from workflows.engine.nodes import Nodes, fulfilled
from workflows.engine.reconcile import check_deadline, reconcile_pods
from workflows.engine.retries import process_retries
from workflows.engine.scope import ArgsError, process_args
from workflows.templating import TemplateError, render_object

WORKFLOW_PHASE = {
    PENDING: PENDING,
    RUNNING: RUNNING,
    SUCCEEDED: SUCCEEDED,
    "Skipped": SUCCEEDED,
    "Omitted": SUCCEEDED,
    FAILED: FAILED,
    ERROR: ERROR,
}


class Deferred(Exception):
    """Parallelism limit reached: the node is not created this pass (``ErrParallelismReached``)."""


class NodeError(Exception):
    """The node could not be executed; it is marked Error with this message."""


class Operation:
    def __init__(
        self,
        wf: Obj,
        pods: Mapping[str, PodObservation],
        now: dt.datetime,
        configmaps: Mapping[str, Obj] | None = None,
        stores: Mapping[str, Mapping[str, Obj]] | None = None,
    ) -> None:
        self.wf = wf
        self.stores = stores or {}
        self.spec: Obj = wf.get("spec") or {}
        meta = wf.get("metadata") or {}
        self.name: str = meta.get("name", "")
        self.namespace: str = meta.get("namespace", "default")
        self.status: Obj = copy.deepcopy(wf.get("status") or {})
        self.nodes = Nodes(self.name, self.status.setdefault("nodes", {}), now)
        self.pods = pods
        self.now = now
        self.configmaps = configmaps or {}
        self.outcome = Outcome(status=self.status)
        self.ref_error = ""
        if self.spec.get("workflowTemplateRef"):
            self.spec = self._merge_workflow_template(self.spec)
        self.templates = {t["name"]: t for t in self.spec.get("templates") or []}
        self.depth = 0
        self.globals: dict[str, str] = {}
        self.shutdown: str = self.spec.get("shutdown") or ""
        self.deadline_passed = False
        self.result_refs = _result_references(self.spec)

    # -- entry point -------------------------------------------------------------------------
    def operate(self) -> Outcome:
        phase = self.status.get("phase", "")
        if phase in (SUCCEEDED, FAILED, ERROR):
            self.outcome.completed = True
            return self.outcome
        if self.ref_error:
            return self._finish_workflow(ERROR, self.ref_error)
        if not phase:
            problem = self._validate()
            if problem:
                return self._finish_workflow(FAILED, f"invalid spec: {problem}")
            self.status["phase"] = RUNNING
            self.status["startedAt"] = format_time(self.now)
        self._set_globals()
        reconcile_pods(self)
        check_deadline(self)
        if self.spec.get("suspend") and not self.shutdown:
            self._finalize_pass()
            return self.outcome
        entry = self.spec.get("entrypoint", "")
        try:
            root = self.execute(self.name, {"template": entry}, self.spec.get("arguments") or {}, "")
        except Deferred:
            root = self.nodes.get(self.name)
        except NodeError as err:
            return self._finish_workflow(ERROR, f"error in entry template execution: {err}")
        if root is None or not fulfilled(root):
            self._finalize_pass()
            return self.outcome
        wf_phase = WORKFLOW_PHASE[root["phase"]]
        exit_node = self._run_exit_handler(wf_phase)
        if exit_node is False:
            self._finalize_pass()
            return self.outcome
        message = root.get("message", "")
        if root["phase"] in FAILED_OR_ERROR and self.shutdown:
            message = f"Stopped with strategy '{self.shutdown}'"
        if wf_phase == SUCCEEDED and isinstance(exit_node, dict) and exit_node["phase"] in FAILED_OR_ERROR:
            return self._finish_workflow(exit_node["phase"], exit_node.get("message", ""))
        return self._finish_workflow(wf_phase, message)

    def _validate(self) -> str:
        entry = self.spec.get("entrypoint", "")
        if not entry:
            return "spec.entrypoint is required"
        if entry not in self.templates:
            return f"template name '{entry}' undefined"
        for param in (self.spec.get("arguments") or {}).get("parameters") or []:
            if "value" not in param and "valueFrom" not in param:
                name = param.get("name", "")
                return f"spec.arguments.{name}.value or spec.arguments.{name}.valueFrom is required"
        return ""

    def _set_globals(self) -> None:
        meta = self.wf.get("metadata") or {}
        g = self.globals
        g["workflow.name"] = self.name
        g["workflow.namespace"] = self.namespace
        g["workflow.uid"] = meta.get("uid", "")
        g["workflow.mainEntrypoint"] = self.spec.get("entrypoint", "")
        g["workflow.serviceAccountName"] = self.spec.get("serviceAccountName", "")
        created = meta.get("creationTimestamp") or self.status.get("startedAt") or format_time(self.now)
        g["workflow.creationTimestamp"] = created
        g["workflow.creationTimestamp.RFC3339"] = created
        params = []
        for p in (self.spec.get("arguments") or {}).get("parameters") or []:
            value = p.get("value")
            if value is None and "valueFrom" in p:
                try:
                    value = process_args({"inputs": {"parameters": [p]}}, None, {}, self.configmaps)["inputs"][
                        "parameters"
                    ][0]["value"]
                except ArgsError:
                    value = None
            if value is not None:
                g[f"workflow.parameters.{p['name']}"] = (
                    str(value) if not isinstance(value, bool) else ("true" if value else "false")
                )
                params.append({"name": p["name"], "value": g[f"workflow.parameters.{p['name']}"]})
        g["workflow.parameters"] = json.dumps(params, separators=(",", ":"))
        g["workflow.parameters.json"] = g["workflow.parameters"]
        for kind in ("labels", "annotations"):
            items = meta.get(kind) or {}
            for k, v in items.items():
                g[f"workflow.{kind}.{k}"] = str(v)
            g[f"workflow.{kind}.json"] = json.dumps(items, separators=(",", ":"))
        g["workflow.status"] = self.status.get("phase", RUNNING)
        started = self.status.get("startedAt")
        if started:
            g["workflow.duration"] = str(float((self.now - parse_time(started)).total_seconds()))
        for p in (self.status.get("outputs") or {}).get("parameters") or []:
            g[f"workflow.outputs.parameters.{p['name']}"] = p.get("value", "")

    # -- pods ----------------------------------------------------------------------------------
    def _node_template(self, node: Obj) -> Obj | None:
        scope = str(node.get("templateScope", ""))
        scope = "" if scope.startswith("local/") else scope
        try:
            if node.get("templateRef"):
                return self._resolve({"templateRef": node["templateRef"]}, scope)[0]
            return self._scope_templates(scope).get(node.get("templateName", ""))
        except NodeError:
            return None

    def _merge_workflow_template(self, spec: Obj) -> Obj:
        """``workflowTemplateRef``: the template's spec under the Workflow's own fields."""
        ref = spec["workflowTemplateRef"]
        kind = "ClusterWorkflowTemplate" if ref.get("clusterScope") else "WorkflowTemplate"
        base = (self.stores.get(kind) or {}).get(ref.get("name", ""))
        if base is None:
            self.ref_error = f'{kind.lower()}s.argoproj.io "{ref.get("name", "")}" not found'
            return spec
        merged: Obj = tpl.merge(
            copy.deepcopy(base.get("spec") or {}), {k: v for k, v in spec.items() if k != "workflowTemplateRef"}
        )
        params = {p["name"]: p for p in ((base.get("spec") or {}).get("arguments") or {}).get("parameters") or []}
        for p in (spec.get("arguments") or {}).get("parameters") or []:
            params[p["name"]] = p
        if params:
            merged.setdefault("arguments", {})["parameters"] = list(params.values())
        self.status["storedWorkflowTemplateSpec"] = merged
        return merged

    def _scope_templates(self, scope: str) -> dict[str, Obj]:
        if not scope:
            return self.templates
        kind, _, name = scope.partition("/")
        store = self.stores.get("ClusterWorkflowTemplate" if kind == "cluster" else "WorkflowTemplate") or {}
        obj = store.get(name)
        if obj is None:
            raise NodeError(f'{"cluster" if kind == "cluster" else ""}workflowtemplates.argoproj.io "{name}" not found')
        return {t["name"]: t for t in (obj.get("spec") or {}).get("templates") or []}

    def _requeue(self, seconds: float) -> None:
        seconds = max(seconds, 0.0)
        if self.outcome.requeue_after is None or seconds < self.outcome.requeue_after:
            self.outcome.requeue_after = seconds

    # -- templates -----------------------------------------------------------------------------
    def execute(
        self,
        node_name: str,
        holder: Obj,
        args: Obj,
        boundary_id: str,
        *,
        on_exit: bool = False,
        hooked: bool = False,
        extra: Mapping[str, str] | None = None,
        scope: str = "",
    ) -> Obj | None:
        """``executeTemplate``: returns the node (possibly new), raises Deferred/NodeError.

        ``scope`` is where plain ``template:`` names resolve: "" for the Workflow's own templates,
        ``namespaced/<wft>`` or ``cluster/<cwft>`` inside a referenced template.
        """
        node = self.nodes.get(node_name)
        if node is not None and fulfilled(node) and node["type"] != RETRY:
            return node
        self.depth += 1
        try:
            if self.depth >= MAX_STACK_DEPTH:
                return self._error_node(
                    node,
                    node_name,
                    holder,
                    boundary_id,
                    "Maximum recursion depth exceeded. See "
                    "https://argo-workflows.readthedocs.io/en/latest/scaling/#maximum-recursion-depth",
                )
            try:
                tmpl, new_scope = self._resolve(holder, scope)
                local = {**self.globals, "node.name": node_name, **(extra or {})}
                if tpl.is_pod(tmpl) and not self._retry_strategy(tmpl):
                    local["pod.name"] = pod_name(self.name, node_name, tmpl["name"])
                processed = process_args(tmpl, args, local, self.configmaps)
                processed[tpl.SCOPE] = new_scope
            except (ArgsError, NodeError, TemplateError) as err:
                return self._error_node(node, node_name, holder, boundary_id, str(err))
            if node is not None and fulfilled(node):
                return node
            self._check_parallelism(processed, node, boundary_id)
            strategy = self._retry_strategy(processed)
            if strategy is not None:
                result = process_retries(
                    self, node_name, holder, processed, strategy, args, boundary_id, on_exit=on_exit, hooked=hooked
                )
            else:
                result = self.dispatch(node_name, holder, processed, boundary_id, on_exit=on_exit, hooked=hooked)
            _record_inputs(result, processed)
            _record_scope(result, holder, new_scope, self.name)
            return result
        finally:
            self.depth -= 1

    def dispatch(
        self,
        node_name: str,
        holder: Obj,
        tmpl: Obj,
        boundary_id: str,
        *,
        on_exit: bool,
        hooked: bool,
        retried: bool = False,
    ) -> Obj:
        from workflows.engine import dag, steps

        kind = tpl.template_type(tmpl)
        try:
            if kind in ("container", "script"):
                return self._execute_pod(node_name, tmpl, boundary_id, on_exit, hooked, retried)
            if kind == "steps":
                return steps.execute_steps(self, node_name, tmpl, boundary_id, on_exit=on_exit, hooked=hooked)
            if kind == "dag":
                return dag.execute_dag(self, node_name, tmpl, boundary_id, on_exit=on_exit, hooked=hooked)
            if kind == "suspend":
                return self._execute_suspend(node_name, tmpl, boundary_id, hooked)
        except (ArgsError, ConditionError, TemplateError) as err:
            return self._error_node(self.nodes.get(node_name), node_name, holder, boundary_id, str(err))
        message = f"Template '{tmpl.get('name', '')}' missing specification"
        if kind:
            message = f"{kind} templates are not supported by the embedded engine yet"
        return self._error_node(self.nodes.get(node_name), node_name, holder, boundary_id, message)

    def _error_node(self, node: Obj | None, node_name: str, holder: Obj, boundary_id: str, message: str) -> Obj:
        if node is None:
            node = self.nodes.init(node_name, SKIPPED_TYPE, holder.get("template", ""), boundary_id, ERROR, message)
            return node
        return self.nodes.mark(node_name, ERROR, message)

    def _resolve(self, holder: Obj, scope: str = "") -> tuple[Obj, str]:
        defaults = self.spec.get("templateDefaults")
        if "inline" in holder:
            inline = dict(holder["inline"])
            inline.setdefault("name", "")
            return tpl.with_defaults(inline, defaults), scope
        if "templateRef" in holder:
            ref = holder["templateRef"] or {}
            scope = f"{'cluster' if ref.get('clusterScope') else 'namespaced'}/{ref.get('name', '')}"
            name = ref.get("template", "")
        else:
            name = holder.get("template", "")
        tmpl = self._scope_templates(scope).get(name)
        if tmpl is None:
            raise NodeError(f"template name '{name}' undefined")
        return tpl.with_defaults(tmpl, defaults), scope

    def _retry_strategy(self, tmpl: Obj) -> Obj | None:
        rs = tmpl.get("retryStrategy")
        if rs is None:
            rs = self.spec.get("retryStrategy")
        return rs if isinstance(rs, dict) else None

    def _check_parallelism(self, tmpl: Obj, node: Obj | None, boundary_id: str) -> None:
        limit = self.spec.get("parallelism")
        if limit is not None and (node is None) and tpl.is_pod(tmpl) and self._active_pods("") >= int(limit):
            raise Deferred()
        if node is not None and tpl.template_type(tmpl) in ("steps", "dag"):
            self._fail_fast(tmpl, node)
        if boundary_id and (node is None or node["phase"] not in (PENDING, RUNNING)):
            bnode = self.nodes.by_id(boundary_id)
            btmpl = self._node_template(bnode)
            if btmpl is None:
                return
            self._fail_fast(btmpl, bnode)
            plimit = btmpl.get("parallelism")
            if plimit is not None and int(plimit) > 0 and self._active_children(boundary_id) >= int(plimit):
                raise Deferred()

    def _fail_fast(self, tmpl: Obj, node: Obj) -> None:
        if not tmpl.get("failFast") or not self._unsuccessful_children(node["id"]):
            return
        if self._active_pods(node["id"]) == 0:
            msg = "template has failed or errored children and failFast enabled"
            if tpl.template_type(tmpl) == "steps":
                for child in self.nodes.nodes.values():
                    if (
                        child.get("boundaryID") == node["id"]
                        and child["type"] == "StepGroup"
                        and child["phase"] not in FULFILLED
                    ):
                        self.nodes.mark(child["name"], FAILED, msg)
            self.nodes.mark(node["name"], FAILED, msg)
        raise Deferred()

    def _active_pods(self, boundary_id: str) -> int:
        return sum(
            1
            for n in self.nodes.nodes.values()
            if n["type"] == POD
            and n["phase"] in (PENDING, RUNNING)
            and (not boundary_id or n.get("boundaryID") == boundary_id)
        )

    def _active_children(self, boundary_id: str) -> int:
        return sum(
            1
            for n in self.nodes.nodes.values()
            if n.get("boundaryID") == boundary_id
            and n["type"] in (POD, "Steps", "DAG")
            and n["phase"] in (PENDING, RUNNING)
        )

    def _unsuccessful_children(self, boundary_id: str) -> int:
        return sum(
            1
            for n in self.nodes.nodes.values()
            if n.get("boundaryID") == boundary_id
            and n["phase"] in FAILED_OR_ERROR
            and n["type"] not in (RETRY, "StepGroup", "TaskGroup")
        )

    # -- leaves --------------------------------------------------------------------------------
    def _execute_pod(
        self, node_name: str, tmpl: Obj, boundary_id: str, on_exit: bool, hooked: bool, retried: bool
    ) -> Obj:
        node = self.nodes.get(node_name)
        if node is not None:
            return node
        if (self.shutdown and not (self.shutdown == "Stop" and on_exit)) or (self.deadline_passed and not on_exit):
            msg = f"Stopped with strategy '{self.shutdown}'" if self.shutdown else "Step exceeded its deadline"
            return self.nodes.init(
                node_name, POD, tmpl.get("name", ""), boundary_id, FAILED, msg, hooked=hooked, retried=retried
            )
        node = self.nodes.init(
            node_name, POD, tmpl.get("name", ""), boundary_id, PENDING, hooked=hooked, retried=retried
        )
        short = node_name.rsplit(".", 1)[-1].split("(", 1)[0]
        include = tpl.template_type(tmpl) == "script" or short in self.result_refs or "*" in self.result_refs
        self.outcome.create.append(
            PodRequest(
                node_id=node["id"],
                pod_name=pod_name(self.name, node_name, tmpl.get("name", "")),
                node_name=node_name,
                template=tmpl,
                include_result=include,
                deadline=self._pod_deadline(tmpl, on_exit),
                workflow=self.name,
                namespace=self.namespace,
            )
        )
        return node

    def _pod_deadline(self, tmpl: Obj, on_exit: bool) -> dt.datetime | None:
        limits = []
        for key in ("activeDeadlineSeconds", "timeout"):
            if tmpl.get(key) not in (None, ""):
                limits.append(tpl.seconds(tmpl[key]))
        deadline = self.now + dt.timedelta(seconds=min(limits)) if limits else None
        ads = self.spec.get("activeDeadlineSeconds")
        if ads is not None and not on_exit and self.status.get("startedAt"):
            wf_deadline = parse_time(self.status["startedAt"]) + dt.timedelta(seconds=int(ads))
            deadline = wf_deadline if deadline is None else min(deadline, wf_deadline)
        return deadline

    def _execute_suspend(self, node_name: str, tmpl: Obj, boundary_id: str, hooked: bool) -> Obj:
        node = self.nodes.get(node_name)
        if node is None:
            node = self.nodes.init(node_name, SUSPEND, tmpl.get("name", ""), boundary_id, RUNNING, hooked=hooked)
        if node["phase"] in FULFILLED:
            return node
        duration = (tmpl.get("suspend") or {}).get("duration")
        if duration not in (None, ""):
            until = parse_time(node["startedAt"]) + dt.timedelta(seconds=tpl.seconds(duration))
            if self.now >= until:
                return tpl.finish_suspend(self, node, tmpl)
            self._requeue((until - self.now).total_seconds())
        return node

    # -- exit handler and completion -------------------------------------------------------------
    def _run_exit_handler(self, wf_phase: str) -> Obj | bool | None:
        hook = self.spec.get("onExit") or ((self.spec.get("hooks") or {}).get("exit") or {}).get("template")
        if not hook:
            return None
        args = ((self.spec.get("hooks") or {}).get("exit") or {}).get("arguments") or self.spec.get("arguments") or {}
        name = f"{self.name}.onExit"
        existing = self.nodes.get(name)
        if existing is None and self.shutdown == "Terminate":
            return None
        self.globals["workflow.status"] = wf_phase
        self.globals["workflow.failures"] = self._failures()
        try:
            node = self.execute(name, {"template": hook}, args, "", on_exit=True, hooked=True)
        except Deferred:
            return False
        if node is None or not fulfilled(node):
            return False
        return node

    def _failures(self) -> str:
        failures = []
        for n in self.nodes.nodes.values():
            if n["phase"] in FAILED_OR_ERROR:
                failures.append(
                    {
                        "displayName": n["displayName"],
                        "message": n.get("message", ""),
                        "templateName": n.get("templateName", ""),
                        "phase": n["phase"],
                        "podName": pod_name(self.name, n["name"], n.get("templateName", "")),
                        "finishedAt": n.get("finishedAt", ""),
                    }
                )
        return json.dumps(failures or None, separators=(",", ":"))

    def _finish_workflow(self, phase: str, message: str) -> Outcome:
        self.status["phase"] = phase
        self.status.setdefault("startedAt", format_time(self.now))
        self.status["finishedAt"] = format_time(self.now)
        if message:
            self.status["message"] = message
        else:
            self.status.pop("message", None)
        self._finalize_pass()
        self.outcome.completed = True
        for node in self.nodes.nodes.values():
            if node["type"] == POD and node["phase"] in (PENDING, RUNNING):
                self.outcome.kill.append(KillRequest(node["id"], "workflow completed"))
        return self.outcome

    def _finalize_pass(self) -> None:
        tpl.update_progress(self.status)
        if not self.status.get("nodes"):
            self.status.pop("nodes", None)


def _record_scope(node: Obj | None, holder: Obj, scope: str, wf_name: str) -> None:
    if node is None:
        return
    node["templateScope"] = scope or f"local/{wf_name}"
    if "templateRef" in holder and "templateRef" not in node:
        ref = holder["templateRef"]
        node["templateRef"] = {k: ref[k] for k in ("name", "template", "clusterScope") if k in ref}
        node.pop("templateName", None)


def _record_inputs(node: Obj | None, tmpl: Obj) -> None:
    params = (tmpl.get("inputs") or {}).get("parameters")
    if node is not None and params and "inputs" not in node:
        node["inputs"] = {"parameters": params}


def _result_references(spec: Obj) -> set[str]:
    """Step/task names whose ``outputs.result`` is referenced anywhere (``hasOutputResultRef``)."""
    import re

    text = json.dumps(spec)
    refs = set(re.findall(r"(?:steps|tasks)\.([\w-]+)\.outputs\.result", text))
    refs |= set(re.findall(r"\[\\?['\"]([\w-]+)\\?['\"]\]\.outputs\.result", text))
    if "outputs.result" in text and not refs:
        refs.add("*")
    return refs


def operate(
    wf: Obj,
    pods: Mapping[str, PodObservation],
    now: dt.datetime,
    configmaps: Mapping[str, Obj] | None = None,
    stores: Mapping[str, Mapping[str, Obj]] | None = None,
) -> Outcome:
    """Advance ``wf`` by one reconcile. ``pods``: node ID → observation of that node's pod;
    ``stores``: ``{"WorkflowTemplate"|"ClusterWorkflowTemplate": {name: object}}`` for references."""
    return Operation(wf, pods, now, configmaps, stores).operate()


def expression(source: str, values: Mapping[str, str]) -> Any:
    from workflows.templating import expand_keys

    return expr_eval(source, expand_keys(values))


__all__ = ["Deferred", "NodeError", "Operation", "operate", "render_object"]
