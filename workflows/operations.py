"""User operations that rewrite a Workflow object: retry, resubmit, suspend, stop/terminate, ``-p``.

Pure functions on wire dicts, faithful to Argo's ``workflow/util/util.go`` (``FormulateRetryWorkflow``,
``FormulateResubmitWorkflow``, ``SuspendWorkflow``, ``patchShutdownStrategy``, ``overrideParameters``):
the caller reads the object, applies one of these, and writes the result back (or creates it, for
resubmit). Errors are ``OperationError`` carrying Argo's wording.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
import string
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from workflows.engine.control import set_shutdown
from workflows.engine.model import node_id, pod_name

Obj = dict[str, Any]

LABEL_COMPLETED = "workflows.argoproj.io/completed"
LABEL_PHASE = "workflows.argoproj.io/phase"
LABEL_ARCHIVING = "workflows.argoproj.io/workflow-archiving-status"
LABEL_RESUBMITTED_FROM = "workflows.argoproj.io/resubmitted-from-workflow"
CREATOR_LABELS = frozenset({
    "workflows.argoproj.io/creator", "workflows.argoproj.io/creator-email",
    "workflows.argoproj.io/creator-preferred-username",
})
# Labels describing the old run, never carried to a resubmitted one.
_NOT_RESUBMITTED = CREATOR_LABELS | {LABEL_PHASE, LABEL_COMPLETED, LABEL_ARCHIVING}

DONE_PHASES = frozenset({"Succeeded", "Failed", "Error"})
_EXECUTION = frozenset({"Container", "Pod", "HTTP", "Plugin"})
_GROUPS = frozenset({"DAG", "TaskGroup", "StepGroup", "Steps"})


class OperationError(ValueError):
    """The operation does not apply to this workflow; the message is Argo's."""


def _format_time(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _name(wf: Obj) -> str:
    return str((wf.get("metadata") or {}).get("name") or "")


def is_completed(wf: Obj) -> bool:
    """Argo's ``IsWorkflowCompleted`` (the ``completed`` label), or a finished phase when unlabelled."""
    labels = (wf.get("metadata") or {}).get("labels") or {}
    if labels.get(LABEL_COMPLETED) == "true":
        return True
    return (wf.get("status") or {}).get("phase") in DONE_PHASES


# --- parameters -----------------------------------------------------------------------------


def override_parameters(wf: Obj, parameters: Sequence[str]) -> None:
    """``-p name=value``: passed parameters first, then the workflow's others (``overrideParameters``)."""
    if not parameters:
        return
    passed: list[Obj] = []
    for text in parameters:
        name, sep, value = text.partition("=")
        if not sep:
            raise OperationError(f"expected parameter of the form: NAME=VALUE. Received: {text}")
        passed.append({"name": name, "value": value})
    names = {p["name"] for p in passed}
    spec = wf.setdefault("spec", {})
    args = spec.setdefault("arguments", {})
    merged = passed + [p for p in args.get("parameters") or [] if p.get("name") not in names]
    args["parameters"] = merged
    stored = (wf.get("status") or {}).get("storedWorkflowTemplateSpec")
    if isinstance(stored, dict):
        stored.setdefault("arguments", {})["parameters"] = copy.deepcopy(merged)


# --- node field selectors (k8s ``fields.ParseSelector``) --------------------------------------


@dataclass(frozen=True)
class _Term:
    key: str
    value: str
    equal: bool


def _split_unescaped(text: str, sep: str) -> list[str]:
    parts, cur, escaped = [], [], False
    for ch in text:
        if escaped:
            cur.append(ch)
            escaped = False
        elif ch == "\\":
            cur.append(ch)
            escaped = True
        elif ch == sep:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def _unescape(text: str) -> str:
    return text.replace("\\,", ",").replace("\\=", "=").replace("\\\\", "\\")


def parse_field_selector(text: str) -> list[_Term]:
    terms: list[_Term] = []
    for part in _split_unescaped(text, ","):
        if not part.strip():
            continue
        for op, equal in (("!=", False), ("==", True), ("=", True)):
            key, sep, value = part.partition(op)
            if sep:
                terms.append(_Term(key.strip(), _unescape(value.strip()), equal))
                break
        else:
            raise OperationError(f"invalid selector: '{text}'; can't understand '{part}'")
    return terms


def node_fields(node: Obj) -> dict[str, str]:
    """The fields a node selector can name (``SelectorMatchesNode``)."""
    ref = node.get("templateRef") or {}
    out = {
        "displayName": str(node.get("displayName") or ""),
        "templateName": str(ref.get("template") or node.get("templateName") or ""),
        "phase": str(node.get("phase") or ""),
        "name": str(node.get("name") or ""),
        "id": str(node.get("id") or ""),
    }
    if ref:
        out["templateRef.name"] = str(ref.get("name") or "")
        out["templateRef.template"] = str(ref.get("template") or "")
    for p in (node.get("inputs") or {}).get("parameters") or []:
        out[f"inputs.parameters.{p.get('name')}.value"] = str(p.get("value") or "")
    return out


def selector_matches(terms: Iterable[_Term], node: Obj) -> bool:
    fields = node_fields(node)
    return all((fields.get(t.key, "") == t.value) == t.equal for t in terms)


# --- retry ----------------------------------------------------------------------------------


@dataclass
class Retried:
    workflow: Obj
    pods_to_delete: list[str] = field(default_factory=list)


class _Graph:
    """The node tree with one parent per node, as ``newWorkflowsDag`` builds it."""

    def __init__(self, wf: Obj) -> None:
        self.wf_name = _name(wf)
        self.nodes: dict[str, Obj] = (wf.get("status") or {}).get("nodes") or {}
        self.parent: dict[str, str] = {}
        # Sorted so that a node with several parents (a DAG task depending on many) always gets
        # the same one, and so the same reset set.
        for nid in sorted(self.nodes):
            for child in self.nodes[nid].get("children") or []:
                self.parent[child] = nid
        exit_prefix = f"{self.wf_name}.onExit"
        for nid, node in self.nodes.items():
            name = str(node.get("name") or "")
            if nid not in self.parent and name != self.wf_name and not name.startswith(exit_prefix):
                raise OperationError(f"couldn't find parent node for {nid}")
            for child in node.get("children") or []:
                if child not in self.nodes:
                    raise OperationError(f"coudln't obtain child {child}")

    def children(self, nid: str) -> list[str]:
        return list(self.nodes[nid].get("children") or [])

    def descendants(self, nid: str) -> set[str]:
        out: set[str] = set()
        queue = deque(self.children(nid))
        while queue:
            cur = queue.popleft()
            out.add(cur)
            queue.extend(self.children(cur))
        return out

    def bfs_from_root(self) -> list[str]:
        root = node_id(self.wf_name, self.wf_name)
        if root not in self.nodes:
            return []
        order, seen, queue = [], {root}, deque([root])
        while queue:
            cur = queue.popleft()
            order.append(cur)
            for child in self.children(cur):
                if child not in seen:
                    seen.add(child)
                    queue.append(child)
        return order

    def type_of(self, nid: str) -> str:
        return str(self.nodes[nid].get("type") or "")

    def reset_until(self, nid: str | None, match: Callable[[str], bool], reset: set[str]) -> str:
        while nid is not None:
            if match(nid):
                reset.add(nid)
                return nid
            nid = self.parent.get(nid)
        raise OperationError("was seeking node but ran out of nodes to explore")

    def reset_boundaries(self, nid: str | None, reset: set[str]) -> str | None:
        while nid is not None:
            parent = self.parent.get(nid)
            if parent is not None and self.type_of(parent) == "Retry":
                reset.add(parent)
                nid = parent
                parent = self.parent.get(nid)
            if parent is not None and self.type_of(parent) in ("StepGroup", "TaskGroup"):
                reset.add(parent)
            boundary = str(self.nodes[nid].get("boundaryID") or "")
            if not boundary:
                return parent
            nid = self.reset_until(nid, boundary.__eq__, reset)
        return None

    def reset_path(self, start: str) -> tuple[set[str], set[str]]:
        """Nodes to reset (ancestors that must run again) and to delete (``start`` and below)."""
        delete = self.descendants(start) | {start}
        reset: set[str] = set()
        if start == node_id(self.wf_name, self.wf_name):
            return reset, delete
        cur: str | None = start
        while cur is not None:
            ntype = self.type_of(cur)
            if ntype in _GROUPS:
                reset.add(cur)
                cur = self.reset_boundaries(cur, reset)
                continue
            if ntype == "Retry" and self.nodes[cur].get("phase") in ("Failed", "Error"):
                reset.add(cur)
            elif ntype == "Container":
                pod = self.reset_until(cur, lambda n: self.type_of(n) == "Pod", reset)
                delete |= {pod} | self.descendants(pod)
                cur = pod
                continue
            cur = self.parent.get(cur)
        return reset, delete


def _descendant_succeeded(nodes: dict[str, Obj], node: Obj, keep_out: set[str], seen: set[str] | None = None) -> bool:
    seen = set() if seen is None else seen
    for cid in node.get("children") or []:
        child = nodes.get(cid)
        if child is None or cid in seen:
            continue
        seen.add(cid)
        if (cid not in keep_out and child.get("phase") == "Succeeded") or _descendant_succeeded(
            nodes, child, keep_out, seen
        ):
            return True
    return False


def _retry_node_of(nodes: dict[str, Obj], child_id: str) -> Obj | None:
    for node in nodes.values():
        if node.get("type") == "Retry" and child_id in (node.get("children") or []):
            return node
    return None


def _check_retryable(wf: Obj, restart_successful: bool, selector: str) -> None:
    phase = (wf.get("status") or {}).get("phase") or ""
    if phase in ("Failed", "Error"):
        return
    if phase == "Succeeded":
        if not restart_successful or not selector:
            raise OperationError(
                "To retry a succeeded workflow, set the options restartSuccessful and nodeFieldSelector")
        return
    raise OperationError(f"Cannot retry a workflow in phase {phase}")


def _fresh_retry(wf: Obj, now: dt.datetime, parameters: Sequence[str]) -> Obj:
    """``createNewRetryWorkflow``: the object with every trace of completion removed, no nodes yet."""
    out = copy.deepcopy(wf)
    labels = out.setdefault("metadata", {}).get("labels") or {}
    for key in (LABEL_COMPLETED, LABEL_ARCHIVING):
        labels.pop(key, None)
    status = out.setdefault("status", {})
    conditions = [c for c in status.get("conditions") or [] if c.get("type") != "Completed"]
    status["conditions"] = [*conditions, {"type": "Completed", "status": "False"}]
    for key in ("phase", "message", "finishedAt", "persistentVolumeClaims"):
        status.pop(key, None)
    status["nodes"] = {}
    status["startedAt"] = _format_time(now)
    stored = status.get("storedWorkflowTemplateSpec")
    if isinstance(stored, dict):
        stored.pop("shutdown", None)
    spec = out.setdefault("spec", {})
    spec.pop("shutdown", None)
    if spec.get("activeDeadlineSeconds") == 0:
        spec.pop("activeDeadlineSeconds")  # it was terminated
    override_parameters(out, parameters)
    return out


def _reset_node(node: Obj, now: dt.datetime) -> Obj:
    out = copy.deepcopy(node)
    if out.get("type") == "Suspend" and out.get("outputs"):
        out["outputs"]["parameters"] = [
            {"name": p.get("name"), "valueFrom": {"supplied": {}}} for p in out["outputs"].get("parameters") or []
        ]
    if out.get("phase") != "Skipped":  # a skipped node stays skipped, or the workflow never finishes
        out["phase"] = "Running"
    out.pop("message", None)
    out.pop("finishedAt", None)
    out["startedAt"] = _format_time(now)
    return out


def _nodes_to_restart(wf: Obj, nodes: dict[str, Obj], restart_successful: bool, selector: str) -> set[str]:
    chosen: set[str] = set()
    if restart_successful and selector:
        terms = parse_field_selector(selector)
        chosen = {nid for nid, n in nodes.items() if selector_matches(terms, n)}
    failed = set()
    for nid, node in nodes.items():
        if node.get("phase") not in ("Failed", "Error") or node.get("type") not in _EXECUTION:
            continue
        subject = node
        if (node.get("nodeFlag") or {}).get("retried"):
            subject = _retry_node_of(nodes, nid) or node
        if not _descendant_succeeded(nodes, subject, chosen):
            failed.add(nid)
    return chosen | failed


def retry_workflow(wf: Obj, now: dt.datetime, *, restart_successful: bool = False, node_field_selector: str = "",
                   parameters: Sequence[str] = ()) -> Retried:
    """``argo retry``: re-run the failed/errored nodes (and any selected ones) in the same Workflow."""
    _check_retryable(wf, restart_successful, node_field_selector)
    out = _fresh_retry(wf, now, parameters)
    graph = _Graph(wf)
    nodes = graph.nodes
    restart = _nodes_to_restart(wf, nodes, restart_successful, node_field_selector)
    to_reset: set[str] = set()
    to_delete: set[str] = set()
    # Top-down, so that a node already deleted with an ancestor never gets a reset path of its own.
    for nid in graph.bfs_from_root():
        if nid in restart and nid not in to_delete:
            reset, delete = graph.reset_path(nid)
            to_reset |= reset
            to_delete |= delete
    if parameters:
        # Groups re-expand with the new values only if their children are gone.
        for nid in list(to_reset - to_delete):
            if graph.type_of(nid) in ("TaskGroup", "StepGroup"):
                to_delete |= graph.descendants(nid)
    new_nodes: dict[str, Obj] = {nid: _reset_node(nodes[nid], now) for nid in to_reset - to_delete}
    exit_name = f"{graph.wf_name}.onExit"
    for nid, node in nodes.items():
        if nid not in new_nodes and nid not in to_delete and not str(node.get("name", "")).startswith(exit_name):
            new_nodes[nid] = copy.deepcopy(node)
    for node in new_nodes.values():
        for key in ("children", "outboundNodes"):
            kept = [c for c in node.get(key) or [] if c not in to_delete]
            if kept:
                node[key] = kept
            else:
                node.pop(key, None)
    out["status"]["nodes"] = new_nodes
    return Retried(out, _pods_to_delete(wf, nodes, to_delete, exit_name))


def _pods_to_delete(wf: Obj, nodes: dict[str, Obj], deleted: set[str], exit_name: str) -> list[str]:
    name = _name(wf)
    pods: list[str] = []

    def add(node: Obj) -> None:
        template = str((node.get("templateRef") or {}).get("template") or node.get("templateName") or "")
        pod = pod_name(name, str(node.get("name") or ""), template)
        if pod not in pods:
            pods.append(pod)

    for nid in sorted(deleted):
        if nodes[nid].get("type") == "Pod":
            add(nodes[nid])
    for node in nodes.values():
        if node.get("name") == exit_name:
            queue = deque([node])
            while queue:
                cur = queue.popleft()
                add(cur)
                queue.extend(nodes[c] for c in cur.get("children") or [] if c in nodes)
    return pods


# --- resubmit -------------------------------------------------------------------------------


def _rand_suffix() -> str:
    return "".join(random.choices(string.ascii_lowercase + string.digits, k=5))


def resubmit_workflow(wf: Obj, now: dt.datetime, *, memoized: bool = False, parameters: Sequence[str] = (),
                      suffix: Callable[[], str] = _rand_suffix) -> Obj:
    """``argo resubmit``: a new Workflow from the old one's spec (``FormulateResubmitWorkflow``)."""
    meta = wf.get("metadata") or {}
    old_name = _name(wf)
    new_meta: Obj = {"generateName": meta.get("generateName") or f"{old_name}-"}
    if memoized:
        if (wf.get("status") or {}).get("phase") not in ("Failed", "Error"):
            raise OperationError("workflow must be Failed/Error to resubmit in memoized mode")
        # Node IDs hash the workflow name, so it must be known before the object is created.
        new_meta["name"] = new_meta["generateName"] + suffix()
    if meta.get("namespace"):
        new_meta["namespace"] = meta["namespace"]
    labels = {k: v for k, v in (meta.get("labels") or {}).items() if k not in _NOT_RESUBMITTED}
    labels[LABEL_RESUBMITTED_FROM] = old_name
    new_meta["labels"] = labels
    if meta.get("annotations"):
        new_meta["annotations"] = dict(meta["annotations"])
    if meta.get("ownerReferences"):
        new_meta["ownerReferences"] = copy.deepcopy(meta["ownerReferences"])
    spec = copy.deepcopy(wf.get("spec") or {})
    if spec.get("activeDeadlineSeconds") == 0:
        spec.pop("activeDeadlineSeconds")
    spec.pop("shutdown", None)
    out: Obj = {"apiVersion": wf.get("apiVersion", "argoproj.io/v1alpha1"), "kind": "Workflow",
                "metadata": new_meta, "spec": spec}
    override_parameters(out, parameters)
    if memoized:
        out["status"] = _memoized_status(wf, new_meta["name"], now)
    return out


def _renamer(old: str, new: str) -> Callable[[str], str]:
    def rename(name: str) -> str:
        return new + name[len(old):] if name.startswith(old) else name

    return rename


def _memoized_status(wf: Obj, new_name: str, now: dt.datetime) -> Obj:
    old_name = _name(wf)
    status = wf.get("status") or {}
    old_nodes: dict[str, Obj] = status.get("nodes") or {}
    rename = _renamer(old_name, new_name)

    def convert(old_id: str) -> str:
        return node_id(new_name, rename(str((old_nodes.get(old_id) or {}).get("name") or "")))

    nodes: dict[str, Obj] = {}
    for node in old_nodes.values():
        if str(node.get("name") or "").startswith(f"{old_name}.onExit"):
            continue
        if node.get("type") == "Skipped" and not _descendant_succeeded(old_nodes, node, set()):
            continue
        new = _memoized_node(node, new_name, rename, convert, now)
        nodes[new["id"]] = new
    out: Obj = {"nodes": nodes, "conditions": [{"type": "Completed", "status": "False"}]}
    if status.get("storedTemplates"):
        out["storedTemplates"] = copy.deepcopy(status["storedTemplates"])
    return out


def _memoized_node(node: Obj, new_name: str, rename: Callable[[str], str], convert: Callable[[str], str],
                   now: dt.datetime) -> Obj:
    """One node of the old run in the new one: a succeeded pod becomes a Skipped stand-in, the rest Pending."""
    new = copy.deepcopy(node)
    failed = node.get("phase") in ("Failed", "Error")
    pod = node.get("type") == "Pod"
    new["name"] = rename(str(node.get("name") or ""))
    new["id"] = node_id(new_name, new["name"])
    if node.get("boundaryID"):
        new["boundaryID"] = convert(str(node["boundaryID"]))
    if failed and pod:
        new.pop("startedAt", None)
        new.pop("finishedAt", None)
    else:
        new["startedAt"] = new["finishedAt"] = _format_time(now)
    for key in ("children", "outboundNodes"):
        converted = [convert(c) for c in node.get(key) or []]
        if converted:
            new[key] = converted
        else:
            new.pop(key, None)
    if pod and not failed:
        new["phase"], new["type"] = "Skipped", "Skipped"
        new["message"] = f"original pod: {node.get('id', '')}"
    else:
        new["phase"] = "Pending"
        new.pop("message", None)
    return new


def suspend_workflow(wf: Obj) -> Obj:
    """``argo suspend``: ``spec.suspend: true``; a completed workflow cannot be suspended."""
    if is_completed(wf):
        raise OperationError("cannot suspend completed workflows")
    out = copy.deepcopy(wf)
    out.setdefault("spec", {})["suspend"] = True
    return out


def shutdown_workflow(wf: Obj, strategy: str) -> Obj:
    """``argo stop`` / ``argo terminate``: ``spec.shutdown``; refused once the workflow has finished."""
    if (wf.get("status") or {}).get("phase") in DONE_PHASES:
        meta = wf.get("metadata") or {}
        raise OperationError(f'cannot shutdown a completed workflow: workflow: "{meta.get("name", "")}", '
                             f'namespace: "{meta.get("namespace", "")}"')
    return set_shutdown(wf, strategy)
