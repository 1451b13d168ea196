"""retryStrategy: the Retry wrapper node and ``processNodeRetries``."""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import TYPE_CHECKING

from workflows.engine import templates as tpl
from workflows.engine.conditions import expr_eval
from workflows.engine.model import (
    ERROR,
    FAILED,
    FAILED_OR_ERROR,
    RETRY,
    RUNNING,
    SUCCEEDED,
    Obj,
    parse_time,
    pod_name,
)
from workflows.engine.nodes import fulfilled
from workflows.templating import TemplateError, render_object

if TYPE_CHECKING:
    from workflows.engine.operator import Operation


def process_retries(
    op: Operation,
    node_name: str,
    holder: Obj,
    tmpl: Obj,
    strategy: Obj,
    args: Obj,
    boundary_id: str,
    *,
    on_exit: bool,
    hooked: bool,
) -> Obj:
    retry = op.nodes.get(node_name)
    if retry is None:
        retry = op.nodes.init(node_name, RETRY, tmpl.get("name", ""), boundary_id, RUNNING, hooked=hooked)
    if fulfilled(retry):
        return retry
    decision = _decide(op, retry, strategy)
    if decision == "wait" or fulfilled(retry):
        return retry
    attempts = op.nodes.retry_children(retry)
    last = attempts[-1] if attempts else None
    if last is not None and not fulfilled(last):
        child_name, n = last["name"], len(attempts) - 1
    else:
        n = len(attempts)
        child_name = f"{node_name}({n})"
    values = _attempt_values(n, last)
    values["pod.name"] = pod_name(op.name, child_name, tmpl.get("name", ""))
    try:
        attempt_tmpl = render_object(tmpl, {**op.globals, **values}, expr=expr_eval)
    except TemplateError as err:
        return op.nodes.mark(node_name, ERROR, str(err))
    child = op.dispatch(child_name, holder, attempt_tmpl, boundary_id, on_exit=on_exit, hooked=False, retried=True)
    op.nodes.add_child(node_name, child_name)
    if fulfilled(child):
        _decide(op, retry, strategy)
        if not fulfilled(retry):
            # The attempt failed without a pod (template error): try again on the next pass.
            op._requeue(0.0)
    return retry


def _attempt_values(n: int, last: Obj | None) -> dict[str, str]:
    """``{{retries}}`` and ``{{lastRetry.*}}`` as the next attempt's template sees them."""
    values = {
        "retries": str(n),
        "lastRetry.exitCode": "0",
        "lastRetry.duration": "0",
        "lastRetry.status": "",
        "lastRetry.message": "",
        "pod.name": "",
    }
    if last is not None:
        values.update(
            {
                "lastRetry.exitCode": (last.get("outputs") or {}).get("exitCode", "0"),
                "lastRetry.status": last["phase"],
                "lastRetry.duration": _duration(last),
                "lastRetry.message": last.get("message", ""),
            }
        )
    return values


def _duration(node: Obj) -> str:
    """Seconds as Go's fmt.Sprint prints a float64 (``1``, ``1.5``)."""
    if not node.get("finishedAt") or not node.get("startedAt"):
        return "0"
    secs = (parse_time(node["finishedAt"]) - parse_time(node["startedAt"])).total_seconds()
    return str(int(secs)) if secs.is_integer() else str(secs)


def _decide(op: Operation, retry: Obj, strategy: Obj) -> str:
    """Mark the Retry node done when appropriate; "wait" during backoff, else "go"."""
    attempts = op.nodes.retry_children(retry)
    last = attempts[-1] if attempts else None
    if last is None or not fulfilled(last):
        return "go"
    if last["phase"] not in FAILED_OR_ERROR:
        _succeed(op, retry, last)
        return "go"
    if op.shutdown or op.deadline_passed:
        msg = f"Stopped with strategy '{op.shutdown}'" if op.shutdown else "retry exceeded workflow deadline"
        _finish(op, retry, last, msg)
        return "go"
    backoff = strategy.get("backoff") or {}
    if backoff:
        verdict = _backoff(op, retry, attempts, last, strategy, backoff)
        if verdict:
            return verdict
    if not _policy_retries(strategy, last):
        _finish(op, retry, last, last.get("message", ""))
        return "go"
    limit = strategy.get("limit")
    if limit is not None and len(attempts) > int(str(limit)):
        _finish(op, retry, last, "No more retries left")
        return "go"
    if strategy.get("expression"):
        _apply_expression(op, retry, last, strategy["expression"])
    return "go"


def _succeed(op: Operation, retry: Obj, last: Obj) -> None:
    retry["outputs"] = last.get("outputs") or {}
    if not retry["outputs"]:
        retry.pop("outputs")
    op.nodes.mark(retry["name"], SUCCEEDED)


def _policy_retries(strategy: Obj, last: Obj) -> bool:
    """Whether ``retryPolicy`` retries the last attempt's phase (an expression alone implies Always)."""
    policy = strategy.get("retryPolicy") or ("Always" if strategy.get("expression") else "OnFailure")
    on_failed = policy in ("Always", "OnFailure")
    on_error = policy in ("Always", "OnError")
    if policy == "OnTransientError":
        on_failed = on_error = _transient(last.get("message", ""))
    return not ((last["phase"] == FAILED and not on_failed) or (last["phase"] == ERROR and not on_error))


def _apply_expression(op: Operation, retry: Obj, last: Obj, expression: str) -> None:
    """``retryStrategy.expression``: false ends the retries, an evaluation error marks the node Error."""
    scope = {
        "lastRetry": {
            "exitCode": (last.get("outputs") or {}).get("exitCode", "-1"),
            "status": last["phase"],
            "duration": _duration(last),
            "message": last.get("message", ""),
        }
    }
    try:
        proceed = bool(expr_eval(expression, scope))
    except Exception as err:
        op.nodes.mark(retry["name"], ERROR, f"retryStrategy.expression: {err}")
        return
    if not proceed:
        _finish(op, retry, last, "retryStrategy.expression evaluated to false")


def _backoff(op: Operation, retry: Obj, attempts: list[Obj], last: Obj, strategy: Obj, backoff: Obj) -> str:
    max_deadline = None
    if backoff.get("maxDuration"):
        max_deadline = parse_time(attempts[0]["startedAt"]) + dt.timedelta(seconds=tpl.seconds(backoff["maxDuration"]))
        if op.now > max_deadline:
            _finish(op, retry, last, "Max duration limit exceeded")
            return "go"
    wait = tpl.seconds(backoff.get("duration") or 0)
    factor = backoff.get("factor")
    if factor is not None and int(str(factor)) > 0:
        wait = wait * int(str(factor)) ** (len(attempts) - 1)
    if backoff.get("cap"):
        wait = min(wait, tpl.seconds(backoff["cap"]))
    until = parse_time(last.get("finishedAt") or last["startedAt"]) + dt.timedelta(seconds=wait)
    if max_deadline is not None and until > max_deadline:
        _finish(op, retry, last, "Backoff would exceed max duration limit")
        return "go"
    limit = strategy.get("limit")
    if op.now < until and limit is not None and len(attempts) <= int(str(limit)):
        op._requeue((until - op.now).total_seconds())
        op.nodes.mark(retry["name"], retry["phase"], f"Backoff for {_humanize(wait)}")
        return "wait"
    op.nodes.mark(retry["name"], retry["phase"], "")
    return ""


def _finish(op: Operation, retry: Obj, last: Obj, message: str) -> None:
    if last.get("outputs"):
        retry["outputs"] = last["outputs"]
    op.nodes.mark(retry["name"], last["phase"], message)


def _transient(message: str) -> bool:
    patterns = [
        "exceeded quota",
        "connection reset by peer",
        "i/o timeout",
        "connection refused",
        "pod deleted",
        "etcdserver: leader changed",
    ]
    extra = os.environ.get("TRANSIENT_ERROR_PATTERN")
    if extra and re.search(extra, message):
        return True
    return any(p in message for p in patterns)


def _humanize(secs: float) -> str:
    s = int(secs)
    if s < 60:
        return f"{s} second{'s' if s != 1 else ''}"
    m, s = divmod(s, 60)
    if m < 60:
        text = f"{m} minute{'s' if m != 1 else ''}"
        return text + (f" {s} second{'s' if s != 1 else ''}" if s else "")
    h, m = divmod(m, 60)
    return f"{h} hour{'s' if h != 1 else ''}" + (f" {m} minute{'s' if m != 1 else ''}" if m else "")
