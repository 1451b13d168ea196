"""The ``argo get`` view of a workflow: a summary, then the node tree with status icons.

Built from ``status.nodes`` the way Argo's CLI does it: Steps/DAG nodes are boundaries that
contain nodes; StepGroup and Retry nodes own their ``children``; a StepGroup is not printed
itself but fans its children out with ``├─┬─`` joins; a Retry with a single attempt is hidden.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pinnace.render.durations import between, parse_time, short

Obj = dict[str, Any]

ICONS = {"Pending": "◷", "Running": "●", "Succeeded": "✔", "Skipped": "○", "Omitted": "○", "Failed": "✖",
         "Error": "⚠"}
SUSPENDED_ICON = "ǁ"
BOUNDARY = frozenset({"DAG", "Steps"})
GROUPING = frozenset({"StepGroup", "Retry"})
EXECUTION = frozenset({"Pod", "Skipped", "Suspend", "HTTP", "Plugin", "Container"})
_INDEX = re.compile(r"\((\d+)(:.*)?\)$")


@dataclass
class _Item:
    id: str
    node: Obj
    children: list[_Item] = field(default_factory=list)


def _sort_key(item: _Item) -> tuple[float, int, str]:
    started = parse_time(item.node.get("startedAt")) or 0.0
    name = str(item.node.get("displayName") or "")
    m = _INDEX.search(name)
    return started, int(m.group(1)) if m else -1, name


def _build(nodes: dict[str, Obj]) -> dict[str, _Item]:
    """Render trees of every node; returns the roots by node id."""
    items = {nid: _Item(nid, n) for nid, n in nodes.items() if n.get("type") in BOUNDARY | GROUPING | EXECUTION}
    owner: dict[str, str] = {}
    for nid, item in items.items():
        if item.node.get("type") in GROUPING:
            for child in item.node.get("children") or []:
                owner[child] = nid
    roots: dict[str, _Item] = {}
    for nid, item in items.items():
        parent = owner.get(nid) or item.node.get("boundaryID")
        if parent in items and parent != nid:
            items[parent].children.append(item)
        else:
            roots[nid] = item
    for item in items.values():
        item.children.sort(key=_sort_key)
    return roots


def _hidden(node: Obj) -> tuple[bool, bool]:
    """(left out of the listing?, do its children get the fan-out indent?)"""
    kind = node.get("type")
    if kind == "Retry" and len(node.get("children") or []) == 1:
        return True, False
    if kind == "StepGroup":
        return True, True
    if kind == "Skipped" and node.get("phase") == "Omitted":
        return True, False
    return False, False


def _joins(parent_hidden: bool, fan_out: bool, index: int, last: int) -> tuple[str, str]:
    if parent_hidden and fan_out:
        if last == 0:
            return "──", "  "
        if index == 0:
            return "┬─", "│ "
        return ("└─", "  ") if index == last else ("├─", "│ ")
    if not parent_hidden:
        return ("└─", "  ") if index == last else ("├─", "│ ")
    return "", ""


def pod_name(wf: Obj, node: Obj) -> str:
    """The pod's name as Argo makes it (v2 naming unless the workflow asks for v1)."""
    if node.get("podName"):
        return str(node["podName"])
    meta = wf.get("metadata") or {}
    wf_name = str(meta.get("name") or "")
    if (meta.get("annotations") or {}).get("workflows.argoproj.io/pod-name-format") == "v1":
        return str(node.get("id") or "")
    name = str(node.get("name") or "")
    if name == wf_name:
        return wf_name
    template = str(node.get("templateName") or "")
    prefix = f"{wf_name}-{template}" if template else wf_name
    h = 0x811C9DC5
    for byte in name.encode():
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f"{prefix[:242]}-{h}"


class _Rows:
    def __init__(self, wf: Obj, now: float) -> None:
        self.wf = wf
        self.now = now
        self.rows: list[list[str]] = [["STEP", "TEMPLATE", "PODNAME", "DURATION", "MESSAGE"]]

    def add(self, node: Obj, prefix: str) -> None:
        icon = ICONS.get(str(node.get("phase")), " ")
        if node.get("type") == "Suspend" and node.get("phase") == "Running":
            icon = SUSPENDED_ICON
        ref = node.get("templateRef") or {}
        template = f"{ref.get('name')}/{ref.get('template')}" if ref else str(node.get("templateName") or "")
        pod = node.get("type") == "Pod"
        duration = between(node.get("startedAt"), node.get("finishedAt"), self.now) if pod else ""
        self.rows.append([f"{prefix}{icon} {node.get('displayName') or node.get('name')}", template,
                          pod_name(self.wf, node) if pod else "", duration, str(node.get("message") or "")])

    def walk(self, item: _Item, node_prefix: str, child_prefix: str) -> None:
        hidden, fan_out = _hidden(item.node)
        if not hidden:
            self.add(item.node, node_prefix)
        last = len(item.children) - 1
        for i, child in enumerate(item.children):
            part, sub = _joins(hidden, fan_out, i, last)
            if not hidden:
                self.walk(child, child_prefix + part, child_prefix + sub)
            else:
                self.walk(child, (node_prefix if i == 0 else child_prefix) + part, child_prefix + sub)

    def text(self) -> str:
        widths = [max(len(r[i]) for r in self.rows) for i in range(4)]
        return "\n".join(
            "  ".join(cell.ljust(widths[i]) if i < 4 else cell for i, cell in enumerate(r)).rstrip()
            for r in self.rows)


def _when(value: Any, now: float) -> str:
    t = parse_time(value)
    if t is None:
        return ""
    stamp = datetime.fromtimestamp(t, UTC).strftime("%a %b %d %H:%M:%S %z")
    return f"{stamp} ({short(now - t)} ago)"


def _summary(wf: Obj, now: float) -> list[tuple[str, str]]:
    meta, spec, st = wf.get("metadata") or {}, wf.get("spec") or {}, wf.get("status") or {}
    lines = [("Name:", str(meta.get("name", ""))), ("Namespace:", str(meta.get("namespace", ""))),
             ("ServiceAccount:", str(spec.get("serviceAccountName") or "unset")),
             ("Status:", str(st.get("phase") or "Pending"))]
    if st.get("message"):
        lines.append(("Message:", str(st["message"])))
    lines.append(("Created:", _when(meta.get("creationTimestamp"), now)))
    if st.get("startedAt"):
        lines.append(("Started:", _when(st["startedAt"], now)))
    if st.get("finishedAt"):
        lines.append(("Finished:", _when(st["finishedAt"], now)))
    if st.get("startedAt"):
        lines.append(("Duration:", between(st["startedAt"], st.get("finishedAt"), now)))
    if st.get("progress"):
        lines.append(("Progress:", str(st["progress"])))
    params = [p for p in (spec.get("arguments") or {}).get("parameters") or [] if "value" in p]
    if params:
        lines.append(("Parameters:", ""))
        lines += [(f"  {p['name']}:", str(p["value"])) for p in params]
    outputs = [p for p in (st.get("outputs") or {}).get("parameters") or [] if "value" in p]
    if outputs:
        lines.append(("Output Parameters:", ""))
        lines += [(f"  {p['name']}:", str(p["value"])) for p in outputs]
    return lines


def render_workflow(wf: Obj, now: float | None = None) -> str:
    """The full ``argo get`` text for ``wf`` (a Workflow as a wire dict)."""
    now = time.time() if now is None else now
    out = "\n".join(f"{k:<20} {v}".rstrip() for k, v in _summary(wf, now))
    nodes: dict[str, Obj] = (wf.get("status") or {}).get("nodes") or {}
    name = str((wf.get("metadata") or {}).get("name") or "")
    roots = _build(nodes)
    root_id = next((nid for nid, n in nodes.items() if n.get("name") == name), None)
    if root_id is None or root_id not in roots:
        return out + "\n"
    rows = _Rows(wf, now)
    rows.walk(roots[root_id], " ", " ")
    exit_id = next((nid for nid, n in nodes.items() if n.get("name") == f"{name}.onExit"), None)
    if exit_id in roots:
        rows.rows.append(["", "", "", "", ""])
        rows.walk(roots[exit_id], " ", " ")
    return out + "\n\n" + rows.text() + "\n"
