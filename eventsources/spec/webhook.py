"""The ``webhook`` event source: an HTTP endpoint (``WebhookEventSource`` in eventsource_types.go)."""

from __future__ import annotations

from typing import Literal

from eventsources.spec.checks import check_webhook_context
from eventsources.spec.common import EventsModel, EventSourceFilter, SecretKeySelector, WebhookContext
from eventsources.spec.types import register_source_type
from pinnace.resources.base import Problems, join_path


class WebhookSignature(EventsModel):
    """pinnace extension: verify an HMAC signature (or GitLab's token) before accepting a request.

    ``github``: ``X-Hub-Signature-256: sha256=<hex hmac of the body>``; ``gitlab``: the
    ``X-Gitlab-Token`` header equals the secret; ``generic``: ``header`` carries the hex HMAC
    (optionally prefixed ``<algorithm>=``) computed with ``algorithm``.
    """

    provider: Literal["github", "gitlab", "generic"] = "generic"
    secret: SecretKeySelector
    header: str | None = None
    algorithm: Literal["sha1", "sha256", "sha512"] | None = None


class WebhookEventSource(WebhookContext):
    """Argo inlines the webhook context, so its fields sit directly under the event name."""

    filter: EventSourceFilter | None = None
    signature: WebhookSignature | None = None


def check_webhooks(events: dict[str, WebhookEventSource], path: str, problems: Problems) -> None:
    # One HTTP server per port serves every endpoint on it; a second registration of the same
    # endpoint would shadow the first (Argo's mux refuses it at start).
    routes: dict[tuple[str, str], str] = {}
    for name, event in events.items():
        event_path = join_path(path, name)
        check_webhook_context(event, event_path, problems)
        route = (event.port, event.endpoint)
        if event.port and event.endpoint:
            if route in routes:
                problems.error(
                    join_path(event_path, "endpoint"),
                    f"endpoint {event.endpoint!r} on port {event.port} is already served by event {routes[route]!r}",
                )
            else:
                routes[route] = name


register_source_type("webhook", WebhookEventSource, check_webhooks)
