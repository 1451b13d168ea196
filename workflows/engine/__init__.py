"""The pure workflow engine: Workflow spec + status + pod observations → new status + actions."""

from workflows.engine.control import resume, set_output_parameter, set_shutdown
from workflows.engine.model import (
    KillRequest,
    Outcome,
    PodObservation,
    PodRequest,
    fnv32a,
    node_id,
    pod_name,
)
from workflows.engine.operator import operate
from workflows.engine.sync import SyncManager

__all__ = [
    "KillRequest",
    "Outcome",
    "PodObservation",
    "PodRequest",
    "SyncManager",
    "fnv32a",
    "node_id",
    "operate",
    "pod_name",
    "resume",
    "set_output_parameter",
    "set_shutdown",
]
