"""The registry of event source types: spec key -> strict model and semantic check.

Each implemented type module registers itself here; ``eventsource.py`` builds the
``EventSourceSpec`` fields from this dict. Every other type key Argo defines is listed in
``ARGO_ONLY_TYPES``: such entries are parsed as opaque mappings and reported unsupported.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pinnace.resources.base import Problems
from pinnace.resources.registry import SpecType, SpecTypes

# Receives the whole ``{event name: model}`` map of one type, so a type can check across its
# events (two webhooks on one port and endpoint), and the path ``spec.<type>``.
SourceCheck = Callable[[dict[str, Any], str, Problems], None]
SourceType = SpecType[SourceCheck]

# The remaining keys of Argo's EventSourceSpec (pkg/apis/events/v1alpha1/eventsource_types.go).
ARGO_ONLY_TYPES: tuple[str, ...] = (
    "minio",
    "resource",
    "sns",
    "sqs",
    "pubSub",
    "github",
    "gitlab",
    "hdfs",
    "slack",
    "storageGrid",
    "azureEventsHub",
    "stripe",
    "emitter",
    "nsq",
    "pulsar",
    "generic",
    "bitbucketserver",
    "bitbucket",
    "azureServiceBus",
    "azureQueueStorage",
    "sftp",
    "gerrit",
    "mns",
)

SOURCE_TYPES: SpecTypes[SourceCheck] = SpecTypes("event source type", ARGO_ONLY_TYPES)
register_source_type = SOURCE_TYPES.register
