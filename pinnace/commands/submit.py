"""``pinnace submit FILE|--from KIND/NAME [-p k=v]... [--wait|--watch]``, as ``argo submit``.

Parameters are merged before the local lint (a Workflow argument without a value is a lint error
that ``-p`` is there to fix). ``--wait`` and ``--watch`` follow the workflow through the watch API;
the exit code is 0 only when every submitted workflow Succeeded. The waiting helpers here serve
``retry``/``resubmit``/``logs -f`` too.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

import yaml

from pinnace.apiclient.http import HttpClient
from pinnace.apiclient.options import add_client_arguments, client_from_args
from pinnace.cli import Command, CommandError, register
from pinnace.render.tree import render_workflow
from pinnace.resources.documents import read_paths
from pinnace.resources.errors import ApiError, NotFound
from pinnace.resources.kinds import ensure_loaded, lookup
from pinnace.resources.validate import validate_object

Obj = dict[str, Any]
DONE = frozenset({"Succeeded", "Failed", "Error"})
CLEAR = "\x1b[H\x1b[2J"


def finished(wf: Obj) -> bool:
    return (wf.get("status") or {}).get("phase") in DONE


def _rv(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("resourceVersion") or "")


async def follow_workflow(client: HttpClient, name: str, namespace: str,
                          on_change: Callable[[Obj], None] | None = None) -> Obj:
    """Return the workflow once it has finished, calling ``on_change`` with every version seen."""
    seen = ""
    while True:
        wf = await client.get("Workflow", name, namespace)
        if on_change and _rv(wf) != seen:
            on_change(wf)
        seen = _rv(wf)
        if finished(wf):
            return wf
        try:
            async for ev in client.watch("Workflow", namespace, resource_version=seen):
                meta = ev.object.get("metadata") or {}
                if ev.type == "BOOKMARK" or meta.get("name") != name:
                    continue
                if ev.type == "DELETED":
                    raise CommandError(f'workflow "{name}" was deleted before it finished')
                seen = _rv(ev.object)
                if on_change:
                    on_change(ev.object)
                if finished(ev.object):
                    return ev.object
        except NotFound:
            raise
        except ApiError:
            pass  # the watch was cut or expired: read the object again and watch from there


class TreeWatcher:
    """``--watch``: redraw the ``argo get`` tree on every change (clear the screen on a terminal)."""

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream or sys.stdout
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last = ""

    def __call__(self, wf: Obj) -> None:
        text = render_workflow(wf).rstrip()
        if text == self._last:
            return
        first, self._last = not self._last, text
        if self.tty:
            self.stream.write(CLEAR + text + "\n")
        else:
            self.stream.write(("" if first else "\n") + text + "\n")
        self.stream.flush()


async def wait_all(client: HttpClient, names: Sequence[str], namespace: str, *, watch: bool,
                   quiet: bool) -> int:
    """``--wait``/``--watch`` over ``names``: 0 when all Succeeded, else 1 (``argo wait``)."""
    async def one(name: str) -> bool:
        wf = await follow_workflow(client, name, namespace, TreeWatcher() if watch else None)
        phase = (wf.get("status") or {}).get("phase")
        if not quiet and not watch:
            print(f"{name} {phase}", flush=True)
        return phase == "Succeeded"

    results = await asyncio.gather(*(one(n) for n in names))
    return 0 if all(results) else 1


def print_workflow(wf: Obj, output: str) -> None:
    """As ``argo``'s ``printWorkflow``: the get summary by default, or name/json/yaml."""
    if output == "name":
        print(wf["metadata"]["name"])
    elif output == "json":
        print(json.dumps(wf, indent=2))
    elif output == "yaml":
        print(yaml.safe_dump(wf, sort_keys=False).rstrip())
    else:
        print(render_workflow(wf).rstrip())
    sys.stdout.flush()


def add_output_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", choices=["name", "json", "yaml", "wide"], default="",
                   help="output format of the created workflow")
    g = p.add_mutually_exclusive_group()
    g.add_argument("-w", "--wait", action="store_true", help="wait for completion; print '<name> <Phase>'")
    g.add_argument("--watch", action="store_true", help="redraw the step tree until completion")


async def report(client: HttpClient, created: list[Obj], args: argparse.Namespace) -> int:
    """Print what was created, then wait or watch when asked."""
    if not args.watch:
        for wf in created:
            print_workflow(wf, args.output)
    if not (args.wait or args.watch):
        return 0
    ns = created[0]["metadata"].get("namespace") or client.conn.namespace
    quiet = args.output not in ("", "wide")
    return await wait_all(client, [w["metadata"]["name"] for w in created], ns, watch=args.watch, quiet=quiet)


# --- building the workflows -----------------------------------------------------------------

FROM_TEMPLATE_LABELS = {
    "WorkflowTemplate": "workflows.argoproj.io/workflow-template",
    "ClusterWorkflowTemplate": "workflows.argoproj.io/cluster-workflow-template",
}


def _from_template(kind: str, source: Obj) -> Obj:
    """``NewWorkflowFromWorkflowTemplate``: a Workflow that only refers to the template."""
    name = source["metadata"]["name"]
    ref: Obj = {"name": name}
    if kind == "ClusterWorkflowTemplate":
        ref["clusterScope"] = True
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
            "metadata": {"generateName": f"{name}-", "labels": {FROM_TEMPLATE_LABELS[kind]: name}},
            "spec": {"workflowTemplateRef": ref}}


def _from_cron(kind: str, source: Obj) -> Obj:
    """``ConvertCronWorkflowToWorkflow``: the cron's workflowSpec, owned by the CronWorkflow."""
    meta, spec = source["metadata"], source.get("spec") or {}
    wf_meta = spec.get("workflowMetadata") or {}
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
            "metadata": {
                "generateName": f"{meta['name']}-",
                "labels": {"workflows.argoproj.io/cron-workflow": meta["name"], **(wf_meta.get("labels") or {})},
                "annotations": {"workflows.argoproj.io/scheduled-time": now, **(wf_meta.get("annotations") or {})},
                "ownerReferences": [{"apiVersion": "argoproj.io/v1alpha1", "kind": "CronWorkflow",
                                     "name": meta["name"], "uid": meta.get("uid", ""), "controller": True,
                                     "blockOwnerDeletion": True}]},
            "spec": copy.deepcopy(spec.get("workflowSpec") or {})}


FROM_KINDS: dict[str, Callable[[str, Obj], Obj]] = {
    "WorkflowTemplate": _from_template,
    "ClusterWorkflowTemplate": _from_template,
    "CronWorkflow": _from_cron,
}


async def workflow_from(client: HttpClient, ref: str, namespace: str) -> tuple[str, Obj]:
    kind_name, sep, name = ref.partition("/")
    info = lookup(kind_name) if sep and name else None
    if info is None or info.kind not in FROM_KINDS:
        raise CommandError(f"--from {ref!r}: expected workflowtemplate/NAME, clusterworkflowtemplate/NAME "
                           "or cronworkflow/NAME")
    try:
        source = await client.get(info.kind, name, namespace if info.namespaced else None)
    except NotFound:
        raise CommandError(f'{info.plural}.argoproj.io "{name}" not found') from None
    return f"{info.singular}/{name}", FROM_KINDS[info.kind](info.kind, source)


def read_workflows(path: str) -> list[tuple[str, Obj]]:
    docs = list(read_paths([path]))
    errors = [f"{d.where}: {d.error}" for d in docs if d.error]
    if errors:
        raise CommandError("\n".join(errors))
    found = [(d.where, d.content) for d in docs if isinstance(d.content, dict) and d.content.get("kind") == "Workflow"]
    if not found:
        raise CommandError(f"{path}: no Workflow found; submit takes Workflows (use `pinnace apply` for other kinds, "
                           "or --from workflowtemplate/NAME)")
    return found


def _parameter_file(path: str | None) -> list[str]:
    if not path:
        return []
    try:
        with open(path, encoding="utf-8") as f:
            values = yaml.safe_load(f) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CommandError(f"--parameter-file {path}: {exc}") from None
    if not isinstance(values, dict):
        raise CommandError(f"--parameter-file {path}: expected a mapping of parameter names to values")
    return [f"{k}={v if isinstance(v, str) else json.dumps(v)}" for k, v in values.items()]


def apply_submit_options(wf: Obj, args: argparse.Namespace) -> None:
    """``ApplySubmitOpts``: entrypoint, service account, labels, parameters, names."""
    # Imported here: the engine package is heavy and every CLI start imports this module.
    from workflows.operations import OperationError, override_parameters

    spec = wf.setdefault("spec", {})
    meta = wf.setdefault("metadata", {})
    if args.entrypoint:
        spec["entrypoint"] = args.entrypoint
    if args.serviceaccount:
        spec["serviceAccountName"] = args.serviceaccount
    if args.labels:
        labels = meta.setdefault("labels", {})
        for pair in args.labels.split(","):
            key, sep, value = pair.partition("=")
            if not sep or not key:
                raise CommandError(f"expected labels of the form: NAME1=VALUE2,NAME2=VALUE2. Received: {args.labels}")
            labels[key.strip()] = value.strip()
    try:
        override_parameters(wf, _parameter_file(args.parameter_file) + list(args.parameter))
    except OperationError as exc:
        raise CommandError(str(exc)) from None
    if args.generate_name:
        meta["generateName"] = args.generate_name
        meta.pop("name", None)
    if args.name:
        meta["name"] = args.name


def lint(items: list[tuple[str, Obj]]) -> None:
    problems = []
    for where, wf in items:
        _, found = validate_object(wf)
        problems += [f"{where}: {p}" for p in found if p.severity == "error"]
    if problems:
        print("\n".join(problems))
        raise CommandError(f"{len(problems)} problem(s) found; nothing was submitted")


async def _submit(args: argparse.Namespace) -> int:
    async with client_from_args(args) as client:
        ns = args.namespace or client.conn.namespace
        items = [await workflow_from(client, args.from_ref, ns)] if args.from_ref else read_workflows(args.file)
        for _, wf in items:
            apply_submit_options(wf, args)
        lint(items)
        created = []
        for where, wf in items:
            try:
                created.append(await client.create(wf, ns))
            except ApiError as exc:
                raise CommandError(f"{where}: {exc.message}") from None
        return await report(client, created, args)


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", nargs="?", metavar="FILE", help="YAML file with one or more Workflows")
    p.add_argument("--from", dest="from_ref", metavar="KIND/NAME",
                   help="submit from a workflowtemplate/NAME, clusterworkflowtemplate/NAME or cronworkflow/NAME")
    p.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
                   help="set an input parameter (repeatable)")
    p.add_argument("-f", "--parameter-file", metavar="FILE", help="YAML/JSON mapping of parameters")
    p.add_argument("--entrypoint", help="override spec.entrypoint")
    p.add_argument("--name", help="override metadata.name")
    p.add_argument("--generate-name", help="override metadata.generateName")
    p.add_argument("-l", "--labels", metavar="K=V,...", help="labels to add to the workflow")
    p.add_argument("--serviceaccount", help="run the workflow's pods as this service account")
    add_output_arguments(p)
    add_client_arguments(p)


def _run(args: argparse.Namespace) -> int:
    ensure_loaded()
    if bool(args.file) == bool(args.from_ref):
        raise CommandError("give either FILE or --from KIND/NAME")
    try:
        return asyncio.run(_submit(args))
    except ApiError as exc:
        raise CommandError(exc.message) from None


register(Command("submit", "Submit workflows from a file or a template; optionally wait for or watch them.",
                 _configure, _run))
