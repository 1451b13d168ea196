"""The one error type every evaluator in this package raises."""

from __future__ import annotations


class ExpressionError(ValueError):
    """An expression, path or template that cannot be parsed or evaluated.

    ``position`` is the 0-based character offset in ``source`` where the problem was found, when known.
    """

    def __init__(
        self, message: str, *, source: str | None = None, position: int | None = None, located: bool = False
    ) -> None:
        self.message = message
        self.source = source
        self.position = position
        self.located = located  # the message already names the place (expr-lang's "(line:col)")
        super().__init__(self._render())

    def _render(self) -> str:
        if self.located or self.source is None or self.position is None:
            return self.message
        return f"{self.message} (at position {self.position + 1} of {self.source!r})"
