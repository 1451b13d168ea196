"""Tokenizer and syntax check of the govaluate language (Knetic/govaluate as pinned by Argo Workflows).

The rules follow govaluate's ``parsing.go``/``lexerState.go`` closely because Argo's ``when`` behaviour
(and its error messages) falls out of them: a run of symbol characters is one token (``>-`` is an
invalid token), strings end at either quote kind, a word with a dot is a struct accessor, and a word
that is not ``true``/``false``/``in`` is a VARIABLE.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from pinnace.expressions.errors import ExpressionError
from pinnace.expressions.goformat import sprint
from pinnace.expressions.goregex import compile_go_regex

PREFIX_SYMBOLS = {"-", "!", "~"}
MODIFIER_SYMBOLS = {"+", "-", "*", "/", "%", "**", "&", "|", "^", ">>", "<<"}
LOGICAL_SYMBOLS = {"&&", "||"}
COMPARATOR_SYMBOLS = {"==", "!=", ">", ">=", "<", "<=", "=~", "!~", "in"}
TERNARY_SYMBOLS = {"?", ":", "??"}

_VALUES = {"PREFIX", "NUMERIC", "BOOLEAN", "VARIABLE", "PATTERN", "FUNCTION", "ACCESSOR", "STRING", "TIME"}
_AFTER_VALUE = {"MODIFIER", "COMPARATOR", "LOGICALOP", "CLAUSE_CLOSE", "TERNARY", "SEPARATOR"}
# (may end the expression, kinds allowed next) per kind of the previous token; "" is the start state.
_STATES: dict[str, tuple[bool, frozenset[str]]] = {
    "": (False, frozenset(_VALUES | {"CLAUSE"})),
    "CLAUSE": (False, frozenset(_VALUES | {"CLAUSE", "CLAUSE_CLOSE"})),
    "CLAUSE_CLOSE": (
        True,
        frozenset(_AFTER_VALUE | {"NUMERIC", "BOOLEAN", "VARIABLE", "STRING", "PATTERN", "TIME", "CLAUSE"}),
    ),
    "NUMERIC": (True, frozenset(_AFTER_VALUE)),
    "BOOLEAN": (True, frozenset(_AFTER_VALUE)),
    "STRING": (True, frozenset(_AFTER_VALUE)),
    "VARIABLE": (True, frozenset(_AFTER_VALUE)),
    "TIME": (True, frozenset(_AFTER_VALUE - {"TERNARY"})),
    "PATTERN": (True, frozenset(_AFTER_VALUE - {"TERNARY"})),
    "MODIFIER": (
        False,
        frozenset(_VALUES - {"PATTERN", "TIME"} | {"CLAUSE", "CLAUSE_CLOSE"}),
    ),
    "COMPARATOR": (False, frozenset(_VALUES | {"CLAUSE", "CLAUSE_CLOSE"})),
    "LOGICALOP": (False, frozenset(_VALUES - {"PATTERN"} | {"CLAUSE", "CLAUSE_CLOSE"})),
    "PREFIX": (
        False,
        frozenset({"NUMERIC", "BOOLEAN", "VARIABLE", "FUNCTION", "ACCESSOR", "CLAUSE", "CLAUSE_CLOSE"}),
    ),
    "TERNARY": (False, frozenset(_VALUES - {"PATTERN"} | {"CLAUSE", "SEPARATOR"})),
    "FUNCTION": (False, frozenset({"CLAUSE"})),
    "ACCESSOR": (True, frozenset(_AFTER_VALUE | {"CLAUSE"})),
    "SEPARATOR": (False, frozenset(_VALUES - {"PATTERN"} | {"CLAUSE"})),
}


@dataclass
class Token:
    kind: str
    value: Any
    pos: int


def _is_space(ch: str) -> bool:
    return ch.isspace()


def _is_numeric(ch: str) -> bool:
    return ch.isdecimal() or ch == "."


def _is_variable_char(ch: str) -> bool:
    return ch.isalpha() or ch.isdecimal() or ch in "_."


def _is_not_quote(ch: str) -> bool:
    return ch not in "'\""


def _is_symbol_char(ch: str) -> bool:
    return not (ch.isdecimal() or ch.isalpha() or ch in "()[]'\"")


class _Lexer:
    def __init__(self, source: str) -> None:
        self.source = source
        self.pos = 0

    def read_until(self, include_space: bool, break_space: bool, condition: Any) -> tuple[str, bool]:
        """govaluate's ``readUntilFalse``: backslash escapes anything; returns (text, condition_met)."""
        buf: list[str] = []
        while self.pos < len(self.source):
            ch = self.source[self.pos]
            self.pos += 1
            if ch == "\\":
                if self.pos >= len(self.source):
                    raise ExpressionError(
                        "Unexpected end of expression after '\\'", source=self.source, position=self.pos - 1
                    )
                buf.append(self.source[self.pos])
                self.pos += 1
                continue
            if _is_space(ch):
                if break_space and buf:
                    return "".join(buf), True
                if not include_space:
                    continue
            if condition(ch):
                buf.append(ch)
            else:
                self.pos -= 1
                return "".join(buf), True
        return "".join(buf), False

    def error(self, message: str, start: int) -> ExpressionError:
        return ExpressionError(message, source=self.source, position=start)


def tokenize(source: str) -> list[Token]:
    lexer = _Lexer(source)
    tokens: list[Token] = []
    state = ""
    while lexer.pos < len(source):
        token = _read_token(lexer, state)
        if token is None:
            break
        tokens.append(token)
        state = token.kind
    _check_balance(tokens, source)
    return tokens


def _read_token(lexer: _Lexer, state: str) -> Token | None:
    src = lexer.source
    while lexer.pos < len(src):
        start = lexer.pos
        ch = src[lexer.pos]
        lexer.pos += 1
        if _is_space(ch):
            continue
        if _is_numeric(ch):
            return _read_number(lexer, start)
        if ch == ",":
            return Token("SEPARATOR", ",", start)
        if ch == "[":
            text, done = lexer.read_until(True, False, lambda c: c != "]")
            if not done:
                raise lexer.error("Unclosed parameter bracket", start)
            lexer.pos += 1
            return Token("VARIABLE", text, start)
        if ch.isalpha():
            lexer.pos = start
            word, _ = lexer.read_until(False, True, _is_variable_char)
            return _word_token(lexer, word, start)
        if not _is_not_quote(ch):
            text, done = lexer.read_until(True, False, _is_not_quote)
            if not done:
                raise lexer.error("Unclosed string literal", start)
            lexer.pos += 1
            when = parse_time(text)
            if when is not None:
                return Token("TIME", when, start)
            return Token("STRING", text, start)
        if ch == "(":
            return Token("CLAUSE", "(", start)
        if ch == ")":
            return Token("CLAUSE_CLOSE", ")", start)
        lexer.pos = start
        symbol, _ = lexer.read_until(False, True, _is_symbol_char)
        return _symbol_token(lexer, symbol, state, start)
    return None


def _read_number(lexer: _Lexer, start: int) -> Token:
    src = lexer.source
    if src[start] == "0" and src[start + 1 : start + 2] == "x" and start + 2 < len(src):
        lexer.pos = start + 2
        text, _ = lexer.read_until(False, True, lambda c: c in "0123456789abcdefABCDEF")
        try:
            return Token("NUMERIC", float(int(text, 16)), start)
        except ValueError:
            raise lexer.error(f"Unable to parse hex value '{text}' to uint64", start) from None
    lexer.pos = start
    text, _ = lexer.read_until(False, True, _is_numeric)
    try:
        if not text.isascii() or not text.replace(".", "", 1).isdigit():
            raise ValueError(text)
        return Token("NUMERIC", float(text), start)
    except ValueError:
        raise lexer.error(f"Unable to parse numeric value '{text}' to float64", start) from None


def _word_token(lexer: _Lexer, word: str, start: int) -> Token:
    token = Token("VARIABLE", word, start)
    if word in ("true", "false"):
        token = Token("BOOLEAN", word == "true", start)
    if word in ("in", "IN"):
        token = Token("COMPARATOR", "in", start)
    if "." in word:
        if word.endswith("."):
            raise lexer.error(f"Hanging accessor on token '{word}'", start)
        parts = word.split(".")
        for part in parts[1:]:
            if part and part[0].upper() != part[0]:
                raise lexer.error(f"Unable to access unexported field '{part}' in token '{word}'", start)
        token = Token("ACCESSOR", parts, start)
    return token


def _symbol_token(lexer: _Lexer, symbol: str, state: str, start: int) -> Token:
    if symbol in PREFIX_SYMBOLS and "PREFIX" in _STATES[state][1]:
        return Token("PREFIX", symbol, start)
    for kind, symbols in (
        ("MODIFIER", MODIFIER_SYMBOLS),
        ("LOGICALOP", LOGICAL_SYMBOLS),
        ("COMPARATOR", COMPARATOR_SYMBOLS),
        ("TERNARY", TERNARY_SYMBOLS),
    ):
        if symbol in symbols:
            return Token(kind, symbol, start)
    raise lexer.error(f"Invalid token: '{symbol}'", start)


def _check_balance(tokens: list[Token], source: str) -> None:
    depth = 0
    for token in tokens:
        depth += {"CLAUSE": 1, "CLAUSE_CLOSE": -1}.get(token.kind, 0)
    if depth != 0:
        raise ExpressionError("Unbalanced parenthesis", source=source)


def _show(token: Token | None) -> str:
    if token is None:
        return "<nil>"
    if token.kind in ("CLAUSE", "CLAUSE_CLOSE"):
        return str(ord(token.value))  # Go prints these runes as numbers
    if token.kind == "PATTERN":
        return str(token.value.pattern)
    return sprint(token.value)


def check_syntax(tokens: list[Token], source: str) -> None:
    """govaluate's ``checkExpressionSyntax``: every token must be allowed after the previous one."""
    state = ""
    last: Token | None = None
    for token in tokens:
        if token.kind not in _STATES[state][1]:
            if last is not None and last.kind == "VARIABLE" and token.kind == "CLAUSE":
                raise ExpressionError(f"Undefined function {last.value}", source=source, position=last.pos)
            raise ExpressionError(
                f"Cannot transition token types from {state or 'UNKNOWN'} [{_show(last)}] "
                f"to {token.kind} [{_show(token)}]",
                source=source,
                position=token.pos,
            )
        state = token.kind
        last = token
    if not _STATES[state][0]:
        raise ExpressionError("Unexpected end of expression", source=source, position=len(source))


def optimize(tokens: list[Token]) -> None:
    """A string right of ``=~``/``!~`` is compiled once, as govaluate does (bad patterns fail at parse)."""
    for i, token in enumerate(tokens[:-1]):
        if token.kind == "COMPARATOR" and token.value in ("=~", "!~") and tokens[i + 1].kind == "STRING":
            nxt = tokens[i + 1]
            tokens[i + 1] = Token("PATTERN", compile_go_regex(nxt.value), nxt.pos)


_TIME_FORMATS = [
    (re.compile(r"\d{4}-\d{2}-\d{2}"), "%Y-%m-%d"),
    (re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"), "%Y-%m-%d %H:%M"),
    (re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"), "%Y-%m-%d %H:%M:%S"),
    (re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}"), "%Y-%m-%d %H:%M:%S%z"),
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})"), "iso"),
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}(:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{4})"), "iso"),
    (re.compile(r"[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}"), "%a %b %d %H:%M:%S %Y"),
    (re.compile(r"[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} [+-]\d{4} \d{4}"), "%a %b %d %H:%M:%S %z %Y"),
]


def parse_time(text: str) -> float | None:
    """Unix seconds of a quoted string govaluate recognizes as a date (local time unless zoned)."""
    for pattern, fmt in _TIME_FORMATS:
        if not pattern.fullmatch(text):
            continue
        try:
            if fmt == "iso":
                iso = re.sub(r"\.(\d{1,9})", lambda m: "." + (m.group(1) + "000000")[:6], text)
                iso = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", iso.replace("Z", "+00:00"))
                when = dt.datetime.fromisoformat(iso)
            else:
                when = dt.datetime.strptime(text.replace("  ", " "), fmt)
            return float(int(when.timestamp()))
        except (ValueError, OverflowError, OSError):
            return None
    return None
