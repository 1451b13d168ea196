"""Go time layouts (``2006-01-02T15:04:05Z07:00``) for formatting and parsing Python datetimes."""

from __future__ import annotations

import datetime as dt
import re

from pinnace.expressions.errors import ExpressionError

RFC3339 = "2006-01-02T15:04:05Z07:00"

# Longest first: the layout is scanned greedily as Go does.
_ELEMENTS: list[tuple[str, str]] = [
    ("January", "%B"), ("Monday", "%A"), ("Jan", "%b"), ("Mon", "%a"), ("MST", "%Z"),
    ("2006", "%Y"), ("Z07:00", "Z:"), ("-07:00", "-:"), ("Z0700", "Z"), ("-0700", "-"), ("-07", "-h"),
    (".000000000", ".9f"), (".000000", ".6f"), (".000", ".3f"),
    (".999999999", ".9t"), (".999999", ".6t"), (".999", ".3t"),
    ("_2", "_d"), ("01", "%m"), ("02", "%d"), ("03", "%I"), ("04", "%M"), ("05", "%S"), ("06", "%y"),
    ("15", "%H"), ("PM", "%p"), ("pm", "pm"), ("1", "m"), ("2", "d"), ("3", "I"), ("4", "M"), ("5", "S"),
]  # fmt: skip


def _tokens(layout: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(layout):
        for element, code in _ELEMENTS:
            if layout.startswith(element, i):
                out.append(("code", code))
                i += len(element)
                break
        else:
            out.append(("lit", layout[i]))
            i += 1
    return out


def _zone(value: dt.datetime, code: str) -> str:
    offset = value.utcoffset() or dt.timedelta(0)
    if code.startswith("Z") and offset == dt.timedelta(0):
        return "Z"
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hh, mm = divmod(abs(minutes), 60)
    if code == "-h":
        return f"{sign}{hh:02d}"
    sep = ":" if code.endswith(":") else ""
    return f"{sign}{hh:02d}{sep}{mm:02d}"


def _fraction(value: dt.datetime, code: str) -> str:
    width = int(code[1])
    digits = f"{value.microsecond:06d}000"[:width]
    if code.endswith("t"):
        digits = digits.rstrip("0")
        return "." + digits if digits else ""
    return "." + digits


def format_time(value: dt.datetime, layout: str) -> str:
    """Go ``time.Time.Format``."""
    out: list[str] = []
    for kind, code in _tokens(layout):
        if kind == "lit":
            out.append(code)
        elif code in ("Z:", "-:", "Z", "-", "-h"):
            out.append(_zone(value, code))
        elif code[0] == "." and code[-1] in "ft":
            out.append(_fraction(value, code))
        elif code == "_d":
            out.append(f"{value.day:2d}")
        elif code == "pm":
            out.append(value.strftime("%p").lower())
        elif code == "%Z":
            out.append(value.tzname() or "UTC" if value.tzinfo else "UTC")
        elif code in ("m", "d", "I", "M", "S"):
            out.append(str(int(value.strftime("%" + code))))
        else:
            out.append(value.strftime(code))
    return "".join(out)


_STRPTIME = {"m": "%m", "d": "%d", "I": "%I", "M": "%M", "S": "%S", "_d": "%d", "pm": "%p"}


def parse_time(text: str, layout: str = RFC3339, tz: dt.tzinfo | None = None) -> dt.datetime:
    """Go ``time.Parse``/``ParseInLocation`` for the common layout elements."""
    pattern: list[str] = []
    fmt: list[str] = []
    for kind, code in _tokens(layout):
        if kind == "lit":
            pattern.append(re.escape(code))
            fmt.append(code.replace("%", "%%"))
        elif code in ("Z:", "-:", "Z", "-", "-h"):
            pattern.append(r"(?:Z|[+-]\d{2}(?::?\d{2})?)")
            fmt.append("%z")
        elif code[0] == "." and code[-1] in "ft":
            pattern.append(r"(?:\.\d{1,9})?")
            fmt.append("")
        else:
            pattern.append(r"(.+?)")
            fmt.append(_STRPTIME.get(code, code))
    match = re.fullmatch("".join(pattern), text)
    if match is None:
        raise ExpressionError(f'parsing time "{text}" as "{layout}": cannot parse')
    try:
        iso = text
        frac = re.search(r"\.(\d{1,9})", text) if any(c[0] == "." for k, c in _tokens(layout) if k == "code") else None
        if frac:
            iso = text.replace(frac.group(0), "", 1)
        strfmt = "".join(fmt)
        iso = re.sub(r"Z$", "+0000", iso) if "%z" in strfmt else iso
        result = dt.datetime.strptime(iso.replace("  ", " "), strfmt)
    except ValueError as exc:
        raise ExpressionError(f'parsing time "{text}" as "{layout}": {exc}') from None
    if frac:
        result = result.replace(microsecond=int((frac.group(1) + "000000")[:6]))
    if result.tzinfo is None:
        result = result.replace(tzinfo=tz or dt.UTC)
    return result
