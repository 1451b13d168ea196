"""Tokenizer of the expr-lang language (github.com/expr-lang/expr)."""

from __future__ import annotations

from dataclasses import dataclass

from pinnace.expressions.errors import ExpressionError

# Longest first so "**" wins over "*", "?." over "?", "not in" is assembled by the parser.
_OPERATORS = sorted(
    [
        "**",
        "==",
        "!=",
        "<=",
        ">=",
        "&&",
        "||",
        "??",
        "?.",
        "..",
        "+",
        "-",
        "*",
        "/",
        "%",
        "^",
        "<",
        ">",
        "!",
        "?",
        ":",
        ".",
        ",",
        "|",
        "#",
        ";",
        "=",
    ],
    key=len,
    reverse=True,
)
WORD_OPERATORS = {"and", "or", "not", "in", "matches", "contains", "startsWith", "endsWith", "let"}
_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "`": "`",
    "0": "\0",
}


@dataclass(frozen=True)
class Tok:
    kind: str  # "num", "str", "ident", "op", "bracket", "eof"
    value: object
    pos: int

    def is_op(self, *values: str) -> bool:
        return self.kind == "op" and self.value in values

    def is_bracket(self, value: str) -> bool:
        return self.kind == "bracket" and self.value == value


def location(source: str, pos: int) -> str:
    """expr-lang's ``(line:column)`` suffix, 1-based line and column."""
    line = source.count("\n", 0, pos) + 1
    column = pos - (source.rfind("\n", 0, pos) + 1) + 1
    return f"({line}:{column})"


def syntax_error(message: str, source: str, pos: int) -> ExpressionError:
    return ExpressionError(f"{message} {location(source, pos)}", source=source, position=pos, located=True)


def tokenize(source: str) -> list[Tok]:
    tokens: list[Tok] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch.isspace():
            i += 1
        elif source.startswith("//", i):
            end = source.find("\n", i)
            i = n if end < 0 else end
        elif source.startswith("/*", i):
            end = source.find("*/", i + 2)
            if end < 0:
                raise syntax_error("unclosed comment", source, i)
            i = end + 2
        elif ch.isdigit() or (ch == "." and i + 1 < n and source[i + 1].isdigit()):
            tok, i = _number(source, i)
            tokens.append(tok)
        elif ch in "\"'":
            text, end = _quoted(source, i)
            tokens.append(Tok("str", text, i))
            i = end
        elif ch == "`":
            end = source.find("`", i + 1)
            if end < 0:
                raise syntax_error("literal not terminated", source, i)
            tokens.append(Tok("str", source[i + 1 : end], i))
            i = end + 1
        elif ch.isalpha() or ch in "_$":
            j = i
            while j < n and (source[j].isalnum() or source[j] in "_$"):
                j += 1
            word = source[i:j]
            tokens.append(Tok("op" if word in WORD_OPERATORS else "ident", word, i))
            i = j
        elif ch in "()[]{}":
            tokens.append(Tok("bracket", ch, i))
            i += 1
        else:
            op = next((o for o in _OPERATORS if source.startswith(o, i)), None)
            if op is None or (op == "?." and i + 2 < n and source[i + 2].isdigit()):
                op = op if op != "?." else "?"
            if op is None:
                raise syntax_error(f"unrecognized character: U+{ord(ch):04X} '{ch}'", source, i)
            tokens.append(Tok("op", op, i))
            i += len(op)
    tokens.append(Tok("eof", None, n))
    return tokens


def _number(source: str, i: int) -> tuple[Tok, int]:
    n = len(source)
    j = i
    if source.startswith(("0x", "0X", "0o", "0O", "0b", "0B"), i):
        j = i + 2
        while j < n and (source[j].isalnum() or source[j] == "_"):
            j += 1
        text = source[i:j]
        try:
            return Tok("num", int(text.replace("_", ""), 0), i), j
        except ValueError:
            raise syntax_error(f"invalid number literal {text}", source, i) from None
    while j < n and (source[j].isdigit() or source[j] == "_"):
        j += 1
    is_float = False
    # "1..3" is a range, not the float "1." followed by ".3".
    if (
        j < n
        and source[j] == "."
        and not source.startswith("..", j)
        and not (j + 1 < n and (source[j + 1].isalpha() or source[j + 1] == "_"))
    ):
        is_float = True
        j += 1
        while j < n and (source[j].isdigit() or source[j] == "_"):
            j += 1
    if j < n and source[j] in "eE":
        k = j + 1
        if k < n and source[k] in "+-":
            k += 1
        if k < n and source[k].isdigit():
            is_float = True
            j = k
            while j < n and source[j].isdigit():
                j += 1
    text = source[i:j].replace("_", "")
    try:
        return Tok("num", float(text) if is_float else int(text), i), j
    except ValueError:
        raise syntax_error(f"invalid number literal {source[i:j]}", source, i) from None


def _quoted(source: str, start: int) -> tuple[str, int]:
    quote = source[start]
    out: list[str] = []
    i, n = start + 1, len(source)
    while i < n:
        ch = source[i]
        if ch == quote:
            return "".join(out), i + 1
        if ch == "\\" and i + 1 < n:
            esc = source[i + 1]
            if esc in "xuU":
                width = {"x": 2, "u": 4, "U": 8}[esc]
                digits = source[i + 2 : i + 2 + width]
                try:
                    out.append(chr(int(digits, 16)))
                except (ValueError, OverflowError):
                    raise syntax_error("invalid char escape", source, i) from None
                i += 2 + width
                continue
            if esc not in _ESCAPES:
                raise syntax_error("invalid char escape", source, i)
            out.append(_ESCAPES[esc])
            i += 2
            continue
        if ch == "\n":
            break
        out.append(ch)
        i += 1
    raise syntax_error("literal not terminated", source, start)
