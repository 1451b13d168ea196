"""Client side of the API: connection settings and the HTTP ``ResourceClient``."""

from pinnace.apiclient.config import Connection, load_kubeconfig, resolve_connection
from pinnace.apiclient.http import HttpClient

__all__ = ["Connection", "HttpClient", "load_kubeconfig", "resolve_connection"]
