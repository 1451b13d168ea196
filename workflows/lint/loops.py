"""Loops on steps and tasks: one of withItems/withParam/withSequence, and a sequence's bounds."""

from __future__ import annotations

from pinnace.resources.base import join_path
from workflows.lint.context import SpecContext, iter_calls, iter_templates


def check_loops(ctx: SpecContext) -> None:
    for at in iter_templates(ctx):
        for path, call in iter_calls(at):
            given = [name for name, value in (("withItems", call.with_items), ("withParam", call.with_param),
                                              ("withSequence", call.with_sequence)) if value is not None]
            if len(given) > 1:
                ctx.error(path, f"only one of withItems, withParam, withSequence can be specified "
                          f"(found {', '.join(given)})")
            seq = call.with_sequence
            if seq is not None and seq.count is not None and seq.end is not None:
                ctx.error(join_path(path, "withSequence"), "only one of count or end can be defined in withSequence")
