"""``pinnace delete KIND NAME...`` (or ``-l SELECTOR``)."""

from __future__ import annotations

import argparse
import asyncio

from pinnace.apiclient.options import add_client_arguments, client_from_args
from pinnace.cli import Command, CommandError, register
from pinnace.resources.errors import ApiError
from pinnace.resources.kinds import lookup


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("kind", metavar="KIND", help="kind, plural or short name (wf, cm, ...)")
    p.add_argument("names", nargs="*", metavar="NAME")
    p.add_argument("-l", "--selector", help="delete every object matching this label selector")
    add_client_arguments(p)


async def _delete(args: argparse.Namespace, kind: str, group: str) -> int:
    failed = 0
    async with client_from_args(args) as client:
        ns = args.namespace or client.conn.namespace
        names = list(args.names)
        if args.selector:
            names += [o["metadata"]["name"] for o in await client.list(kind, ns, args.selector)]
        for name in names:
            try:
                await client.delete(kind, name, ns)
                print(f'{kind.lower()}{group} "{name}" deleted')
            except ApiError as exc:
                failed += 1
                print(f"Error: {exc.message}")
    return 1 if failed else 0


def _run(args: argparse.Namespace) -> int:
    info = lookup(args.kind)
    if info is None:
        raise CommandError(f"unknown kind {args.kind!r}; try wf, wftmpl, cwftmpl, cwf, es, sensor, eb, cm")
    if not args.names and not args.selector:
        raise CommandError("name what to delete: NAME... or -l SELECTOR")
    return asyncio.run(_delete(args, info.kind, f".{info.group}" if info.group else ""))


register(Command("delete", "Delete resources by name or label selector.", _configure, _run))
