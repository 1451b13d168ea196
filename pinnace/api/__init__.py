"""The Kubernetes-compatible API server over the embedded store."""

from pinnace.api.server import DEFAULT_PORT, ApiConfig, ApiServer, serve_api

__all__ = ["DEFAULT_PORT", "ApiConfig", "ApiServer", "serve_api"]
