"""The expression and path languages Argo uses: govaluate, expr-lang, gjson/sjson paths, Go templates."""

from pinnace.expressions.errors import ExpressionError

__all__ = ["ExpressionError"]
