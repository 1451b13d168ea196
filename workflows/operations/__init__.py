"""User operations that rewrite a Workflow object: retry, resubmit, suspend, stop/terminate, ``-p``.

Pure functions on wire dicts, faithful to Argo's ``workflow/util/util.go`` (``FormulateRetryWorkflow``,
``FormulateResubmitWorkflow``, ``SuspendWorkflow``, ``patchShutdownStrategy``, ``overrideParameters``):
the caller reads the object, applies one of these, and writes the result back (or creates it, for
resubmit). Errors are ``OperationError`` carrying Argo's wording.
"""

from workflows.operations.halting import shutdown_workflow, suspend_workflow
from workflows.operations.parameters import override_parameters
from workflows.operations.resubmit import resubmit_workflow
from workflows.operations.retry import Retried, retry_workflow
from workflows.operations.selectors import SelectorTerm, node_fields, parse_field_selector, selector_matches
from workflows.operations.wire import (
    CREATOR_LABELS,
    DONE_PHASES,
    LABEL_ARCHIVING,
    LABEL_COMPLETED,
    LABEL_PHASE,
    LABEL_RESUBMITTED_FROM,
    Obj,
    OperationError,
    is_completed,
)

__all__ = [
    "CREATOR_LABELS",
    "DONE_PHASES",
    "LABEL_ARCHIVING",
    "LABEL_COMPLETED",
    "LABEL_PHASE",
    "LABEL_RESUBMITTED_FROM",
    "Obj",
    "OperationError",
    "Retried",
    "SelectorTerm",
    "is_completed",
    "node_fields",
    "override_parameters",
    "parse_field_selector",
    "resubmit_workflow",
    "retry_workflow",
    "selector_matches",
    "shutdown_workflow",
    "suspend_workflow",
]
