"""What every filter family returns, and Argo's wording of filter errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sensors.event import Event

LIST_SEPARATOR = " / "
OR = "or"


@dataclass(frozen=True)
class Outcome:
    """``passed`` as Argo decides it; ``error`` set when something could not be evaluated."""

    passed: bool
    error: str | None = None


PASS = Outcome(True)
FAIL = Outcome(False)


class FilterFamily(Protocol):
    def evaluate(self, event: Event) -> Outcome: ...


def single_error(family: str, message: str) -> Outcome:
    return Outcome(False, f"{family} filter error ({message})")


def multi_error(family: str, messages: list[str]) -> Outcome:
    return Outcome(False, f"{family} filter errors [{LIST_SEPARATOR.join(messages)}]")


def is_or(operator: Any) -> bool:
    return isinstance(operator, str) and operator.lower() == OR
