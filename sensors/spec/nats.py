"""The ``nats`` trigger: publish a payload built from event data to a subject (``NATSTrigger``)."""

from __future__ import annotations

from eventsources.spec.checks import check_tls, require
from eventsources.spec.common import EventsModel, TLSConfig
from eventsources.spec.nats import NATSAuth, check_nats_auth
from pinnace.resources.base import Problems, join_path
from sensors.spec.parameter import TriggerContext, TriggerParameter, check_parameters
from sensors.spec.trigger_types import register_trigger_type


class NATSTrigger(EventsModel):
    url: str = ""
    subject: str = ""
    payload: list[TriggerParameter] | None = None
    parameters: list[TriggerParameter] | None = None
    tls: TLSConfig | None = None
    auth: NATSAuth | None = None


def check_nats_trigger(trigger: NATSTrigger, path: str, ctx: TriggerContext, problems: Problems) -> None:
    require(trigger.url, join_path(path, "url"), problems, "the NATS server URL, such as nats://127.0.0.1:4222")
    require(trigger.subject, join_path(path, "subject"), problems, "the subject to publish to")
    if trigger.payload is None:
        require(None, join_path(path, "payload"), problems, "the parameters that build the message body")
    check_parameters(trigger.payload, join_path(path, "payload"), ctx, problems)
    check_parameters(trigger.parameters, join_path(path, "parameters"), ctx, problems)
    check_tls(trigger.tls, join_path(path, "tls"), problems)
    check_nats_auth(trigger.auth, join_path(path, "auth"), problems)


register_trigger_type("nats", NATSTrigger, check_nats_trigger)
