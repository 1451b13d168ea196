"""``pinnace retry|resubmit|stop|terminate|suspend|resume WORKFLOW...``, as ``argo`` does them.

One table row per operation: how it changes (or, for resubmit, recreates) the Workflow object and
what it prints. The rewriting itself is ``workflows.operations`` / ``workflows.engine.control``;
this module reads the object, applies the change, writes it back (again on a conflict with the
controller's own writes), and reports like ``argo``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pinnace.apiclient.http import HttpClient
from pinnace.apiclient.options import add_client_arguments, client_from_args
from pinnace.cli import Command, CommandError, register
from pinnace.commands.logs import resolve_name
from pinnace.commands.submit import add_output_arguments, report
from pinnace.resources.errors import ApiError, Conflict, NotFound

Obj = dict[str, Any]
Change = Callable[[Obj, argparse.Namespace], Obj]
CONFLICT_RETRIES = 10


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- how each operation changes the object (engine modules imported late: CLI start stays fast) ---


def _stop(wf: Obj, args: argparse.Namespace) -> Obj:
    from workflows.operations import shutdown_workflow

    return shutdown_workflow(wf, "Stop")


def _terminate(wf: Obj, args: argparse.Namespace) -> Obj:
    from workflows.operations import shutdown_workflow

    return shutdown_workflow(wf, "Terminate")


def _suspend(wf: Obj, args: argparse.Namespace) -> Obj:
    from workflows.operations import suspend_workflow

    return suspend_workflow(wf)


def _resume(wf: Obj, args: argparse.Namespace) -> Obj:
    from workflows.engine.control import resume

    return resume(wf, _now())


def _retry(wf: Obj, args: argparse.Namespace) -> Obj:
    from workflows.operations import retry_workflow

    return retry_workflow(wf, _now(), restart_successful=args.restart_successful,
                          node_field_selector=args.node_field_selector or "", parameters=args.parameter).workflow


def _resubmit(wf: Obj, args: argparse.Namespace) -> Obj:
    from workflows.operations import resubmit_workflow

    return resubmit_workflow(wf, _now(), memoized=args.memoized, parameters=args.parameter)


# --- how the change is written --------------------------------------------------------------


async def update_workflow(client: HttpClient, name: str, ns: str, change: Change, args: argparse.Namespace) -> Obj:
    """Read, change, write; on a conflict (the controller wrote meanwhile) read again."""
    from workflows.operations import OperationError

    for _ in range(CONFLICT_RETRIES):
        wf = await client.get("Workflow", name, ns)
        try:
            new = change(wf, args)
        except (OperationError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        if new == wf:
            return wf
        try:
            return await client.update(new)
        except Conflict:
            continue
    raise CommandError(f"workflow {name} kept changing while being updated; try again")


async def create_from(client: HttpClient, name: str, ns: str, change: Change, args: argparse.Namespace) -> Obj:
    from workflows.operations import OperationError

    wf = await client.get("Workflow", name, ns)
    try:
        new = change(wf, args)
    except OperationError as exc:
        raise CommandError(str(exc)) from None
    return await client.create(new, ns)


Write = Callable[[HttpClient, str, str, Change, argparse.Namespace], Awaitable[Obj]]


@dataclass(frozen=True)
class Operation:
    name: str
    help: str
    change: Change
    write: Write = update_workflow
    done: str = ""  # "workflow NAME <done>"; empty: print the workflow and honour --wait/--watch
    configure: Callable[[argparse.ArgumentParser], None] | None = None


def _retry_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
                   help="override a workflow argument")
    p.add_argument("--restart-successful", action="store_true",
                   help="also re-run succeeded nodes matching --node-field-selector")
    p.add_argument("--node-field-selector", metavar="SELECTOR",
                   help="nodes to restart, e.g. displayName=step-a or templateName=flaky,phase=Succeeded")
    add_output_arguments(p)


def _resubmit_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
                   help="override a workflow argument")
    p.add_argument("--memoized", action="store_true", help="re-use the succeeded steps of a Failed/Error workflow")
    add_output_arguments(p)


OPERATIONS: tuple[Operation, ...] = (
    Operation("stop", "Stop workflows: no new steps, running ones end, exit handlers still run.", _stop,
              done="stopped"),
    Operation("terminate", "Terminate workflows at once (exit handlers do not run).", _terminate, done="terminated"),
    Operation("suspend", "Suspend workflows (running steps finish; nothing new starts).", _suspend,
              done="suspended"),
    Operation("resume", "Resume suspended workflows and their suspend steps.", _resume, done="resumed"),
    Operation("retry", "Retry failed workflows: re-run failed nodes, keep succeeded ones.", _retry,
              configure=_retry_flags),
    Operation("resubmit", "Resubmit workflows as new workflows (optionally memoized).", _resubmit,
              write=create_from, configure=_resubmit_flags),
)


async def _apply(op: Operation, args: argparse.Namespace) -> int:
    async with client_from_args(args) as client:
        ns = args.namespace or client.conn.namespace
        results = []
        for raw in args.workflows:
            name = await resolve_name(client, raw, ns)
            try:
                wf = await op.write(client, name, ns, op.change, args)
            except NotFound:
                raise CommandError(f'workflows.argoproj.io "{name}" not found') from None
            if op.done:
                print(f"workflow {name} {op.done}", flush=True)
            results.append(wf)
        if op.done:
            return 0
        return await report(client, results, args)


def _command(op: Operation) -> Command:
    def configure(p: argparse.ArgumentParser) -> None:
        p.add_argument("workflows", nargs="+", metavar="WORKFLOW", help="workflow name(s), or @latest")
        if op.configure is not None:
            op.configure(p)
        add_client_arguments(p)

    def run(args: argparse.Namespace) -> int:
        try:
            return asyncio.run(_apply(op, args))
        except ApiError as exc:
            raise CommandError(exc.message) from None

    return Command(op.name, op.help, configure, run)


for _op in OPERATIONS:
    register(_command(_op))
