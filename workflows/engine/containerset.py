"""containerSet templates: one Pod node plus a ``Container`` child node per container.

After ``container_set_template.go`` (node graph) and ``operator.go assessNodeStatus`` /
``inferFailedReason`` (container node phases and the pod node's message).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workflows.engine.model import CONTAINER, ERROR, FAILED, FULFILLED, PENDING, RUNNING, SUCCEEDED, Obj, PodObservation

if TYPE_CHECKING:
    from workflows.engine.operator import Operation

EMISSARY_ERROR = 64


def containers_of(tmpl: Obj) -> list[Obj]:
    return [c for c in (tmpl.get("containerSet") or {}).get("containers") or [] if isinstance(c, dict)]


def init_container_nodes(op: Operation, pod: Obj, tmpl: Obj, hooked: bool = False) -> None:
    """``executeContainerSet``: ``<pod>.<ctr>`` nodes, wired along the containers' dependencies."""
    ctrs = containers_of(tmpl)
    for c in ctrs:
        name = f"{pod['name']}.{c['name']}"
        if op.nodes.get(name) is None:
            op.nodes.init(name, CONTAINER, tmpl.get("name", ""), pod["id"], PENDING, hooked=hooked)
    for c in ctrs:
        name = f"{pod['name']}.{c['name']}"
        deps = c.get("dependencies") or []
        if not deps:
            op.nodes.add_child(pod["name"], name)
        for dep in deps:
            if op.nodes.get(f"{pod['name']}.{dep}") is not None:
                op.nodes.add_child(f"{pod['name']}.{dep}", name)


def assess_containers(op: Operation, pod: Obj, obs: PodObservation) -> None:
    """Container node phases from the pod's container states."""
    for cname, state in obs.containers.items():
        node = op.nodes.get(f"{pod['name']}.{cname}")
        if node is None or node["phase"] in FULFILLED:
            continue
        if state.state == "Terminated" and state.exit_code is not None:
            code = state.exit_code
            message = f"{cname}: {state.reason or 'Error'} (exit code {code}): {state.message}"
            if code == 0:
                op.nodes.mark(node["name"], SUCCEEDED)
            elif code == EMISSARY_ERROR:
                # The emissary's own failure (e.g. a failed dependency), unless the program chose 64.
                op.nodes.mark(node["name"], ERROR, message)
            else:
                op.nodes.mark(node["name"], FAILED, message)
        elif obs.phase == FAILED:
            op.nodes.mark(node["name"], FAILED, "Pod Failed whilst container running")
        elif state.state == "Running":
            op.nodes.mark(node["name"], RUNNING)
        else:
            op.nodes.mark(node["name"], PENDING)
    if obs.phase in (SUCCEEDED, FAILED):
        # Containers the pod never reported (it ended before they were set up) end with it.
        for cid in _descendants(op, pod):
            node = op.nodes.by_id(cid)
            if node["phase"] not in FULFILLED:
                op.nodes.mark(node["name"], FAILED, "Pod Failed whilst container running")


def failed_reason(obs: PodObservation) -> str:
    """``inferFailedReason`` for a containerSet pod: every container is a main container."""
    for cname, state in obs.containers.items():
        if state.state != "Terminated" or not state.exit_code:
            continue
        message = f"{cname}: {state.reason or 'Error'} (exit code {state.exit_code})"
        return f"{message}: {state.message}" if state.message else message
    return "pod failed: main container did not complete successfully"


def mark_containers_deleted(op: Operation, pod: Obj) -> None:
    """``markAllContainersDeleted``: the pod vanished, so did its containers."""
    for cid in _descendants(op, pod):
        node = op.nodes.by_id(cid)
        if node["phase"] not in FULFILLED:
            op.nodes.mark(node["name"], ERROR, "container deleted")


def stop_containers(op: Operation, pod: Obj, message: str) -> None:
    """The pod was stopped (deadline, stop, terminate): its unfinished containers end with it."""
    for cid in _descendants(op, pod):
        node = op.nodes.by_id(cid)
        if node["phase"] not in FULFILLED:
            op.nodes.mark(node["name"], FAILED, message)


def _descendants(op: Operation, pod: Obj) -> list[str]:
    out: list[str] = []
    todo = list(pod.get("children") or [])
    while todo:
        cid = todo.pop(0)
        node = op.nodes.nodes.get(cid)
        if cid in out or node is None or node["type"] != CONTAINER:
            continue
        out.append(cid)
        todo.extend(node.get("children") or [])
    return out
