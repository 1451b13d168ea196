"""``pinnace run PLANE ...``: run one plane on its own (split deployment).

Planes register here (``register_plane``); this module provides ``api``; the engine, event
sources and sensors add theirs from their own command modules.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pinnace.cli import Command, CommandError, register
from pinnace.commands.up import add_admission_argument
from pinnace.datadir import resolve
from pinnace.logs import add_logging_arguments, setup_from_args


@dataclass(frozen=True)
class Plane:
    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


PLANES: dict[str, Plane] = {}


def register_plane(plane: Plane) -> Plane:
    PLANES[plane.name] = plane
    return plane


def _configure(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="plane", metavar="PLANE")
    for name in sorted(PLANES):
        plane = PLANES[name]
        sp = sub.add_parser(name, help=plane.help, description=plane.help)
        add_logging_arguments(sp)
        plane.configure(sp)
        sp.set_defaults(_plane=plane.run)


def _run(args: argparse.Namespace) -> int:
    runner = getattr(args, "_plane", None)
    if runner is None:
        raise CommandError(f"name a plane to run: {', '.join(sorted(PLANES))}")
    setup_from_args(args)
    code: int = runner(args)
    return code


# --- the api plane -------------------------------------------------------------------------


def _configure_api(p: argparse.ArgumentParser) -> None:
    from pinnace.api.server import DEFAULT_PORT

    p.add_argument("--data-dir", help="where the store, token and kubeconfig live (default: $PINNACE_DATA_DIR "
                   "or ./.pinnace)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT}; 0 = any free)")
    p.add_argument("--allow-remote", action="store_true",
                   help="allow a non-loopback --host (the bearer token is still required)")
    p.add_argument("--no-tls", action="store_true",
                   help="serve plain http (kubectl will not send the token then; for use behind a TLS proxy)")
    p.add_argument("--max-body-bytes", type=int, default=3 * 1024 * 1024, help="largest request body accepted")
    add_admission_argument(p)


def _run_api(args: argparse.Namespace) -> int:
    from pinnace.api.server import ApiConfig, ApiServer, RemoteBindRefused, serve_api
    from pinnace.store.store import StoreBusy

    config = ApiConfig(Path(resolve(args.data_dir)), host=args.host, port=args.port,
                       allow_remote=args.allow_remote, max_body=args.max_body_bytes, tls=not args.no_tls,
                       max_active_workflows=args.max_active_workflows)

    def ready(server: ApiServer) -> None:
        print(f"pinnace api ready api={server.url} kubeconfig={server.kubeconfig}", flush=True)

    try:
        asyncio.run(serve_api(config, on_ready=ready))
    except (RemoteBindRefused, StoreBusy) as exc:
        raise CommandError(str(exc)) from None
    except OSError as exc:
        raise CommandError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}; pick another --port") from None
    return 0


register_plane(Plane("api", "Serve the Kubernetes-compatible API over the store in the data directory.",
                     _configure_api, _run_api))
register(Command("run", "Run one plane on its own (api, engine, eventsource NAME, sensor NAME).", _configure, _run))
