"""The connection flags every client command shares, and the client they configure."""

from __future__ import annotations

import argparse

from pinnace.apiclient.config import ConfigError, Connection, resolve_connection
from pinnace.apiclient.http import HttpClient


def add_client_arguments(p: argparse.ArgumentParser, *, namespace: bool = True) -> None:
    g = p.add_argument_group("connection")
    g.add_argument("--server", help="API URL (default: $PINNACE_SERVER, else the kubeconfig's, else "
                   "http://127.0.0.1:2746)")
    g.add_argument("--token", help="bearer token (default: from the kubeconfig)")
    g.add_argument("--data-dir", help="data directory holding the kubeconfig (default: $PINNACE_DATA_DIR or "
                   "./.pinnace)")
    g.add_argument("--kubeconfig", help="kubeconfig file to use instead of <data-dir>/kubeconfig")
    if namespace:
        p.add_argument("-n", "--namespace", help="namespace (default: the kubeconfig's, else default)")


def connection_from_args(args: argparse.Namespace) -> Connection:
    from pinnace.cli import CommandError

    try:
        return resolve_connection(getattr(args, "server", None), getattr(args, "token", None),
                                  getattr(args, "data_dir", None), getattr(args, "kubeconfig", None),
                                  getattr(args, "namespace", None))
    except ConfigError as exc:
        raise CommandError(str(exc)) from None


def client_from_args(args: argparse.Namespace) -> HttpClient:
    return HttpClient(connection_from_args(args))
