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

from workflows.engine import leaves, locks, memo, podgc
from workflows.engine import templates as tpl
from workflows.engine.conditions import ConditionError, expr_eval
from workflows.engine.errors import Deferred, NodeError
from workflows.engine.exits import run_exit_handler
from workflows.engine.globals import set_globals
from workflows.engine.hooks import run_lifecycle_hooks
from workflows.engine.model import (
    COMPLETED_LABEL,
    ERROR,
    FAILED,
    FAILED_OR_ERROR,
    HTTP,
    MAX_STACK_DEPTH,
    PENDING,
    PHASE_LABEL,
    POD,
    RETRY,
    RUNNING,
    SKIPPED_TYPE,
    SUCCEEDED,
    KillRequest,
    Obj,
    Outcome,
    PodObservation,
    format_time,
    pod_name,
)
from workflows.engine.nodes import Nodes, fulfilled
from workflows.engine.parallelism import check_parallelism
from workflows.engine.reconcile import check_deadline, reconcile_pods
from workflows.engine.retries import process_retries
from workflows.engine.scope import ArgsError, process_args
from workflows.engine.sync import SyncManager
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


class Operation:
    def __init__(
        self,
        wf: Obj,
        pods: Mapping[str, PodObservation],
        now: dt.datetime,
        configmaps: Mapping[str, Obj] | None = None,
        stores: Mapping[str, Mapping[str, Obj]] | None = None,
        sync: SyncManager | None = None,
    ) -> None:
        self.wf = wf
        # Without a shared manager (single-workflow use) locks are uncontended.
        self.sync = sync if sync is not None else SyncManager()
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
        self.wf_key = f"{self.namespace}/{self.name}"
        self.priority = int(self.spec.get("priority") or 0)
        self.created = str(meta.get("creationTimestamp") or "")

    # -- entry point -------------------------------------------------------------------------
    def operate(self) -> Outcome:
        phase = self.status.get("phase", "")
        if phase in (SUCCEEDED, FAILED, ERROR):
            self.outcome.completed = True
            self.outcome.labels = {PHASE_LABEL: phase, COMPLETED_LABEL: "true"}
            return self.outcome
        if self.ref_error:
            return self._finish_workflow(ERROR, self.ref_error)
        if not phase:
            problem = self._validate()
            if problem:
                return self._finish_workflow(FAILED, f"invalid spec: {problem}")
        set_globals(self)
        if phase in ("", PENDING) and not self._start():
            return self.outcome
        reconcile_pods(self)
        check_deadline(self)
        locks.release_fulfilled(self)
        if self.spec.get("suspend") and not self.shutdown:
            self._finalize_pass()
            return self.outcome
        return self._advance()

    def _start(self) -> bool:
        """Pending → Running once the workflow-level locks are held; False while waiting for them."""
        if not locks.workflow_locks(self):
            return False
        self.status["phase"] = RUNNING
        self.status["startedAt"] = format_time(self.now)
        self.status.pop("message", None)
        self.globals["workflow.status"] = RUNNING
        return True

    def _advance(self) -> Outcome:
        """Execute the entrypoint tree; the workflow completes once it and its hooks are done."""
        entry = self.spec.get("entrypoint", "")
        try:
            root = self.execute(self.name, {"template": entry}, self.spec.get("arguments") or {}, "")
        except Deferred:
            root = self.nodes.get(self.name)
        except NodeError as err:
            return self._finish_workflow(ERROR, f"error in entry template execution: {err}")
        hooks_done = True
        if root is not None and self.spec.get("hooks"):
            # Workflow-level lifecycle hooks (``executeWfLifeCycleHook``): children of the root node.
            hooks_done = run_lifecycle_hooks(self, self.spec["hooks"], root, "", ("", ""), {})
        if root is None or not fulfilled(root) or not hooks_done:
            self._finalize_pass()
            return self.outcome
        return self._conclude(root)

    def _conclude(self, root: Obj) -> Outcome:
        """Run the exit handler, then finish with the root's phase (or the handler's failure)."""
        wf_phase = WORKFLOW_PHASE[root["phase"]]
        exit_node = run_exit_handler(self, wf_phase)
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
            return self._run(node_name, holder, processed, args, boundary_id, on_exit=on_exit, hooked=hooked)
        finally:
            self.depth -= 1

    def _run(
        self, node_name: str, holder: Obj, processed: Obj, args: Obj, boundary_id: str, *, on_exit: bool, hooked: bool
    ) -> Obj | None:
        """The rest of ``executeTemplate`` once the template is processed: parallelism, locks,
        memoization, then the retry wrapper or the template itself."""
        node = self.nodes.get(node_name)
        check_parallelism(self, processed, node, boundary_id)
        strategy = self._retry_strategy(processed)
        if processed.get("synchronization"):
            waiting = locks.template_locks(self, node_name, processed, node, boundary_id, hooked)
            if waiting is not None:
                return waiting
            node = self.nodes.get(node_name)
        memo_status: Obj | None = None
        if processed.get("memoize") and node is None:
            try:
                memo_status, cached = memo.lookup(processed["memoize"], self.configmaps, self.now)
            except memo.MemoError as err:
                return self._error_node(None, node_name, holder, boundary_id, str(err))
            if cached is not None:
                result: Obj | None = self._cache_hit(node_name, processed, strategy is not None, boundary_id, hooked)
                assert result is not None
                result.update(memoizationStatus=memo_status, outputs=cached)
                if not cached:
                    result.pop("outputs")
        if memo_status is None or not memo_status["hit"]:
            if strategy is not None:
                result = process_retries(
                    self, node_name, holder, processed, strategy, args, boundary_id, on_exit=on_exit, hooked=hooked
                )
            else:
                result = self.dispatch(node_name, holder, processed, boundary_id, on_exit=on_exit, hooked=hooked)
            if memo_status is not None and result is not None:
                result.setdefault("memoizationStatus", memo_status)
        _record_inputs(result, processed)
        _record_scope(result, holder, str(processed.get(tpl.SCOPE, "")), self.name)
        return result

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
            if kind in ("container", "script", "containerSet", "resource", "http"):
                return leaves.execute_pod(self, node_name, tmpl, boundary_id, on_exit, hooked, retried)
            if kind == "steps":
                return steps.execute_steps(self, node_name, tmpl, boundary_id, on_exit=on_exit, hooked=hooked)
            if kind == "dag":
                return dag.execute_dag(self, node_name, tmpl, boundary_id, on_exit=on_exit, hooked=hooked)
            if kind == "suspend":
                return leaves.execute_suspend(self, node_name, tmpl, boundary_id, hooked)
        except (ArgsError, ConditionError, TemplateError) as err:
            return self._error_node(self.nodes.get(node_name), node_name, holder, boundary_id, str(err))
        message = f"Template '{tmpl.get('name', '')}' missing specification"
        if kind:
            message = f"{kind} templates are not supported by the embedded engine yet"
        return self._error_node(self.nodes.get(node_name), node_name, holder, boundary_id, message)

    def _cache_hit(self, node_name: str, tmpl: Obj, retry: bool, boundary_id: str, hooked: bool) -> Obj:
        """``initializeCacheHitNode``: the node is born Succeeded with the cached outputs."""
        ntype = memo.node_type(tmpl, retry)
        return self.nodes.init(node_name, ntype, tmpl.get("name", ""), boundary_id, SUCCEEDED, hooked=hooked)

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

    # -- exit handler and completion -------------------------------------------------------------
    def _finish_workflow(self, phase: str, message: str) -> Outcome:
        self.status["phase"] = phase
        self.status.setdefault("startedAt", format_time(self.now))
        self.status["finishedAt"] = format_time(self.now)
        if message:
            self.status["message"] = message
        else:
            self.status.pop("message", None)
        self.sync.release_workflow(self.wf_key)
        self._finalize_pass(phase)
        self.outcome.completed = True
        for node in self.nodes.nodes.values():
            if node["type"] in (POD, HTTP) and node["phase"] in (PENDING, RUNNING):
                self.outcome.kill.append(KillRequest(node["id"], "workflow completed"))
        return self.outcome

    def _finalize_pass(self, ended: str = "") -> None:
        locks.settle(self)
        tpl.update_progress(self.status)
        before = (self.wf.get("status") or {}).get("nodes") or {}
        self.outcome.cache_saves = memo.saves(before, self.status.get("nodes") or {})
        self.outcome.delete_pods = podgc.deletions(self, before, ended)
        phase = self.status.get("phase", "")
        if phase:
            done = "true" if phase in (SUCCEEDED, FAILED, ERROR) else "false"
            self.outcome.labels = {PHASE_LABEL: phase, COMPLETED_LABEL: done}
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
    sync: SyncManager | None = None,
) -> Outcome:
    """Advance ``wf`` by one reconcile. ``pods``: node ID → observation of that node's pod;
    ``stores``: ``{"WorkflowTemplate"|"ClusterWorkflowTemplate": {name: object}}`` for references;
    ``sync``: the mutex/semaphore state shared by every workflow of the controller."""
    return Operation(wf, pods, now, configmaps, stores, sync).operate()


def expression(source: str, values: Mapping[str, str]) -> Any:
    from workflows.templating import expand_keys

    return expr_eval(source, expand_keys(values))


__all__ = ["Deferred", "NodeError", "Operation", "operate", "render_object"]
