"""``pinnace validate PATH...``: lint files or folders of Argo YAML."""

from __future__ import annotations

import argparse

from pinnace.cli import Command, register
from pinnace.resources.lint import lint_paths


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="YAML files or folders (searched recursively)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only problems, no summary")


def _run(args: argparse.Namespace) -> int:
    report = lint_paths(args.paths)
    for line in report.lines():
        print(line)
    if not args.quiet:
        print(report.summary())
    return 0 if report.ok else 1


register(Command("validate", "Check Argo YAML files the way `argo lint --strict` would.", _configure, _run))
