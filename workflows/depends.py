"""DAG ``depends`` expressions: parse once, then evaluate against task outcomes.

Grammar (Argo's "enhanced depends logic", ``docs/enhanced-depends-logic.md``)::

    expr    := or
    or      := and ('||' and)*
    and     := unary ('&&' unary)*
    unary   := '!' unary | primary
    primary := '(' expr ')' | TASK ['.' RESULT]

``TASK`` is a task name (letters, digits, ``-``, ``_``). ``RESULT`` is one of ``RESULTS``:
``Succeeded``, ``Failed``, ``Errored``, ``Skipped``, ``Omitted``, ``Daemoned`` and, for tasks that
expand into several nodes (``withItems``/``withParam``/``withSequence``), ``AnySucceeded`` and
``AllFailed``.

A bare ``TASK`` (no result) means "the task completed in a way its dependents may proceed from":
``TASK.Succeeded || TASK.Skipped || TASK.Daemoned``, plus ``TASK.Errored`` / ``TASK.Failed`` when
that task has ``continueOn.error`` / ``continueOn.failed`` (``workflow/common/ancestry.go``). The
classic ``dependencies: [A, B]`` list is the same as ``depends: "A && B"`` — see
``from_dependencies``.

Usage by the engine::

    ast = parse_depends("A && (B.Succeeded || C.Failed)")     # raises DependsError
    task_names(ast)                                           # ['A', 'B', 'C']
    ready = all(done(t) for t in task_names(ast))             # evaluate only once all finished
    evaluate(ast, lambda task, result: outcome[task] == result,
             bare=lambda task: bare_results(**continue_on_of(task)))

``evaluate`` never looks at anything but ``lookup``/``bare``; it is pure and cheap, so parse once per
task and evaluate on every reconcile.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

RESULTS: tuple[str, ...] = (
    "Succeeded",
    "Failed",
    "Errored",
    "Skipped",
    "Omitted",
    "Daemoned",
    "AnySucceeded",
    "AllFailed",
)
ITEM_RESULTS: frozenset[str] = frozenset({"AnySucceeded", "AllFailed"})
"""Results that only make sense for a task expanded over items."""

DEFAULT_BARE_RESULTS: tuple[str, ...] = ("Succeeded", "Skipped", "Daemoned")


class DependsError(ValueError):
    """A ``depends`` expression that does not parse; the message names the position and the fix."""


@dataclass(frozen=True)
class TaskRef:
    """``name.result``, or a bare ``name`` when ``result`` is None."""

    name: str
    result: str | None = None


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class And:
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Node, ...]


Node = TaskRef | Not | And | Or
Lookup = Callable[[str, str], bool]
"""``lookup(task, result)``: did ``task`` end with ``result`` (e.g. ``("A", "Failed")``)?"""
Bare = Callable[[str], tuple[str, ...]]
"""``bare(task)``: the results a bare task name stands for (see ``bare_results``)."""

_TOKEN = re.compile(r"\s*(?:(?P<op>&&|\|\||!|\(|\))|(?P<name>[A-Za-z0-9_][A-Za-z0-9_-]*)(?:\.(?P<result>\w*))?)")


@dataclass(frozen=True)
class _Token:
    kind: str  # "op", "task" or "end"
    text: str
    pos: int
    result: str | None = None


def _tokens(text: str) -> Iterator[_Token]:
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            yield _Token("end", "", pos)
            return
        m = _TOKEN.match(text, pos)
        if m is None:
            raise DependsError(f"unexpected character {text[pos]!r} at position {pos + 1}; use task names, "
                               "'.Result', '&&', '||', '!' and parentheses")
        start = m.start("op") if m.group("op") else m.start("name")
        if m.group("op"):
            yield _Token("op", m.group("op"), start)
        else:
            yield _Token("task", m.group("name"), start, m.group("result"))
        pos = m.end()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = list(_tokens(text))
        self.i = 0

    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def where(self, tok: _Token) -> str:
        return "at the end" if tok.kind == "end" else f"at position {tok.pos + 1} ({tok.text!r})"

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise DependsError("expression is empty")
        node = self.parse_or()
        if self.tok.kind != "end":
            raise DependsError(f"unexpected {self.tok.text!r} at position {self.tok.pos + 1}; "
                               "join conditions with '&&' or '||'")
        return node

    def parse_or(self) -> Node:
        items = [self.parse_and()]
        while self.tok.kind == "op" and self.tok.text == "||":
            self.take()
            items.append(self.parse_and())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def parse_and(self) -> Node:
        items = [self.parse_unary()]
        while self.tok.kind == "op" and self.tok.text == "&&":
            self.take()
            items.append(self.parse_unary())
        return items[0] if len(items) == 1 else And(tuple(items))

    def parse_unary(self) -> Node:
        if self.tok.kind == "op" and self.tok.text == "!":
            self.take()
            return Not(self.parse_unary())
        return self.parse_primary()

    def parse_primary(self) -> Node:
        tok = self.take()
        if tok.kind == "task":
            return _task_ref(tok)
        if tok.kind == "op" and tok.text == "(":
            node = self.parse_or()
            if not (self.tok.kind == "op" and self.tok.text == ")"):
                raise DependsError(f"missing ')' {self.where(self.tok)} to close '(' at position {tok.pos + 1}")
            self.take()
            return node
        raise DependsError(f"expected a task name or '(' {self.where(tok)}")


def _task_ref(tok: _Token) -> TaskRef:
    if tok.result is None:
        return TaskRef(tok.text)
    if tok.result not in RESULTS:
        shown = tok.result or "<empty>"
        raise DependsError(f"task result '{shown}' for task '{tok.text}' is invalid; "
                           f"use one of {', '.join(RESULTS)}")
    return TaskRef(tok.text, tok.result)


def parse_depends(text: str) -> Node:
    """Parse a ``depends`` expression into an AST; raises ``DependsError`` naming what is wrong."""
    return _Parser(text).parse()


def from_dependencies(names: list[str]) -> Node:
    """The AST equivalent of ``dependencies: [A, B]`` (``A && B`` with bare names)."""
    if not names:
        raise DependsError("dependencies list is empty")
    refs = tuple(TaskRef(n) for n in names)
    return refs[0] if len(refs) == 1 else And(refs)


def _refs(node: Node) -> Iterator[TaskRef]:
    if isinstance(node, TaskRef):
        yield node
    elif isinstance(node, Not):
        yield from _refs(node.operand)
    else:
        for item in node.operands:
            yield from _refs(item)


def task_names(node: Node) -> list[str]:
    """Every task the expression mentions, in order of first appearance, without repeats."""
    return list(dict.fromkeys(ref.name for ref in _refs(node)))


def item_result_tasks(node: Node) -> list[str]:
    """Tasks referenced with ``.AnySucceeded``/``.AllFailed`` (they must expand over items)."""
    return list(dict.fromkeys(r.name for r in _refs(node) if r.result in ITEM_RESULTS))


def bare_results(continue_on_error: bool = False, continue_on_failed: bool = False) -> tuple[str, ...]:
    """What a bare task name stands for, given that task's ``continueOn``."""
    out = list(DEFAULT_BARE_RESULTS)
    if continue_on_error:
        out.append("Errored")
    if continue_on_failed:
        out.append("Failed")
    return tuple(out)


def _default_bare(_: str) -> tuple[str, ...]:
    return DEFAULT_BARE_RESULTS


def evaluate(node: Node, lookup: Lookup, bare: Bare = _default_bare) -> bool:
    """Evaluate the AST; ``lookup(task, result)`` answers each ``task.Result`` leaf."""
    if isinstance(node, TaskRef):
        if node.result is not None:
            return lookup(node.name, node.result)
        return any(lookup(node.name, result) for result in bare(node.name))
    if isinstance(node, Not):
        return not evaluate(node.operand, lookup, bare)
    if isinstance(node, And):
        return all(evaluate(item, lookup, bare) for item in node.operands)
    return any(evaluate(item, lookup, bare) for item in node.operands)


def to_text(node: Node) -> str:
    """Render the AST back to an expression (fully parenthesised where needed)."""
    if isinstance(node, TaskRef):
        return node.name if node.result is None else f"{node.name}.{node.result}"
    if isinstance(node, Not):
        inner = to_text(node.operand)
        return f"!{inner}" if isinstance(node.operand, TaskRef | Not) else f"!({inner})"
    sep = " && " if isinstance(node, And) else " || "
    parts = [to_text(i) if isinstance(i, TaskRef | Not) else f"({to_text(i)})" for i in node.operands]
    return sep.join(parts)
