"""pinnace: event-driven automation with an embedded Argo-Workflows-compatible engine."""

__version__ = "0.1.0"
