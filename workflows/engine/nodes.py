"""The ``status.nodes`` map: creation, phase changes, wiring, as ``operator.go`` does them."""

from __future__ import annotations

import datetime as dt
import re

from workflows.engine.model import (
    COMPLETED,
    FULFILLED,
    POD,
    RETRY,
    SKIPPED_TYPE,
    SUSPEND,
    TASK_GROUP,
    Obj,
    format_time,
    node_id,
)

_DISPLAY_PREFIX = re.compile(r"^(\[\d+\])?\.")


class Nodes:
    def __init__(self, wf_name: str, nodes: dict[str, Obj], now: dt.datetime) -> None:
        self.wf_name = wf_name
        self.nodes = nodes
        self.now = now
        self.changed = False

    def id_of(self, name: str) -> str:
        return node_id(self.wf_name, name)

    def get(self, name: str) -> Obj | None:
        return self.nodes.get(self.id_of(name))

    def by_id(self, nid: str) -> Obj:
        return self.nodes[nid]

    def init(
        self,
        name: str,
        node_type: str,
        template_name: str,
        boundary_id: str,
        phase: str,
        message: str = "",
        *,
        hooked: bool = False,
        retried: bool = False,
    ) -> Obj:
        nid = self.id_of(name)
        display = name
        if boundary_id and boundary_id in self.nodes:
            boundary_name = self.nodes[boundary_id]["name"]
            display = _DISPLAY_PREFIX.sub("", name.removeprefix(boundary_name), count=1)
        node: Obj = {
            "id": nid,
            "name": name,
            "displayName": display or name,
            "type": node_type,
            "templateScope": f"local/{self.wf_name}",
            "phase": phase,
            "startedAt": format_time(self.now),
        }
        if template_name:
            node["templateName"] = template_name
        if boundary_id:
            node["boundaryID"] = boundary_id
        if message:
            node["message"] = message
        if hooked or retried:
            node["nodeFlag"] = {k: True for k, on in (("hooked", hooked), ("retried", retried)) if on}
        if phase in FULFILLED:
            node["finishedAt"] = node["startedAt"]
        self.nodes[nid] = node
        self.changed = True
        return node

    def mark(self, name: str, phase: str, message: str | None = None) -> Obj:
        node = self.nodes[self.id_of(name)]
        if node["phase"] != phase:
            node["phase"] = phase
            self.changed = True
        if message is not None and node.get("message", "") != message:
            if message:
                node["message"] = message
            else:
                node.pop("message", None)
            self.changed = True
        if phase in FULFILLED and not node.get("finishedAt"):
            node["finishedAt"] = format_time(self.now)
            self.changed = True
        return node

    def add_child(self, parent: str, child: str) -> None:
        pnode = self.nodes[self.id_of(parent)]
        cid = self.id_of(child)
        children = pnode.setdefault("children", [])
        if cid not in children:
            children.append(cid)
            self.changed = True

    def outbound(self, nid: str) -> list[str]:
        node = self.nodes[nid]
        ntype = node["type"]
        if ntype in (SKIPPED_TYPE, SUSPEND, POD, "HTTP", "Plugin"):
            return [nid]
        if ntype == TASK_GROUP:
            if not node.get("children"):
                return [nid]
            out: list[str] = []
            for child in node["children"]:
                out.extend(self.outbound(child))
            return out
        if ntype == RETRY:
            children = node.get("children") or []
            if children:
                return [children[-1]]
        result: list[str] = []
        for o in node.get("outboundNodes") or []:
            result.extend(self.outbound(o))
        return result

    def retry_children(self, node: Obj) -> list[Obj]:
        """Attempts of a Retry node, without its hook children."""
        out = []
        for cid in node.get("children") or []:
            child = self.nodes.get(cid)
            if child and not child.get("nodeFlag", {}).get("hooked"):
                out.append(child)
        return out

    def last_attempt(self, node: Obj) -> Obj | None:
        attempts = self.retry_children(node)
        return attempts[-1] if attempts else None


SUCCEEDED_LIKE = frozenset({"Succeeded", "Skipped", "Omitted"})


def fulfilled(node: Obj | None) -> bool:
    return node is not None and node["phase"] in FULFILLED


def completed(node: Obj | None) -> bool:
    return node is not None and node["phase"] in COMPLETED
