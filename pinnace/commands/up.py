"""``pinnace up``: run everything on one machine (embedded NATS, API, engine, sources, sensors)."""

from __future__ import annotations

import argparse
import asyncio

from pinnace.api.server import DEFAULT_PORT, RemoteBindRefused
from pinnace.cli import Command, CommandError, register
from pinnace.datadir import DataDirError, resolve
from pinnace.logs import add_logging_arguments, setup_from_args
from pinnace.store.admission import DEFAULT_LIMIT as DEFAULT_ACTIVE_LIMIT
from pinnace.up import Up, UpConfig, UpError, install_signal_handlers


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("-f", "--filename", action="append", default=[], metavar="PATH",
                   help="YAML file or folder to apply at start (repeatable): EventSources, Sensors, Workflows, ...")
    p.add_argument("--data-dir", help="store, bus and pod work dirs (default: $PINNACE_DATA_DIR or ./.pinnace)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"API port (default {DEFAULT_PORT}; 0 = any free)")
    p.add_argument("--host", default="127.0.0.1", help="address the API and webhooks listen on (default 127.0.0.1)")
    p.add_argument("--allow-remote", action="store_true", help="allow a non-loopback --host (token still required)")
    p.add_argument("--nats-url", help="use this NATS server (JetStream on) instead of the embedded one")
    p.add_argument("--tls-port", type=int, help="https port of the API for kubectl (default: --port + 1)")
    p.add_argument("--no-tls", action="store_true",
                   help="no https listener (kubectl will not send the token over plain http)")
    add_admission_argument(p)
    add_logging_arguments(p)


def add_admission_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--max-active-workflows", type=int, default=DEFAULT_ACTIVE_LIMIT, metavar="N",
                   help=f"refuse new Workflows (429, retry later) while N are unfinished, so a backlog waits on the "
                        f"bus instead of in memory (default {DEFAULT_ACTIVE_LIMIT}; 0 = no bound)")


async def _main(config: UpConfig) -> None:
    stop = asyncio.Event()
    install_signal_handlers(stop)
    up = Up(config)
    await up.run(lambda u: print(u.ready_line, flush=True), stop)


def _run(args: argparse.Namespace) -> int:
    setup_from_args(args)
    config = UpConfig(resolve(args.data_dir), list(args.filename), host=args.host, port=args.port,
                      nats_url=args.nats_url, allow_remote=args.allow_remote, tls=not args.no_tls,
                      tls_port=args.tls_port, max_active_workflows=args.max_active_workflows)
    try:
        asyncio.run(_main(config))
    except (UpError, DataDirError, RemoteBindRefused) as exc:
        raise CommandError(str(exc)) from None
    except OSError as exc:
        raise CommandError(f"cannot start: {exc}") from None
    return 0


register(Command("up", "Run everything on this machine: NATS, API, engine, event sources and sensors.",
                 _configure, _run))
