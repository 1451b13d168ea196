"""``pinnace version``."""

from __future__ import annotations

import argparse
import platform

from pinnace import __version__
from pinnace.cli import Command, register


def _configure(_: argparse.ArgumentParser) -> None:
    pass


def _run(_: argparse.Namespace) -> int:
    print(f"pinnace {__version__} (python {platform.python_version()})")
    return 0


register(Command("version", "Print the pinnace version.", _configure, _run))
