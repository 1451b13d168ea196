"""The three expression languages the engine needs, behind one small adapter.

``when`` uses govaluate semantics, ``{{= }}``/retry/output expressions use expr-lang, DAG
``depends`` uses its own operand grammar. The real evaluators live in ``pinnace.expressions``
and ``workflows.depends`` (other modules of the project); until they are importable a minimal
built-in fallback (comparisons, ``&& || !``, parentheses, ``in (...)``, ``=~``) keeps the engine
usable, so the engine never hard-depends on their arrival order.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from typing import Any


class ConditionError(ValueError):
    pass


def _optional(module: str, attr: str) -> Callable[..., Any] | None:
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    fn = getattr(mod, attr, None)
    return fn if callable(fn) else None


def when_true(text: str) -> bool:
    """govaluate with bare words read as strings (``heads == heads``)."""
    if not text.strip():
        return True
    real = _optional("pinnace.expressions.govaluate", "evaluate")
    try:
        result = real(text) if real else _Fallback(text).evaluate()
    except Exception as err:
        raise ConditionError(f"Invalid 'when' expression '{text}': {err}") from err
    if not isinstance(result, bool):
        raise ConditionError(f"Expected boolean evaluation for '{text}'. Got {result}")
    return result


def expr_eval(source: str, env: Mapping[str, Any]) -> Any:
    """expr-lang evaluation for ``{{= }}`` tags and retry/output expressions."""
    real = _optional("pinnace.expressions.expr", "evaluate")
    if real is not None:
        return real(source, dict(env))
    return _Fallback(source, env).evaluate()


def depends_true(text: str, results: Mapping[str, Mapping[str, bool]]) -> bool:
    """Evaluate a DAG ``depends`` expression; ``results[task][Succeeded|Failed|...]``."""
    parse = _optional("workflows.depends", "parse_depends")
    evaluate = _optional("workflows.depends", "evaluate")
    if parse is not None and evaluate is not None:

        def lookup(task: str, result: str) -> bool:
            return bool(results.get(task, {}).get(result, False))

        return bool(evaluate(parse(text), lookup))
    env = {task.replace("-", "_"): dict(r) for task, r in results.items()}
    return bool(_Fallback(text.replace("-", "_"), env).evaluate())


def depends_tasks(text: str) -> list[str]:
    """Task names a ``depends`` expression mentions, in first-seen order."""
    real = _optional("workflows.depends", "task_names")
    parse = _optional("workflows.depends", "parse_depends")
    if real is not None and parse is not None:
        return list(real(parse(text)))
    seen: list[str] = []
    for m in re.finditer(r"[A-Za-z_][\w-]*(?:\.[A-Za-z]+)?", text):
        name = m.group(0).split(".")[0]
        if name not in seen:
            seen.append(name)
    return seen


_TOKEN = re.compile(
    r"\s*(?:(?P<str>'[^']*'|\"[^\"]*\")|(?P<num>-?\d+(?:\.\d+)?(?![\w.-]))"
    r"|(?P<op>==|!=|>=|<=|=~|!~|&&|\|\||[()<>!,])|(?P<word>[^\s()<>!=,&|'\"]+))"
)


class _Fallback:
    """Tiny govaluate/expr subset: enough for ``when`` and ``depends`` until the real ones land."""

    def __init__(self, text: str, env: Mapping[str, Any] | None = None) -> None:
        self.env = env
        self.tokens: list[tuple[str, Any]] = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise ConditionError(f"cannot parse {text[pos:]!r}")
            pos = m.end()
            kind = m.lastgroup or ""
            val: Any = m.group(kind)
            if kind == "str":
                val = val[1:-1]
            elif kind == "num":
                val = float(val)
            elif kind == "word" and val in ("in", "true", "false"):
                kind, val = ("op", val) if val == "in" else ("lit", val == "true")
            self.tokens.append((kind, val))
        self.pos = 0

    def evaluate(self) -> Any:
        value = self._or()
        if self.pos != len(self.tokens):
            raise ConditionError("unexpected trailing tokens")
        return value

    def _peek(self) -> tuple[str, Any]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", None)

    def _take_op(self, *ops: str) -> str | None:
        kind, val = self._peek()
        if kind == "op" and val in ops:
            self.pos += 1
            return str(val)
        return None

    def _or(self) -> Any:
        left = self._and()
        while self._take_op("||"):
            right = self._and()
            left = bool(left) or bool(right)
        return left

    def _and(self) -> Any:
        left = self._cmp()
        while self._take_op("&&"):
            right = self._cmp()
            left = bool(left) and bool(right)
        return left

    def _cmp(self) -> Any:
        left = self._unary()
        op = self._take_op("==", "!=", ">=", "<=", ">", "<", "=~", "!~", "in")
        if op is None:
            return left
        if op == "in":
            return left in self._list()
        right = self._unary()
        return _compare(op, left, right)

    def _list(self) -> list[Any]:
        if not self._take_op("("):
            raise ConditionError("expected '(' after in")
        items = [self._unary()]
        while self._take_op(","):
            items.append(self._unary())
        if not self._take_op(")"):
            raise ConditionError("expected ')'")
        return items

    def _unary(self) -> Any:
        if self._take_op("!"):
            return not bool(self._unary())
        if self._take_op("("):
            value = self._or()
            if not self._take_op(")"):
                raise ConditionError("expected ')'")
            return value
        kind, val = self._peek()
        self.pos += 1
        if kind in ("str", "num", "lit"):
            return val
        if kind == "word":
            return self._resolve(str(val))
        raise ConditionError(f"unexpected token {val!r}")

    def _resolve(self, word: str) -> Any:
        if self.env is None:
            return word
        node: Any = self.env
        for part in word.split("."):
            if not isinstance(node, Mapping) or part not in node:
                raise ConditionError(f"unknown name {word!r}")
            node = node[part]
        return node


def _compare(op: str, left: Any, right: Any) -> bool:
    if op in ("=~", "!~"):
        hit = re.search(str(right), str(left)) is not None
        return hit if op == "=~" else not hit
    if op in ("==", "!="):
        same = left == right
        return same if op == "==" else not same
    lf, rf = _num(left), _num(right)
    if lf is None or rf is None:
        raise ConditionError(f"cannot compare {left!r} {op} {right!r}")
    return {"<": lf < rf, ">": lf > rf, "<=": lf <= rf, ">=": lf >= rf}[op]


def _num(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    return None
