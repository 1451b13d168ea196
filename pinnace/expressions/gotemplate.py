"""Go ``text/template`` rendering for Argo Events ``dataTemplate`` / ``contextTemplate``.

``render("{{ .Input.body.name | upper }}", {"Input": event})``. Supported: field chains, variables
(``$x :=``, ``$``), pipelines, ``if``/``else if``/``else``/``range``/``with``/``end``, trim markers
``{{-``/``-}}``, comments, the text/template functions (``and or not len index slice print printf
println eq ne lt le gt ge html js urlquery``) and the Sprig functions. Values print as Go's ``%v``.
A missing map key is ``<no value>``, as in Go.
"""

from __future__ import annotations

import html
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

from pinnace.expressions.errors import ExpressionError
from pinnace.expressions.goformat import sprint
from pinnace.expressions.gotemplate_parse import Action, Block, Command, Pipe, parse_template
from pinnace.expressions.gotemplate_printf import printf
from pinnace.expressions.sprig import SPRIG


class _NoValue:
    """Go's invalid reflect.Value: what a missing map key yields."""

    def __repr__(self) -> str:
        return "<no value>"


NO_VALUE: Any = _NoValue()


def _truth(value: Any) -> bool:
    if value is NO_VALUE or value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str | list | tuple | Mapping):
        return len(value) > 0
    return True


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return "other"


def _eq(a: Any, *others: Any) -> bool:
    if not others:
        raise ExpressionError("missing argument for comparison")
    for b in others:
        if _kind(a) != _kind(b) or _kind(a) == "other":
            if a is None or b is None or (_kind(a) == "other" and _kind(b) == "other"):
                if a == b:
                    return True
                continue
            raise ExpressionError("incompatible types for comparison")
        if a == b:
            return True
    return False


def _order(op: str) -> Callable[[Any, Any], bool]:
    def run(a: Any, b: Any) -> bool:
        if _kind(a) != _kind(b) or _kind(a) in ("other", "bool"):
            raise ExpressionError(
                "incompatible types for comparison" if _kind(a) != _kind(b) else "invalid type for comparison"
            )
        return bool({"lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b}[op])

    return run


def _len(value: Any) -> int:
    if isinstance(value, str | list | tuple | Mapping):
        return len(value)
    raise ExpressionError(f"len of type {type(value).__name__}")


def _index(item: Any, *keys: Any) -> Any:
    for key in keys:
        if isinstance(item, Mapping):
            item = item.get(key, NO_VALUE)
        elif isinstance(item, list | tuple | str):
            if not isinstance(key, int) or isinstance(key, bool):
                raise ExpressionError(f"cannot index slice/array with type {type(key).__name__}")
            if not 0 <= key < len(item):
                raise ExpressionError(f"error calling index: index out of range: {key}")
            item = item[key]
        else:
            raise ExpressionError(f"can't index item of type {type(item).__name__}")
    return item


def _print(*args: Any) -> str:
    """Go ``fmt.Sprint``: a space between operands when neither is a string."""
    out = ""
    for i, arg in enumerate(args):
        if i and not isinstance(arg, str) and not isinstance(args[i - 1], str):
            out += " "
        out += _show(arg)
    return out


def _show(value: Any) -> str:
    return "<no value>" if value is NO_VALUE else sprint(value)


def _and(*args: Any) -> Any:
    for arg in args:
        if not _truth(arg):
            return arg
    return args[-1]


def _or(*args: Any) -> Any:
    for arg in args:
        if _truth(arg):
            return arg
    return args[-1]


FUNCTIONS: dict[str, Callable[..., Any]] = {
    **SPRIG,
    "toJSON": SPRIG["toJson"],
    "and": _and,
    "or": _or,
    "not": lambda x: not _truth(x),
    "len": _len,
    "index": _index,
    "slice": lambda item, *idx: item[slice(*idx)],
    "print": _print,
    "printf": lambda fmt, *args: printf(fmt, *args),
    "println": lambda *args: " ".join(_show(a) for a in args) + "\n",
    "eq": _eq,
    "ne": lambda a, b: not _eq(a, b),
    "lt": _order("lt"),
    "le": _order("le"),
    "gt": _order("gt"),
    "ge": _order("ge"),
    "html": lambda *args: html.escape(_print(*args)).replace("&#x27;", "&#39;"),
    "js": lambda *args: _print(*args).replace("\\", "\\\\").replace("'", "\\'").replace('"', '\\"'),
    "urlquery": lambda *args: urllib.parse.quote_plus(_print(*args)),
}
_SHORT_CIRCUIT = {"and", "or"}


class _Exec:
    def __init__(self, data: Any, source: str) -> None:
        self.source = source
        self.scopes: list[dict[str, Any]] = [{"$": data}]
        self.out: list[str] = []

    def lookup(self, name: str) -> Any:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        raise ExpressionError(f'undefined variable "{name}"')

    def fields(self, value: Any, names: list[str]) -> Any:
        for name in names:
            if isinstance(value, Mapping):
                value = value.get(name, NO_VALUE)
            elif value is None or value is NO_VALUE:
                raise ExpressionError(f"nil pointer evaluating interface {{}}.{name}")
            else:
                raise ExpressionError(f"can't evaluate field {name} in type {type(value).__name__}")
        return value

    def operand(self, arg: Any, dot: Any) -> Any:
        kind = arg[0]
        if kind == "lit":
            return arg[1]
        if kind == "field":
            return self.fields(dot, arg[1])
        if kind == "var":
            return self.fields(self.lookup(arg[1]), arg[2])
        if kind == "pipe":
            return self.fields(self.pipe(arg[1], dot), arg[2])
        if arg[1] not in FUNCTIONS:
            raise ExpressionError(f'function "{arg[1]}" not defined')
        return self.call(arg[1], [], dot)

    def call(self, name: str, args: list[Any], dot: Any) -> Any:
        fn = FUNCTIONS.get(name)
        if fn is None:
            raise ExpressionError(f'function "{name}" not defined')
        try:
            # A missing map key reaches a function as a nil interface, not as "<no value>".
            return fn(*[None if a is NO_VALUE else a for a in args])
        except ExpressionError as exc:
            raise ExpressionError(f"error calling {name}: {exc.message}") from None
        except (TypeError, ValueError, KeyError, IndexError, AttributeError, ZeroDivisionError) as exc:
            raise ExpressionError(f"error calling {name}: {exc}") from None

    def command(self, cmd: Command, dot: Any, piped: Any, has_piped: bool) -> Any:
        head = cmd.args[0]
        if head[0] == "ident":
            if head[1] in _SHORT_CIRCUIT:
                return self.short_circuit(head[1], cmd.args[1:], dot, piped, has_piped)
            args = [self.operand(a, dot) for a in cmd.args[1:]]
            return self.call(head[1], [*args, piped] if has_piped else args, dot)
        if len(cmd.args) > 1 or has_piped:
            raise ExpressionError(f"can't give argument to non-function {head[1] if head[0] != 'field' else '.'}")
        return self.operand(head, dot)

    def short_circuit(self, name: str, args: list[Any], dot: Any, piped: Any, has_piped: bool) -> Any:
        values: list[Any] = []
        operands = [*args, ("lit", piped)] if has_piped else args
        if not operands:
            raise ExpressionError(f"wrong number of args for {name}: want at least 1 got 0")
        for arg in operands:
            value = self.operand(arg, dot)
            values.append(value)
            if _truth(value) == (name == "or"):
                return value
        return values[-1]

    def pipe(self, pipe: Pipe, dot: Any) -> Any:
        value: Any = None
        for i, cmd in enumerate(pipe.commands):
            value = self.command(cmd, dot, value, i > 0)
        for name in pipe.decl[-1:] if len(pipe.decl) == 1 else []:
            self.assign(name, value, pipe.assign)
        return value

    def assign(self, name: str, value: Any, reassign: bool) -> None:
        if reassign:
            for scope in reversed(self.scopes):
                if name in scope:
                    scope[name] = value
                    return
            raise ExpressionError(f'undefined variable "{name}"')
        self.scopes[-1][name] = value

    def run(self, items: list[Any], dot: Any) -> None:
        self.scopes.append({})
        try:
            for item in items:
                self.node(item, dot)
        finally:
            self.scopes.pop()

    def node(self, item: Any, dot: Any) -> None:
        if isinstance(item, str):
            self.out.append(item)
        elif isinstance(item, Action):
            value = self.pipe(item.pipe, dot)
            if not item.pipe.decl:
                self.out.append(_show(value))
        elif isinstance(item, Block):
            self.block(item, dot)

    def block(self, block: Block, dot: Any) -> None:
        assert block.pipe is not None
        if block.kind == "range":
            self.range(block, dot)
            return
        self.scopes.append({})
        try:
            value = self.pipe(block.pipe, dot)
            if _truth(value):
                self.run(block.body, value if block.kind == "with" else dot)
                return
        finally:
            self.scopes.pop()
        self.run(block.else_body, dot)

    def range(self, block: Block, dot: Any) -> None:
        assert block.pipe is not None
        decl = block.pipe.decl
        value = self.pipe(Pipe([], False, block.pipe.commands), dot)
        if isinstance(value, Mapping):
            pairs = [(k, value[k]) for k in sorted(value, key=str)]
        elif isinstance(value, list | tuple):
            pairs = list(enumerate(value))
        elif isinstance(value, int) and not isinstance(value, bool):
            pairs = [(i, i) for i in range(value)]
        elif value is None or value is NO_VALUE:
            pairs = []
        else:
            raise ExpressionError(f"range can't iterate over {_show(value)}")
        if not pairs:
            self.run(block.else_body, dot)
            return
        for key, element in pairs:
            self.scopes.append({})
            if len(decl) == 1:
                self.scopes[-1][decl[0]] = element
            elif len(decl) == 2:
                self.scopes[-1][decl[0]], self.scopes[-1][decl[1]] = key, element
            try:
                self.run(block.body, element)
            finally:
                self.scopes.pop()


def render(template: str, data: Any) -> str:
    """Execute a Go text/template against ``data`` (Argo Events passes ``{"Input": event}``)."""
    root = parse_template(template)
    runner = _Exec(data, template)
    try:
        runner.run(root.body, data)
    except ExpressionError as exc:
        if exc.message.startswith("template:"):
            raise
        raise ExpressionError(f"template: param: executing: {exc.message}") from None
    except RecursionError:
        raise ExpressionError("template: param: nesting too deep") from None
    return "".join(runner.out)
