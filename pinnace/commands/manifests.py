"""``pinnace manifests``: print or write the Kubernetes manifests (CRDs, Deployments, RBAC, NATS)."""

from __future__ import annotations

import argparse
from pathlib import Path

from pinnace.cli import Command, register
from pinnace.deploy.render import render_all, write


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", metavar="DIR", help="write one file per part into DIR instead of printing")


def _run(args: argparse.Namespace) -> int:
    if args.out:
        for path in write(Path(args.out)):
            print(path)
        return 0
    files = render_all()
    print("\n---\n".join(text.strip() for name, text in files.items() if name != "kustomization.yaml"))
    return 0


register(Command("manifests", "Render CRDs, Deployments, RBAC and a NATS reference for a cluster.", _configure, _run))
