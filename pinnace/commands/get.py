"""``pinnace get KIND [NAME] [-o json|yaml|wide|name] [-l SELECTOR] [--archived]``."""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Callable
from typing import Any

import yaml

from pinnace.apiclient.options import add_client_arguments, client_from_args
from pinnace.cli import Command, CommandError, register
from pinnace.render.table import render_table
from pinnace.render.tree import render_workflow
from pinnace.resources.errors import ApiError
from pinnace.resources.kinds import KindInfo, lookup

Obj = dict[str, Any]


def as_list(items: list[Obj]) -> Obj:
    return {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": items}


def _name_line(info: KindInfo, obj: Obj) -> str:
    group = f".{info.group}" if info.group else ""
    return f"{info.singular}{group}/{obj['metadata']['name']}"


Printer = Callable[[KindInfo, list[Obj], bool], str]


def _json(info: KindInfo, items: list[Obj], single: bool) -> str:
    return json.dumps(items[0] if single else as_list(items), indent=2)


def _yaml(info: KindInfo, items: list[Obj], single: bool) -> str:
    return yaml.safe_dump(items[0] if single else as_list(items), sort_keys=False).rstrip()


def _names(info: KindInfo, items: list[Obj], single: bool) -> str:
    return "\n".join(_name_line(info, o) for o in items)


def _table(info: KindInfo, items: list[Obj], single: bool) -> str:
    if single and info.kind == "Workflow":
        return render_workflow(items[0]).rstrip()
    if not items:
        return ""
    return render_table(info.kind, items)


PRINTERS: dict[str, Printer] = {
    "json": _json,
    "yaml": _yaml,
    "name": _names,
    "wide": lambda info, items, single: render_table(info.kind, items, wide=True) if items else "",
    "": _table,
}


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("kind", metavar="KIND", help="kind, plural or short name (wf, wftmpl, cwf, es, sensor, eb, cm)")
    p.add_argument("name", nargs="?", metavar="NAME")
    p.add_argument("-o", "--output", choices=[k for k in PRINTERS if k], default="", help="output format")
    p.add_argument("-l", "--selector", help="label selector, e.g. app=web,tier!=db")
    p.add_argument("-A", "--all-namespaces", action="store_true", help="list across every namespace")
    p.add_argument("--archived", action="store_true", help="list archived (completed and deleted) workflows")
    add_client_arguments(p)


async def _fetch(args: argparse.Namespace, info: KindInfo) -> tuple[list[Obj], str]:
    async with client_from_args(args) as client:
        ns = None if args.all_namespaces else (args.namespace or client.conn.namespace)
        if args.archived:
            if info.kind != "Workflow":
                raise CommandError("--archived applies to workflows only")
            items = await client.list_archived(ns, args.selector)
            if args.name:
                items = [o for o in items if o["metadata"]["name"] == args.name]
            return items, ns or ""
        if args.name:
            return [await client.get(info.kind, args.name, ns)], ns or ""
        return await client.list(info.kind, ns, args.selector), ns or ""


def _run(args: argparse.Namespace) -> int:
    info = lookup(args.kind)
    if info is None:
        raise CommandError(f"unknown kind {args.kind!r}; try wf, wftmpl, cwftmpl, cwf, es, sensor, eb, cm")
    try:
        items, ns = asyncio.run(_fetch(args, info))
    except ApiError as exc:
        raise CommandError(exc.message) from None
    single = bool(args.name) and len(items) == 1
    if args.name and not items:
        raise CommandError(f'{info.plural} "{args.name}" not found')
    text = PRINTERS[args.output](info, items, single)
    if text:
        print(text)
    elif not args.output:
        print(f"No resources found in {ns} namespace." if ns else "No resources found.")
    return 0


register(Command("get", "Show resources as a table, JSON, YAML, names, or a workflow's step tree.", _configure, _run))
