"""Parser of expr-lang source into a small tree of ``Node`` values (precedence as in expr's parser)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pinnace.expressions.errors import ExpressionError
from pinnace.expressions.expr_lexer import Tok, syntax_error, tokenize

# (precedence, right-associative)
BINARY: dict[str, tuple[int, bool]] = {
    "|": (0, False),
    "or": (10, False),
    "||": (10, False),
    "and": (15, False),
    "&&": (15, False),
    "==": (20, False),
    "!=": (20, False),
    "<": (20, False),
    ">": (20, False),
    "<=": (20, False),
    ">=": (20, False),
    "in": (20, False),
    "matches": (20, False),
    "contains": (20, False),
    "startsWith": (20, False),
    "endsWith": (20, False),
    "..": (25, False),
    "+": (30, False),
    "-": (30, False),
    "*": (60, False),
    "/": (60, False),
    "%": (60, False),
    "**": (100, True),
    "^": (100, True),
    "??": (500, False),
}
UNARY = {"not": 50, "!": 50, "-": 90, "+": 90}
NEGATABLE = {"in", "matches", "contains", "startsWith", "endsWith"}
COMPARISONS = {"==", "!=", "<", ">", "<=", ">="}
PREDICATES = {
    "all", "none", "any", "one", "filter", "map", "count", "sum", "find", "findIndex", "findLast",
    "findLastIndex", "groupBy", "sortBy", "reduce",
}  # fmt: skip


@dataclass(frozen=True)
class Node:
    kind: str
    value: Any = None
    args: tuple[Node, ...] = ()
    pos: int = 0


def _describe(tok: Tok) -> str:
    kinds = {"num": "Number", "str": "String", "ident": "Identifier", "op": "Operator", "bracket": "Bracket"}
    if tok.kind == "eof":
        return "EOF"
    value = tok.value if isinstance(tok.value, str) else str(tok.value)
    return f'{kinds[tok.kind]}("{value}")'


class Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.i = 0
        self.closure_depth = 0

    @property
    def cur(self) -> Tok:
        return self.tokens[self.i]

    def advance(self) -> Tok:
        tok = self.tokens[self.i]
        if tok.kind != "eof":
            self.i += 1
        return tok

    def error(self, message: str, tok: Tok | None = None) -> ExpressionError:
        tok = tok or self.cur
        return syntax_error(message, self.source, tok.pos)

    def unexpected(self) -> ExpressionError:
        return self.error(f"unexpected token {_describe(self.cur)}")

    def expect_op(self, value: str) -> Tok:
        if not self.cur.is_op(value):
            raise self.unexpected()
        return self.advance()

    def expect_bracket(self, value: str) -> Tok:
        if not self.cur.is_bracket(value):
            raise self.unexpected()
        return self.advance()

    def parse(self) -> Node:
        node = self.expression(0)
        if self.cur.kind != "eof":
            raise self.unexpected()
        return node

    def expression(self, precedence: int) -> Node:
        if precedence == 0 and self.cur.is_op("let"):
            return self.let()
        left = self.primary()
        previous = ""
        while self.cur.kind == "op":
            op_tok = self.cur
            op = str(op_tok.value)
            negate = False
            if op == "not":
                nxt = self.tokens[self.i + 1]
                if not (nxt.kind == "op" and nxt.value in NEGATABLE):
                    raise self.error(f"unexpected token {_describe(nxt)}", nxt)
                if BINARY[str(nxt.value)][0] < precedence:
                    break
                self.advance()
                op_tok, op, negate = nxt, str(nxt.value), True
            spec = BINARY.get(op)
            if spec is None or spec[0] < precedence:
                break
            self.advance()
            if op == "|":
                left = self.pipe(left)
            elif previous == "??" and op != "??":
                raise self.error(
                    f"Operator ({op}) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses.",
                    op_tok,
                )
            elif op in COMPARISONS:
                left = self.comparison(left, op_tok, spec[0])
            else:
                right = self.expression(spec[0] if spec[1] else spec[0] + 1)
                left = Node("binary", op, (left, right), op_tok.pos)
                if negate:
                    left = Node("unary", "not", (left,), op_tok.pos)
            previous = op
        if precedence == 0:
            left = self.conditional(left)
        return left

    def comparison(self, left: Node, op_tok: Tok, precedence: int) -> Node:
        """``a < b < c`` means ``a < b and b < c``, as in expr."""
        right = self.expression(precedence + 1)
        node = Node("binary", op_tok.value, (left, right), op_tok.pos)
        while self.cur.kind == "op" and self.cur.value in COMPARISONS:
            tok = self.advance()
            nxt = self.expression(precedence + 1)
            node = Node("binary", "&&", (node, Node("binary", tok.value, (right, nxt), tok.pos)), tok.pos)
            right = nxt
        return node

    def conditional(self, node: Node) -> Node:
        while self.cur.is_op("?"):
            tok = self.advance()
            if self.cur.is_op(":"):
                self.advance()
                node = Node("cond", None, (node, node, self.expression(0)), tok.pos)
                continue
            yes = self.expression(0)
            self.expect_op(":")
            node = Node("cond", None, (node, yes, self.expression(0)), tok.pos)
        return node

    def let(self) -> Node:
        tok = self.advance()
        name = self.cur
        if name.kind != "ident":
            raise self.unexpected()
        self.advance()
        self.expect_op("=")
        value = self.expression(0)
        self.expect_op(";")
        return Node("let", name.value, (value, self.expression(0)), tok.pos)

    def pipe(self, left: Node) -> Node:
        name = self.cur
        if name.kind != "ident":
            raise self.unexpected()
        self.advance()
        return self.call(name, [left])

    def primary(self) -> Node:
        tok = self.cur
        if tok.kind == "op" and tok.value in UNARY:
            self.advance()
            operand = self.expression(UNARY[str(tok.value)])
            return Node("unary", tok.value, (operand,), tok.pos)
        if tok.is_bracket("("):
            self.advance()
            inner = self.expression(0)
            self.expect_bracket(")")
            return self.postfix(inner)
        return self.secondary()

    def secondary(self) -> Node:
        tok = self.cur
        if tok.kind == "ident":
            self.advance()
            if tok.value in ("true", "false"):
                return self.postfix(Node("const", tok.value == "true", (), tok.pos))
            if tok.value == "nil":
                return self.postfix(Node("const", None, (), tok.pos))
            if self.cur.is_bracket("("):
                return self.postfix(self.call(tok, []))
            return self.postfix(Node("ident", tok.value, (), tok.pos))
        if tok.kind in ("num", "str"):
            self.advance()
            return self.postfix(Node("const", tok.value, (), tok.pos))
        if tok.is_op("#"):
            return self.postfix(self.pointer())
        if tok.is_op(".") and self.closure_depth:
            # ".name" inside a closure is "#.name".
            return self.postfix(Node("pointer", "", (), tok.pos))
        if tok.is_bracket("["):
            return self.postfix(self.array())
        if tok.is_bracket("{"):
            return self.postfix(self.map())
        raise self.unexpected()

    def pointer(self) -> Node:
        tok = self.advance()
        if self.closure_depth == 0:
            raise self.error("cannot use pointer accessor outside predicate", tok)
        name = ""
        if self.cur.kind == "ident" and self.cur.pos == tok.pos + 1:
            name = str(self.advance().value)
        return Node("pointer", name, (), tok.pos)

    def array(self) -> Node:
        start = self.advance()
        items: list[Node] = []
        while not self.cur.is_bracket("]"):
            if items:
                self.expect_op(",")
                if self.cur.is_bracket("]"):
                    break
            items.append(self.expression(0))
        self.advance()
        return Node("array", None, tuple(items), start.pos)

    def map(self) -> Node:
        start = self.advance()
        pairs: list[Node] = []
        while not self.cur.is_bracket("}"):
            if pairs:
                self.expect_op(",")
                if self.cur.is_bracket("}"):
                    break
            key_tok = self.cur
            if key_tok.kind in ("ident", "str", "num") or (key_tok.kind == "op" and str(key_tok.value).isalpha()):
                self.advance()
                key = Node("const", key_tok.value, (), key_tok.pos)
            elif key_tok.is_bracket("("):
                key = self.expression(0)
            else:
                raise self.error(
                    f"a map key must be a quoted string, a number, a identifier, or an expression "
                    f"enclosed in parentheses (unexpected token {_describe(key_tok)})"
                )
            self.expect_op(":")
            pairs.extend((key, self.expression(0)))
        self.advance()
        return Node("map", None, tuple(pairs), start.pos)

    def call(self, name: Tok, leading: list[Node]) -> Node:
        self.expect_bracket("(")
        args = list(leading)
        predicate = name.value in PREDICATES
        while not self.cur.is_bracket(")"):
            if len(args) > len(leading):
                self.expect_op(",")
            if predicate and len(args) == 1:
                args.append(self.closure())
            else:
                args.append(self.expression(0))
        self.advance()
        kind = "predicate" if predicate else "call"
        return Node(kind, name.value, tuple(args), name.pos)

    def closure(self) -> Node:
        braces = self.cur.is_bracket("{")
        if braces:
            self.advance()
        self.closure_depth += 1
        try:
            body = self.expression(0)
        finally:
            self.closure_depth -= 1
        if braces:
            self.expect_bracket("}")
        return Node("closure", None, (body,), body.pos)

    def postfix(self, node: Node) -> Node:
        optional_chain = False
        while True:
            tok = self.cur
            if tok.is_op(".", "?."):
                optional = tok.value == "?."
                self.advance()
                if optional and self.cur.is_bracket("["):
                    optional_chain = True
                    node = self.index(node, optional=True)
                    continue
                name = self.cur
                if name.kind not in ("ident", "op") or not str(name.value).replace("$", "a").isidentifier():
                    raise self.error("expected name", name)
                self.advance()
                optional_chain |= optional
                prop = Node("const", name.value, (), name.pos)
                if self.cur.is_bracket("("):
                    node = Node("method", name.value, (node, *self.arguments()), name.pos)
                else:
                    node = Node("member", optional, (node, prop), name.pos)
            elif tok.is_bracket("["):
                node = self.index(node, optional=False)
            else:
                break
        return Node("chain", None, (node,), node.pos) if optional_chain else node

    def arguments(self) -> tuple[Node, ...]:
        self.expect_bracket("(")
        args: list[Node] = []
        while not self.cur.is_bracket(")"):
            if args:
                self.expect_op(",")
            args.append(self.expression(0))
        self.advance()
        return tuple(args)

    def index(self, node: Node, optional: bool) -> Node:
        start = self.expect_bracket("[")
        lo: Node | None = None
        if not self.cur.is_op(":"):
            lo = self.expression(0)
        if self.cur.is_op(":"):
            self.advance()
            hi = None if self.cur.is_bracket("]") else self.expression(0)
            self.expect_bracket("]")
            none = Node("const", None)
            return Node("slice", None, (node, lo or none, hi or none), start.pos)
        self.expect_bracket("]")
        assert lo is not None
        return Node("member", optional, (node, lo), start.pos)


def parse(source: str) -> Node:
    try:
        return Parser(source).parse()
    except RecursionError:
        raise ExpressionError("expression is nested too deeply", source=source) from None
