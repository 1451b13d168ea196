"""kubectl-style tables; the columns of each kind come from a small registry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pinnace.render.durations import age, between

Obj = dict[str, Any]
Column = tuple[str, Callable[[Obj], str]]


def _name(o: Obj) -> str:
    return str(o.get("metadata", {}).get("name", ""))


def _age(o: Obj) -> str:
    return age(o.get("metadata", {}).get("creationTimestamp"))


def _status(o: Obj) -> str:
    return str((o.get("status") or {}).get("phase") or "")


def _wf_status(o: Obj) -> str:
    return _status(o) or "Pending"


def _wf_duration(o: Obj) -> str:
    st = o.get("status") or {}
    return between(st.get("startedAt"), st.get("finishedAt"))


def _message(o: Obj) -> str:
    return str((o.get("status") or {}).get("message") or "")


NAME: Column = ("NAME", _name)
AGE: Column = ("AGE", _age)

COLUMNS: dict[str, list[Column]] = {
    "Workflow": [NAME, ("STATUS", _wf_status), AGE, ("DURATION", _wf_duration), ("MESSAGE", _message)],
    "ConfigMap": [NAME, ("DATA", lambda o: str(len(o.get("data") or {}) + len(o.get("binaryData") or {}))), AGE],
    "Secret": [NAME, ("TYPE", lambda o: str(o.get("type") or "Opaque")),
               ("DATA", lambda o: str(len(o.get("data") or {}))), AGE],
    "Namespace": [NAME, ("STATUS", lambda o: _status(o) or "Active"), AGE],
    "CronWorkflow": [NAME, ("SCHEDULE", lambda o: str((o.get("spec") or {}).get("schedule") or
                                                       ",".join((o.get("spec") or {}).get("schedules") or []))),
                     ("SUSPENDED", lambda o: str(bool((o.get("spec") or {}).get("suspend"))).lower()), AGE],
}
WIDE: dict[str, list[Column]] = {
    "Workflow": [("NAMESPACE", lambda o: str(o.get("metadata", {}).get("namespace", ""))),
                 ("LABELS", lambda o: ",".join(f"{k}={v}" for k, v in sorted((o["metadata"].get("labels") or {})
                                                                             .items())))],
}


def register_columns(kind: str, columns: list[Column]) -> None:
    COLUMNS[kind] = columns


def render_table(kind: str, items: list[Obj], *, wide: bool = False) -> str:
    cols = list(COLUMNS.get(kind, [NAME, AGE]))
    if wide:
        cols += WIDE.get(kind, [])
    rows = [[h for h, _ in cols]] + [[fn(o) for _, fn in cols] for o in items]
    widths = [max(len(r[i]) for r in rows) for i in range(len(cols))]
    lines = ["   ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)
