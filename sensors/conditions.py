"""Trigger ``conditions``: boolean expressions over dependency names, ``dep-a && (dep-b || dep-c)``.

Argo (``pkg/sensors/listener.go``) accepts dependency names joined by ``&&`` and ``||`` with
parentheses; ``&&`` binds tighter than ``||``. Names may contain letters, digits, ``-`` and
``_``. A trigger without conditions waits for all of its sensor's dependencies (``all_of``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

NAME_PATTERN = r"[A-Za-z0-9_][A-Za-z0-9_-]*"
_TOKEN = re.compile(rf"\s*(?:(?P<name>{NAME_PATTERN})|(?P<op>&&|\|\||[()])|(?P<bad>\S))")


class ConditionsError(ValueError):
    """The expression does not parse; the message names the position and what was expected."""


@dataclass(frozen=True)
class Dep:
    name: str


@dataclass(frozen=True)
class AllOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]


Condition = Dep | AllOf | AnyOf


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """``(kind, text, 1-based column)``; kind is ``name``, ``op`` or ``end``."""
    out: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:  # only trailing whitespace is left
            break
        kind = m.lastgroup or "bad"
        value = m.group(kind)
        column = m.start(kind) + 1
        if kind == "bad":
            hint = " (Argo conditions support only && and ||)" if value in "!&|" else ""
            raise ConditionsError(f"unexpected {value!r} at column {column} in {text!r}{hint}")
        out.append((kind, value, column))
        pos = m.end()
    out.append(("end", "", len(text) + 1))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.pos]

    def fail(self, expected: str) -> ConditionsError:
        kind, value, column = self.peek()
        got = "the end of the expression" if kind == "end" else repr(value)
        return ConditionsError(f"expected {expected} at column {column} in {self.text!r}, got {got}")

    def parse(self) -> Condition:
        cond = self.any_of()
        if self.peek()[0] != "end":
            raise self.fail("'&&', '||' or the end of the expression")
        return cond

    def any_of(self) -> Condition:
        items = [self.all_of()]
        while self.peek()[1] == "||":
            self.pos += 1
            items.append(self.all_of())
        return items[0] if len(items) == 1 else AnyOf(tuple(items))

    def all_of(self) -> Condition:
        items = [self.atom()]
        while self.peek()[1] == "&&":
            self.pos += 1
            items.append(self.atom())
        return items[0] if len(items) == 1 else AllOf(tuple(items))

    def atom(self) -> Condition:
        kind, value, _ = self.peek()
        if kind == "name":
            self.pos += 1
            return Dep(value)
        if value == "(":
            self.pos += 1
            inner = self.any_of()
            if self.peek()[1] != ")":
                raise self.fail("')'")
            self.pos += 1
            return inner
        raise self.fail("a dependency name or '('")


def parse_conditions(text: str) -> Condition:
    """Parse a conditions expression; raises ConditionsError naming the column of the problem."""
    if not text.strip():
        raise ConditionsError("conditions expression is empty: name at least one dependency")
    return _Parser(text).parse()


def all_dependencies(dependency_names: Iterable[str]) -> Condition:
    """The implicit condition of a trigger without ``conditions``: every dependency."""
    deps = tuple(Dep(n) for n in dependency_names)
    if not deps:
        raise ConditionsError("a sensor needs at least one dependency")
    return deps[0] if len(deps) == 1 else AllOf(deps)


def names(cond: Condition) -> set[str]:
    """Every dependency name the condition mentions."""
    if isinstance(cond, Dep):
        return {cond.name}
    out: set[str] = set()
    for item in cond.items:
        out |= names(item)
    return out


def evaluate(cond: Condition, satisfied: AbstractSet[str]) -> bool:
    """True when the dependencies in ``satisfied`` make the condition hold."""
    if isinstance(cond, Dep):
        return cond.name in satisfied
    if isinstance(cond, AllOf):
        return all(evaluate(item, satisfied) for item in cond.items)
    return any(evaluate(item, satisfied) for item in cond.items)


def render(cond: Condition) -> str:
    """The text of a condition; parsing it gives back the same structure."""
    if isinstance(cond, Dep):
        return cond.name
    if isinstance(cond, AllOf):
        return " && ".join(render(i) if isinstance(i, Dep) else f"({render(i)})" for i in cond.items)
    return " || ".join(f"({render(i)})" if isinstance(i, AnyOf) else render(i) for i in cond.items)
