"""Resource ``successCondition``/``failureCondition``: Kubernetes label-selector syntax whose keys
are gjson paths into the live object (``status.phase in (Failed, Error)``, ``status.succeeded > 2``),
as ``workflow/executor/resource.go`` evaluates them through ``labels.Parse``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from pinnace.expressions.paths import get_path


class SelectorError(ValueError):
    pass


@dataclass(frozen=True)
class Requirement:
    key: str
    op: str  # = == != in notin exists ! > <
    values: tuple[str, ...] = ()

    def __str__(self) -> str:
        """``labels.Requirement.String()``: how Argo quotes it in messages."""
        if self.op == "exists":
            return self.key
        if self.op == "!":
            return f"!{self.key}"
        if self.op in ("in", "notin"):
            return f"{self.key} {self.op} ({','.join(sorted(self.values))})"
        return f"{self.key}{self.op}{self.values[0]}"

    def matches(self, obj: Any) -> bool:
        value, found = get_path(obj, self.key)
        text = _text(value) if found else ""
        if self.op == "exists":
            return found
        if self.op == "!":
            return not found
        if self.op in ("=", "=="):
            return found and text == self.values[0]
        if self.op == "!=":
            return not found or text != self.values[0]
        if self.op == "in":
            return found and text in self.values
        if self.op == "notin":
            return not found or text not in self.values
        try:
            have, want = int(text), int(self.values[0])
        except ValueError:
            return False
        return found and (have > want if self.op == ">" else have < want)


def _text(value: Any) -> str:
    """gjson ``Result.String()``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


_TERM = re.compile(
    r"""\s*(?:
        (?P<not>!)\s*(?P<nkey>[^\s,!=<>()]+)
      | (?P<key>[^\s,!=<>()]+)\s*(?:
            (?P<op>==|!=|=|>|<)\s*(?P<val>[^\s,()]*)
          | \s(?P<setop>in|notin)\s*\((?P<set>[^)]*)\)
        )?
    )\s*(?:,|$)""",
    re.VERBOSE,
)


def parse(text: str) -> list[Requirement]:
    reqs: list[Requirement] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TERM.match(text, pos)
        if m is None or m.end() == pos:
            raise SelectorError(f"unable to parse requirement: {text[pos:]!r}")
        pos = m.end()
        if m.group("not"):
            reqs.append(Requirement(m.group("nkey"), "!"))
        elif m.group("op"):
            if m.group("op") in (">", "<") and not re.fullmatch(r"-?\d+", m.group("val")):
                raise SelectorError(f"for '{m.group('op')}' operator, the value must be an integer")
            reqs.append(Requirement(m.group("key"), m.group("op"), (m.group("val"),)))
        elif m.group("setop"):
            values = tuple(v.strip() for v in m.group("set").split(",") if v.strip())
            reqs.append(Requirement(m.group("key"), m.group("setop"), values))
        else:
            reqs.append(Requirement(m.group("key"), "exists"))
    return reqs


def failed_requirement(obj: Any, failure: list[Requirement]) -> Requirement | None:
    return next((r for r in failure if r.matches(obj)), None)


def all_match(obj: Any, success: list[Requirement]) -> bool:
    return all(r.matches(obj) for r in success)
