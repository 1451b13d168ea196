"""Go ``fmt.Sprintf`` for the verbs templates use: %v %s %d %f %e %g %t %q %x %X %o %b %c %%."""

from __future__ import annotations

import re
from typing import Any

from pinnace.expressions.goformat import format_float_g, sprint, to_json
from pinnace.expressions.sprig import go_quote

_VERB = re.compile(r"%([-+# 0]*)(\d+|\*)?(?:\.(\d+))?([a-zA-Z%])")


def _pad(text: str, flags: str, width: str | None) -> str:
    if not width:
        return text
    size = int(width)
    if "-" in flags:
        return text.ljust(size)
    if "0" in flags and text[:1] in "+-" and text[1:].replace(".", "").isdigit():
        return text[0] + text[1:].rjust(size - 1, "0")
    return text.rjust(size, "0" if "0" in flags else " ")


def _format(verb: str, flags: str, precision: str | None, arg: Any) -> str:
    is_num = isinstance(arg, int | float) and not isinstance(arg, bool)
    if verb in "vs":
        text = sprint(arg) if not (verb == "v" and "#" in flags) else to_json(arg)
        return text[: int(precision)] if precision and verb == "s" else text
    if verb == "d" and isinstance(arg, int) and not isinstance(arg, bool):
        return ("+" if "+" in flags and arg >= 0 else "") + str(arg)
    if verb in "feEgG" and is_num:
        if verb == "g" and precision is None:
            text = format_float_g(float(arg))
        else:
            text = f"{float(arg):{'+' if '+' in flags else ''}.{precision or 6}{verb}}"
            if verb in "eE":
                text = re.sub(r"e([+-])(\d)$", r"e\g<1>0\2", text)
        return text
    if verb == "t" and isinstance(arg, bool):
        return "true" if arg else "false"
    if verb == "q":
        return go_quote(sprint(arg)) if not isinstance(arg, int) or isinstance(arg, bool) else repr(chr(arg))
    if verb in "xXob" and isinstance(arg, int) and not isinstance(arg, bool):
        return format(arg, verb)
    if verb in "xX" and isinstance(arg, str):
        return arg.encode().hex() if verb == "x" else arg.encode().hex().upper()
    if verb == "c" and isinstance(arg, int):
        return chr(arg)
    return f"%!{verb}({type(arg).__name__}={sprint(arg)})"


def printf(fmt: str, *args: Any) -> str:
    out: list[str] = []
    pos = 0
    index = 0
    for m in _VERB.finditer(fmt):
        out.append(fmt[pos : m.start()])
        pos = m.end()
        flags, width, precision, verb = m.groups()
        if verb == "%":
            out.append("%")
            continue
        if index >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        out.append(_pad(_format(verb, flags, precision, args[index]), flags, width))
        index += 1
    out.append(fmt[pos:])
    if index < len(args):
        out.append("%!(EXTRA " + ", ".join(f"{type(a).__name__}={sprint(a)}" for a in args[index:]) + ")")
    return "".join(out)
