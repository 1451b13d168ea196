"""Lexer and parser of the Go ``text/template`` subset Argo Events users write."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pinnace.expressions.errors import ExpressionError

_ACTION = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.DOTALL)
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>"(?:[^"\\]|\\.)*"|`[^`]*`)
    | (?P<char>'(?:[^'\\]|\\.)+')
    | (?P<num>[+-]?(?:0[xX][0-9a-fA-F]+|\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
    | (?P<decl>:=|=)
    | (?P<var>\$[A-Za-z0-9_]*)
    | (?P<field>(?:\.[A-Za-z0-9_]+)+|\.)
    | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<punct>[|(),])
    )""",
    re.VERBOSE,
)


@dataclass
class Command:
    args: list[Any]  # ("field", [names]) ("var", name, [names]) ("lit", v) ("ident", name) ("pipe", Pipe, [names])


@dataclass
class Pipe:
    decl: list[str]
    assign: bool  # "=" rather than ":="
    commands: list[Command]


@dataclass
class Block:
    kind: str  # "root", "if", "range", "with"
    pipe: Pipe | None = None
    body: list[Any] = field(default_factory=list)
    else_body: list[Any] = field(default_factory=list)


@dataclass
class Action:
    pipe: Pipe
    pos: int


def _unquote(text: str) -> str:
    if text.startswith("`"):
        return text[1:-1]
    import json

    try:
        result = json.loads(text.replace("\\'", "'").replace("\\x", "\\u00"))
    except ValueError:
        raise ExpressionError(f"malformed string literal {text}") from None
    assert isinstance(result, str)
    return result


def _number(text: str) -> int | float:
    try:
        return int(text, 0)
    except ValueError:
        return float(text)


def _split_fields(text: str) -> list[str]:
    return [p for p in text.split(".") if p]


class _PipeParser:
    def __init__(self, text: str, source: str, pos: int) -> None:
        self.source = source
        self.pos = pos
        self.tokens: list[tuple[str, str]] = []
        i = 0
        while i < len(text):
            if text[i:].strip() == "":
                break
            m = _TOKEN.match(text, i)
            if m is None or m.end() == i:
                raise self.error(f"unexpected {text[i:].strip()[:1]!r} in command")
            kind = m.lastgroup or ""
            self.tokens.append((kind, m.group(kind)))
            i = m.end()
        self.i = 0

    def error(self, message: str) -> ExpressionError:
        line = self.source.count("\n", 0, self.pos) + 1
        return ExpressionError(
            f"template: param:{line}: {message}", source=self.source, position=self.pos, located=True
        )

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def pipeline(self, end: str | None = None) -> Pipe:
        decl: list[str] = []
        assign = False
        # "$x := …" or "$i, $v := …"
        j = self.i
        names: list[str] = []
        while j < len(self.tokens) and self.tokens[j][0] == "var":
            names.append(self.tokens[j][1])
            if j + 1 < len(self.tokens) and self.tokens[j + 1] == ("punct", ","):
                j += 2
                continue
            j += 1
            break
        if names and j < len(self.tokens) and self.tokens[j][0] == "decl":
            decl, assign = names, self.tokens[j][1] == "="
            self.i = j + 1
        commands = [self.command()]
        while (tok := self.peek()) is not None and tok == ("punct", "|"):
            self.i += 1
            commands.append(self.command())
        if end is None and self.peek() is not None:
            raise self.error(f"unexpected {self.peek()[1]!r} in operand")  # type: ignore[index]
        return Pipe(decl, assign, commands)

    def command(self) -> Command:
        args: list[Any] = []
        while (tok := self.peek()) is not None and tok not in (("punct", "|"), ("punct", ")")):
            args.append(self.operand())
        if not args:
            raise self.error("missing value for command")
        return Command(args)

    def operand(self) -> Any:
        kind, text = self.tokens[self.i]
        self.i += 1
        if kind == "str":
            return ("lit", _unquote(text))
        if kind == "char":
            char = _unquote('"' + text[1:-1] + '"')
            if len(char) != 1:
                raise self.error(f"malformed character constant: {text}")
            return ("lit", ord(char))
        if kind == "num":
            return ("lit", _number(text))
        if kind == "field":
            return ("field", _split_fields(text))
        if kind == "var":
            return ("var", text, self.trailing_fields())
        if kind == "ident":
            if text in ("true", "false"):
                return ("lit", text == "true")
            if text == "nil":
                return ("lit", None)
            return ("ident", text)
        if (kind, text) == ("punct", "("):
            inner = self.pipeline(end=")")
            if self.peek() != ("punct", ")"):
                raise self.error("unclosed left paren")
            self.i += 1
            return ("pipe", inner, self.trailing_fields())
        raise self.error(f"unexpected {text!r} in operand")

    def trailing_fields(self) -> list[str]:
        tok = self.peek()
        if tok is not None and tok[0] == "field" and tok[1] != ".":
            self.i += 1
            return _split_fields(tok[1])
        return []


def parse_template(source: str) -> Block:
    root = Block("root")
    stack: list[Block] = [root]
    in_else: list[bool] = [False]
    pos = 0
    trim_next = False
    for m in _ACTION.finditer(source):
        text = source[pos : m.start()]
        if trim_next:
            text = text.lstrip(" \t\r\n")
        if m.group(1):
            text = text.rstrip(" \t\r\n")
        _append(stack, in_else, text)
        trim_next = bool(m.group(3))
        pos = m.end()
        _action(m.group(2).strip(), stack, in_else, source, m.start())
    text = source[pos:]
    _append(stack, in_else, text.lstrip(" \t\r\n") if trim_next else text)
    if len(stack) > 1:
        raise ExpressionError(f"template: param: unexpected EOF (unclosed {stack[-1].kind})")
    if "{{" in "".join(x for x in root.body if isinstance(x, str)):
        raise ExpressionError("template: param: unclosed action")
    return root


def _append(stack: list[Block], in_else: list[bool], item: Any) -> None:
    if item == "":
        return
    (stack[-1].else_body if in_else[-1] else stack[-1].body).append(item)


def _action(body: str, stack: list[Block], in_else: list[bool], source: str, pos: int) -> None:
    if body.startswith("/*"):
        if not body.endswith("*/"):
            raise ExpressionError("template: param: unclosed comment")
        return
    word, _, rest = body.partition(" ")
    if word in ("if", "range", "with"):
        block = Block(word, _PipeParser(rest, source, pos).pipeline())
        _append(stack, in_else, block)
        stack.append(block)
        in_else.append(False)
    elif word == "else":
        if len(stack) == 1 or in_else[-1]:
            raise ExpressionError(f"template: param: unexpected {{{{else}}}} {_where(source, pos)}")
        in_else[-1] = True
        chained, _, chained_rest = rest.strip().partition(" ")
        if chained in ("if", "with"):
            # "{{else if x}}" is an if nested in the else branch, closed by the same {{end}}.
            block = Block(chained, _PipeParser(chained_rest, source, pos).pipeline())
            stack[-1].else_body.append(block)
            stack[-1] = _Chained(stack[-1], block)
            stack.append(block)
            in_else.append(False)
    elif word == "end":
        if len(stack) == 1:
            raise ExpressionError(f"template: param: unexpected {{{{end}}}} {_where(source, pos)}")
        block = stack.pop()
        in_else.pop()
        while isinstance(stack[-1], _Chained):
            stack.pop()
            in_else.pop()
    elif word in ("define", "template", "block", "break", "continue"):
        raise ExpressionError(f"template: param: {{{{{word}}}}} is not supported")
    else:
        _append(stack, in_else, Action(_PipeParser(body, source, pos).pipeline(), pos))


class _Chained(Block):
    """Marks an ``else if`` level so that one ``{{end}}`` closes the whole chain."""

    def __init__(self, outer: Block, inner: Block) -> None:
        super().__init__(outer.kind, outer.pipe, outer.body, outer.else_body)


def _where(source: str, pos: int) -> str:
    return f"at line {source.count(chr(10), 0, pos) + 1}"
