"""Argo's variable substitution: ``{{simple.tags}}`` and ``{{= expression }}`` tags on JSON text."""

from workflows.templating.tags import (
    LateBound,
    TemplateError,
    expand_keys,
    has_tags,
    render,
    render_object,
)

__all__ = ["LateBound", "TemplateError", "expand_keys", "has_tags", "render", "render_object"]
