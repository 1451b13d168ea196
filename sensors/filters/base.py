"""What every filter family returns, and Argo's wording of filter errors."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from sensors.event import Event, PayloadError

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


# One filter's verdict inside a family: matched or not, an error message, or None (it does not count).
Verdict = bool | str | None


def combine(family: str, operator: Any, verdicts: Iterable[Verdict]) -> Outcome:
    """Argo's loop over one family's filters (``filterData``, ``filterExpr``): with ``and`` the first
    error or miss decides, with ``or`` the first match does. ``verdicts`` is consumed lazily, so
    filters after the deciding one are not evaluated, as in Argo."""
    either = is_or(operator)
    errors: list[str] = []
    for verdict in verdicts:
        if verdict is None:
            continue
        if isinstance(verdict, str):
            if not either:
                return single_error(family, verdict)
            errors.append(verdict)
        elif verdict and either:
            return PASS
        elif not verdict and not either:
            return FAIL
    if either:
        return multi_error(family, errors) if errors else FAIL
    return PASS


def on_payload(family: str, event: Event | None, nil_message: str, decide: Callable[[Any], Outcome]) -> Outcome:
    """``decide`` over the event's JSON payload; an event without data passes, as in Argo."""
    if event is None:
        return single_error(family, nil_message)
    if not event.has_data:
        return PASS
    try:
        data = event.data()
    except PayloadError:
        return single_error(family, "event data not valid JSON")
    return decide(data)
