"""The ``pinnace`` command line: parses arguments and hands each command to the library.

Commands live one per module in ``pinnace/commands/`` and register themselves here, so this
file only builds the parser and turns errors into exit codes — never into tracebacks.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Callable
from dataclasses import dataclass

import pinnace.commands
from pinnace import __version__


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


COMMANDS: dict[str, Command] = {}


def register(command: Command) -> Command:
    COMMANDS[command.name] = command
    return command


class CommandError(Exception):
    """A user-facing failure: printed as ``pinnace: <message>``, exit code 1."""


def _load_commands() -> None:
    for mod in pkgutil.iter_modules(pinnace.commands.__path__):
        importlib.import_module(f"pinnace.commands.{mod.name}")


def build_parser() -> argparse.ArgumentParser:
    _load_commands()
    parser = argparse.ArgumentParser(prog="pinnace", description="Event-driven automation with Argo's YAML.")
    parser.add_argument("--version", action="version", version=f"pinnace {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in sorted(COMMANDS):
        cmd = COMMANDS[name]
        p = sub.add_parser(name, help=cmd.help, description=cmd.help)
        cmd.configure(p)
        p.set_defaults(_run=cmd.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        code: int = args._run(args)
    except CommandError as exc:
        print(f"pinnace: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug of ours: one line for the user, the traceback on request
        if os.environ.get("PINNACE_DEBUG"):
            raise
        print(
            f"pinnace: internal error: {type(exc).__name__}: {exc} (set PINNACE_DEBUG=1 for a traceback)",
            file=sys.stderr,
        )
        return 3
    return code


if __name__ == "__main__":
    sys.exit(main())
