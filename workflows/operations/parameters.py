"""``-p name=value`` on a Workflow object (``overrideParameters``)."""

from __future__ import annotations

import copy
from collections.abc import Sequence

from workflows.operations.wire import Obj, OperationError


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
