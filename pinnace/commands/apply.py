"""``pinnace apply -f FILE|DIR``: validate locally, then create or update each object."""

from __future__ import annotations

import argparse
import asyncio
import copy
from typing import Any

from pinnace.apiclient.http import HttpClient
from pinnace.apiclient.options import add_client_arguments, client_from_args
from pinnace.cli import Command, CommandError, register
from pinnace.resources.documents import Document, read_paths
from pinnace.resources.errors import ApiError, NotFound
from pinnace.resources.kinds import KINDS, ensure_loaded
from pinnace.resources.validate import validate_object

Obj = dict[str, Any]


def resource_label(obj: Obj, name: str | None = None) -> str:
    """``workflow.argoproj.io/name`` or ``configmap/name``, as kubectl prints it."""
    info = KINDS.get(str(obj.get("kind")))
    kind = str(obj.get("kind", "")).lower()
    group = f".{info.group}" if info and info.group else ""
    return f"{kind}{group}/{name or obj.get('metadata', {}).get('name', '')}"


def check_documents(docs: list[Document]) -> list[str]:
    """Every problem as ``file: field.path: message``; empty when all documents are valid."""
    lines: list[str] = []
    for doc in docs:
        if doc.error:
            lines.append(f"{doc.where}: {doc.error}")
            continue
        _, problems = validate_object(doc.content)
        lines += [f"{doc.where}: {p}" for p in problems if p.severity == "error"]
    return lines


def _changed(current: Obj, wanted: Obj) -> bool:
    for key, value in wanted.items():
        if key == "metadata":
            meta = current.get("metadata") or {}
            if any(meta.get(k) != v for k, v in value.items() if k in ("labels", "annotations")):
                return True
        elif key != "status" and current.get(key) != value:
            return True
    return False


async def apply_one(client: HttpClient, obj: Obj, namespace: str | None) -> str:
    meta = obj.setdefault("metadata", {})
    if not meta.get("name"):
        created = await client.create(obj, namespace)
        return f"{resource_label(created)} created"
    try:
        current = await client.get(obj["kind"], meta["name"], meta.get("namespace") or namespace)
    except NotFound:
        await client.create(obj, namespace)
        return f"{resource_label(obj)} created"
    if not _changed(current, obj):
        return f"{resource_label(obj)} unchanged"
    merged = copy.deepcopy(obj)
    merged["metadata"] = {**current["metadata"], **{k: v for k, v in meta.items() if k in ("labels", "annotations")}}
    if "status" in current:
        merged["status"] = current["status"]
    await client.update(merged)
    return f"{resource_label(obj)} configured"


async def _apply(args: argparse.Namespace, docs: list[Document]) -> int:
    failed = 0
    async with client_from_args(args) as client:
        for doc in docs:
            try:
                print(await apply_one(client, copy.deepcopy(doc.content), args.namespace or client.conn.namespace))
            except ApiError as exc:
                failed += 1
                print(f"{doc.where}: {exc.message}")
    return 1 if failed else 0


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("-f", "--filename", action="append", required=True, metavar="PATH",
                   help="YAML file or folder (repeatable)")
    add_client_arguments(p)


def _run(args: argparse.Namespace) -> int:
    ensure_loaded()
    docs = list(read_paths(args.filename))
    problems = check_documents(docs)
    if problems:
        print("\n".join(problems))
        raise CommandError(f"{len(problems)} problem(s) found; nothing was applied")
    if not docs:
        raise CommandError("no documents found in " + ", ".join(args.filename))
    return asyncio.run(_apply(args, docs))


register(Command("apply", "Create or update resources from YAML files (validated locally first).", _configure, _run))
