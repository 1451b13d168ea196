"""The common Sprig functions (Masterminds/sprig v3), shared by expr's ``sprig.*`` and Go templates.

Argument order is Sprig's: the value a template pipes in comes last (``{{ .x | replace "a" "b" }}`` is
``replace("a", "b", x)``). Conversions follow Sprig's lenient rules: ``toString`` prints with ``%v``,
numeric helpers turn anything unparsable into 0.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import math
import re
import zlib
from collections.abc import Callable, Mapping
from typing import Any

from pinnace.expressions.errors import ExpressionError
from pinnace.expressions.goformat import format_duration, sprint, to_json
from pinnace.expressions.goregex import compile_go_regex
from pinnace.expressions.gotime import format_time, parse_time


def strval(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return sprint(value)


def to_int64(value: Any) -> int:
    """spf13/cast ``ToInt64``: errors become 0."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else 0
    if isinstance(value, str):
        try:
            return int(value.strip(), 0)
        except ValueError:
            return 0
    return 0


def to_float64(value: Any) -> float:
    if isinstance(value, bool | int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return 0.0
    return 0.0


def empty(value: Any) -> bool:
    """Sprig ``empty``: nil, false, 0, "" and empty collections."""
    if value is None or value is False:
        return True
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value == 0
    if isinstance(value, str | list | tuple | Mapping | bytes):
        return len(value) == 0
    return False


def go_quote(text: str) -> str:
    """Go ``%q`` / ``strconv.Quote``."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\a\b\f\n\r\t\v":
            out.append("\\" + "abfnrtv"["\a\b\f\n\r\t\v".index(ch)])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif not ch.isprintable() and code > 0x7F:
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _default(default: Any, *given: Any) -> Any:
    if not given or empty(given[0]):
        return default
    return given[0]


def _substr(start: Any, end: Any, s: Any) -> str:
    text, lo, hi = strval(s), to_int64(start), to_int64(end)
    if lo < 0:
        return text[:hi] if 0 <= hi <= len(text) else text
    if hi < 0 or hi > len(text):
        return text[lo:]
    return text[lo:hi]


def _trunc(c: Any, s: Any) -> str:
    text, n = strval(s), to_int64(c)
    if n < 0 and len(text) + n > 0:
        return text[len(text) + n :]
    if n >= 0 and len(text) > n:
        return text[:n]
    return text


def _abbrev(width: Any, s: Any) -> str:
    text, n = strval(s), to_int64(width)
    if n < 4 or len(text) <= n:
        return text
    return text[: n - 3] + "..."


def _title(s: Any) -> str:
    return re.sub(r"(^|[^\w'])(\w)", lambda m: m.group(1) + m.group(2).upper(), strval(s))


def _words(s: str) -> list[str]:
    return re.findall(r"[A-Z]+(?=[A-Z][a-z]|\b|_|\d)|[A-Z]?[a-z]+|[A-Z]+|\d+", s)


def _split(sep: Any, orig: Any) -> dict[str, str]:
    return {f"_{i}": part for i, part in enumerate(strval(orig).split(strval(sep)))}


def _join(sep: Any, items: Any) -> str:
    if isinstance(items, str):
        return items
    if isinstance(items, list | tuple):
        return strval(sep).join(strval(x) for x in items if x is not None)
    return strval(items)


def _quote(*items: Any) -> str:
    return " ".join(go_quote(strval(x)) for x in items if x is not None)


def _squote(*items: Any) -> str:
    return " ".join(f"'{strval(x)}'" for x in items if x is not None)


def _b64dec(s: Any) -> str:
    try:
        return base64.b64decode(strval(s), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError) as exc:
        return f"illegal base64 data: {exc}"  # Sprig returns the error text as the value


def _b32dec(s: Any) -> str:
    try:
        return base64.b32decode(strval(s)).decode("utf-8", "replace")
    except (binascii.Error, ValueError) as exc:
        return f"illegal base32 data: {exc}"


def _regex_replace(regex: Any, s: Any, repl: Any) -> str:
    pattern = compile_go_regex(strval(regex))
    template = re.sub(r"\$\{?(\w+)\}?", lambda m: f"\\g<{m.group(1)}>", strval(repl).replace("\\", "\\\\"))
    try:
        return pattern.sub(template, strval(s))
    except (re.error, IndexError):
        return pattern.sub(strval(repl), strval(s))


def _regex_find_all(regex: Any, s: Any, n: Any) -> list[str]:
    found = [m.group(0) for m in compile_go_regex(strval(regex)).finditer(strval(s))]
    limit = to_int64(n)
    return found if limit < 0 else found[:limit]


def _regex_split(regex: Any, s: Any, n: Any) -> list[str]:
    limit = to_int64(n)
    if limit == 0:
        return []
    return compile_go_regex(strval(regex)).split(strval(s), maxsplit=0 if limit < 0 else limit - 1)


def _dict(*pairs: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i in range(0, len(pairs), 2):
        out[strval(pairs[i])] = pairs[i + 1] if i + 1 < len(pairs) else ""
    return out


def _get(d: Any, key: Any) -> Any:
    if isinstance(d, Mapping) and key in d:
        return d[key]
    return ""


def _keys(*dicts: Any) -> list[Any]:
    return [k for d in dicts if isinstance(d, Mapping) for k in d]


def _list(value: Any, name: str) -> list[Any]:
    if isinstance(value, list | tuple):
        return list(value)
    raise ExpressionError(f"Cannot {name} on type {type(value).__name__}")


def _first(items: Any) -> Any:
    values = _list(items, "find first")
    return values[0] if values else None


def _last(items: Any) -> Any:
    values = _list(items, "find last")
    return values[-1] if values else None


def _uniq(items: Any) -> list[Any]:
    out: list[Any] = []
    for item in _list(items, "uniq"):
        if item not in out:
            out.append(item)
    return out


def _seq(*params: Any) -> str:
    nums = [to_int64(p) for p in params]
    if len(nums) == 1:
        start, step, end = 1, 1, nums[0]
    elif len(nums) == 2:
        start, end = nums
        step = 1 if end >= start else -1
    elif len(nums) == 3:
        start, step, end = nums
    else:
        return ""
    if step == 0:
        return ""
    stop = end + (1 if step > 0 else -1)
    return " ".join(str(i) for i in range(start, stop, step))


def _date_value(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.astimezone()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value).astimezone()
    return dt.datetime.now().astimezone()


def _date(fmt: Any, value: Any) -> str:
    return format_time(_date_value(value), strval(fmt))


def _date_in_zone(fmt: Any, value: Any, zone: Any) -> str:
    import zoneinfo

    try:
        tz: dt.tzinfo = zoneinfo.ZoneInfo(strval(zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = dt.UTC
    return format_time(_date_value(value).astimezone(tz), strval(fmt))


def _to_date(fmt: Any, s: Any) -> dt.datetime:
    return parse_time(strval(s), strval(fmt), dt.datetime.now().astimezone().tzinfo)


def _max(a: Any, *rest: Any) -> int:
    return max([to_int64(a), *(to_int64(x) for x in rest)])


def _min(a: Any, *rest: Any) -> int:
    return min([to_int64(a), *(to_int64(x) for x in rest)])


def _div(a: Any, b: Any) -> int:
    x, y = to_int64(a), to_int64(b)
    if y == 0:
        raise ExpressionError("runtime error: integer divide by zero")
    q = abs(x) // abs(y)
    return q if (x >= 0) == (y >= 0) else -q


def _mod(a: Any, b: Any) -> int:
    x, y = to_int64(a), to_int64(b)
    if y == 0:
        raise ExpressionError("runtime error: integer divide by zero")
    r = abs(x) % abs(y)
    return -r if x < 0 else r


def _round(a: Any, p: Any, r: Any = 0.5) -> float:
    value, places, rounding = to_float64(a), to_int64(p), to_float64(r)
    scaled = value * 10**places
    whole = math.floor(scaled)
    if scaled - whole >= rounding:
        whole += 1
    return float(whole / 10**places)


def _from_json(s: Any) -> Any:
    try:
        return json.loads(strval(s))
    except json.JSONDecodeError:
        return {}


def _fail(message: Any) -> Any:
    raise ExpressionError(strval(message))


def _pluck(name: Any, *dicts: Any) -> list[Any]:
    return [d[name] for d in dicts if isinstance(d, Mapping) and name in d]


def _merge(dst: Any, *sources: Any) -> Any:
    for src in sources:
        for k, value in src.items():
            dst.setdefault(k, value)
    return dst


def _set(d: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    d[key] = value
    return d


def _unset(d: dict[str, Any], key: str) -> dict[str, Any]:
    d.pop(key, None)
    return d


def _atoi(s: Any) -> int:
    """``strconv.Atoi`` with the error dropped, as Sprig does."""
    text = strval(s)
    digits = text[1:] if text[:1] in "+-" else text
    return int(text) if digits.isdigit() and digits.isascii() else 0


SPRIG: dict[str, Callable[..., Any]] = {
    # strings
    "trim": lambda s: strval(s).strip(" \t\n\r\v\f"),
    "trimAll": lambda cutset, s: strval(s).strip(strval(cutset)),
    "trimPrefix": lambda prefix, s: strval(s).removeprefix(strval(prefix)),
    "trimSuffix": lambda suffix, s: strval(s).removesuffix(strval(suffix)),
    "upper": lambda s: strval(s).upper(),
    "lower": lambda s: strval(s).lower(),
    "title": _title,
    "untitle": lambda s: re.sub(r"\b(\w)", lambda m: m.group(1).lower(), strval(s)),
    "repeat": lambda n, s: strval(s) * max(to_int64(n), 0),
    "substr": _substr,
    "nospace": lambda s: re.sub(r"\s", "", strval(s)),
    "trunc": _trunc,
    "abbrev": _abbrev,
    "initials": lambda s: "".join(w[0] for w in strval(s).split()),
    "cat": lambda *items: " ".join(strval(x) for x in items if x is not None),
    "indent": lambda n, s: "\n".join(" " * to_int64(n) + line for line in strval(s).split("\n")),
    "nindent": lambda n, s: "\n" + "\n".join(" " * to_int64(n) + line for line in strval(s).split("\n")),
    "replace": lambda old, new, src: strval(src).replace(strval(old), strval(new)),
    "plural": lambda one, many, count: strval(one) if to_int64(count) == 1 else strval(many),
    "snakecase": lambda s: "_".join(w.lower() for w in _words(strval(s))),
    "camelcase": lambda s: "".join(w[:1].upper() + w[1:] for w in re.split(r"[_\s-]+", strval(s))),
    "kebabcase": lambda s: "-".join(w.lower() for w in _words(strval(s))),
    "swapcase": lambda s: strval(s).swapcase(),
    "contains": lambda substr, s: strval(substr) in strval(s),
    "hasPrefix": lambda prefix, s: strval(s).startswith(strval(prefix)),
    "hasSuffix": lambda suffix, s: strval(s).endswith(strval(suffix)),
    "quote": _quote,
    "squote": _squote,
    "toString": strval,
    "toStrings": lambda items: [strval(x) for x in _list(items, "toStrings")],
    "split": _split,
    "splitList": lambda sep, orig: strval(orig).split(strval(sep)),
    "splitn": lambda sep, n, orig: {
        f"_{i}": p for i, p in enumerate(strval(orig).split(strval(sep), max(to_int64(n) - 1, 0)))
    },
    "join": _join,
    "sortAlpha": lambda items: sorted(strval(x) for x in _list(items, "sortAlpha")),
    # regular expressions (Go RE2 syntax)
    "regexMatch": lambda regex, s: compile_go_regex(strval(regex)).search(strval(s)) is not None,
    "regexFind": lambda regex, s: m.group(0) if (m := compile_go_regex(strval(regex)).search(strval(s))) else "",
    "regexFindAll": _regex_find_all,
    "regexReplaceAll": _regex_replace,
    "regexReplaceAllLiteral": lambda regex, s, repl: compile_go_regex(strval(regex)).sub(
        lambda _m: strval(repl), strval(s)
    ),
    "regexSplit": _regex_split,
    "regexQuoteMeta": lambda s: re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", strval(s)),
    # defaults and flow
    "default": _default,
    "empty": empty,
    "coalesce": lambda *items: next((x for x in items if not empty(x)), None),
    "ternary": lambda vt, vf, cond: vt if cond is True else vf,
    "fail": _fail,
    # numbers
    "add": lambda *items: sum(to_int64(x) for x in items),
    "add1": lambda x: to_int64(x) + 1,
    "sub": lambda a, b: to_int64(a) - to_int64(b),
    "mul": lambda a, *rest: math.prod([to_int64(a), *(to_int64(x) for x in rest)]),
    "div": _div,
    "mod": _mod,
    "max": _max,
    "min": _min,
    "biggest": _max,
    "floor": lambda a: float(math.floor(to_float64(a))),
    "ceil": lambda a: float(math.ceil(to_float64(a))),
    "round": _round,
    "int": to_int64,
    "int64": to_int64,
    "float64": to_float64,
    "atoi": _atoi,
    "addf": lambda *items: float(sum(to_float64(x) for x in items)),
    "subf": lambda a, *rest: to_float64(a) - sum(to_float64(x) for x in rest),
    "mulf": lambda a, *rest: float(math.prod([to_float64(a), *(to_float64(x) for x in rest)])),
    "divf": lambda a, *rest: math.prod([to_float64(a), *(1 / to_float64(x) for x in rest)]),
    "maxf": lambda a, *rest: max([to_float64(a), *(to_float64(x) for x in rest)]),
    "minf": lambda a, *rest: min([to_float64(a), *(to_float64(x) for x in rest)]),
    "seq": _seq,
    "until": lambda n: list(range(0, to_int64(n), 1 if to_int64(n) >= 0 else -1)),
    "untilStep": lambda start, stop, step: list(range(to_int64(start), to_int64(stop), to_int64(step) or 1)),
    # encodings and hashes
    "b64enc": lambda s: base64.b64encode(strval(s).encode()).decode(),
    "b64dec": _b64dec,
    "b32enc": lambda s: base64.b32encode(strval(s).encode()).decode(),
    "b32dec": _b32dec,
    "sha1sum": lambda s: hashlib.sha1(strval(s).encode()).hexdigest(),
    "sha256sum": lambda s: hashlib.sha256(strval(s).encode()).hexdigest(),
    "adler32sum": lambda s: str(zlib.adler32(strval(s).encode())),
    "toJson": lambda x: to_json(x),
    "mustToJson": lambda x: to_json(x),
    "toPrettyJson": lambda x: to_json(x, indent="  "),
    "toRawJson": lambda x: to_json(x).replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&"),
    "fromJson": _from_json,
    # lists
    "list": lambda *items: list(items),
    "first": _first,
    "last": _last,
    "rest": lambda items: _list(items, "rest")[1:],
    "initial": lambda items: _list(items, "initial")[:-1],
    "append": lambda items, x: [*_list(items, "append"), x],
    "push": lambda items, x: [*_list(items, "push"), x],
    "prepend": lambda items, x: [x, *_list(items, "prepend")],
    "concat": lambda *lists: [x for items in lists for x in _list(items, "concat")],
    "uniq": _uniq,
    "has": lambda needle, haystack: needle in _list(haystack, "has") if haystack is not None else False,
    "without": lambda items, *omit: [x for x in _list(items, "without") if x not in omit],
    "compact": lambda items: [x for x in _list(items, "compact") if not empty(x)],
    "reverse": lambda items: _list(items, "reverse")[::-1],
    "slice": lambda items, *idx: _list(items, "slice")[slice(*(to_int64(i) for i in idx))],
    # dicts
    "dict": _dict,
    "get": _get,
    "set": _set,
    "unset": _unset,
    "hasKey": lambda d, k: isinstance(d, Mapping) and k in d,
    "keys": _keys,
    "values": lambda d: list(d.values()),
    "pluck": _pluck,
    "pick": lambda d, *ks: {k: d[k] for k in ks if k in d},
    "omit": lambda d, *ks: {k: x for k, x in d.items() if k not in ks},
    "merge": _merge,
    "deepCopy": lambda x: json.loads(json.dumps(x)),
    # types
    "kindOf": lambda x: {
        "str": "string",
        "int": "int",
        "float": "float64",
        "bool": "bool",
        "list": "slice",
        "dict": "map",
        "NoneType": "invalid",
    }.get(type(x).__name__, type(x).__name__),
    "kindIs": lambda kind, x: SPRIG["kindOf"](x) == kind,
    "typeOf": lambda x: {
        "str": "string",
        "int": "int",
        "float": "float64",
        "bool": "bool",
        "list": "[]interface {}",
        "dict": "map[string]interface {}",
        "NoneType": "<nil>",
    }.get(type(x).__name__, type(x).__name__),
    "deepEqual": lambda a, b: a == b and type(a) is type(b),
    # dates
    "now": lambda: dt.datetime.now().astimezone(),
    "date": _date,
    "dateInZone": _date_in_zone,
    "htmlDate": lambda t: _date("2006-01-02", t),
    "unixEpoch": lambda t: str(int(_date_value(t).timestamp())),
    "toDate": _to_date,
    "duration": lambda sec: format_duration(dt.timedelta(seconds=to_int64(sec))),
    "ago": lambda t: format_duration(
        dt.timedelta(seconds=round((dt.datetime.now().astimezone() - _date_value(t)).total_seconds()))
    ),
}
