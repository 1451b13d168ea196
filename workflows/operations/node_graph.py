"""The status node tree as retry walks it (``newWorkflowsDag``), and the succeeded-descendant test."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from workflows.engine.model import node_id
from workflows.operations.wire import Obj, OperationError, workflow_name

_GROUPS = frozenset({"DAG", "TaskGroup", "StepGroup", "Steps"})


class NodeGraph:
    """The node tree with one parent per node, as ``newWorkflowsDag`` builds it."""

    def __init__(self, wf: Obj) -> None:
        self.wf_name = workflow_name(wf)
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


def descendant_succeeded(nodes: dict[str, Obj], node: Obj, keep_out: set[str], seen: set[str] | None = None) -> bool:
    seen = set() if seen is None else seen
    for cid in node.get("children") or []:
        child = nodes.get(cid)
        if child is None or cid in seen:
            continue
        seen.add(cid)
        if (cid not in keep_out and child.get("phase") == "Succeeded") or descendant_succeeded(
            nodes, child, keep_out, seen
        ):
            return True
    return False
