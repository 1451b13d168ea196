"""Go RE2 patterns run on Python's ``re``: the few syntax differences users hit are translated."""

from __future__ import annotations

import re
from functools import lru_cache

from pinnace.expressions.errors import ExpressionError

_POSIX_CLASSES = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7F",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1F\\x7F",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}
_POSIX = re.compile(r"\[:(\^?)([a-z]+):\]")


def _translate(pattern: str) -> str:
    def posix(match: re.Match[str]) -> str:
        body = _POSIX_CLASSES.get(match.group(2))
        if body is None:
            raise ExpressionError(f"invalid character class range: {match.group(0)}")
        if match.group(1):
            raise ExpressionError(f"negated POSIX class {match.group(0)} is not supported")
        return body

    out = _POSIX.sub(posix, pattern)
    # Go's \z is Python's \Z; Go has no \Z.
    return re.sub(r"(?<!\\)((?:\\\\)*)\\z", r"\1\\Z", out)


@lru_cache(maxsize=512)
def compile_go_regex(pattern: str) -> re.Pattern[str]:
    """Compile a Go regexp; raises ExpressionError worded like Go's ``regexp.Compile``."""
    try:
        return re.compile(_translate(pattern))
    except (re.error, OverflowError, RecursionError) as exc:
        raise ExpressionError(f"error parsing regexp {pattern!r}: {exc}") from None


def go_match(pattern: str, text: str) -> bool:
    """Go ``regexp.MatchString``: unanchored search."""
    return compile_go_regex(pattern).search(text) is not None
