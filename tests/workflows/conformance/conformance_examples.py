"""Which Argo examples the conformance suite runs, and what each must end as."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

REFERENCE = Path("/work/shared/reference/argo-workflows-examples.json")
CORPUS = Path("/work/shared/corpus/argo-workflows/examples")

# Examples whose pods sleep for tens of seconds or minutes: run with ``pytest -m slow``.
SLOW = {
    "colored-logs.yaml",
    "forever.yaml",
    "parallelism-limit.yaml",
    "parallelism-nested-dag.yaml",
    "parallelism-nested-workflow.yaml",
    "parallelism-nested.yaml",
    "loops-param-result.yaml",
    "retry-backoff.yaml",
    "retry-container-to-completion.yaml",
    "dag-task-level-timeout.yaml",
    "step-level-timeout.yaml",
    "timeouts-step.yaml",
    "timeouts-workflow.yaml",
    "default-pdb-support.yaml",
    "dag-disable-failFast.yaml",
    "gc-ttl.yaml",
    "cron-when.yaml",
    "synchronization-mutex-tmpl-level.yaml",
    "dag-coinflip.yaml",
    "suspend-template.yaml",
    "parallelism-template-limit.yaml",
}


@dataclass(frozen=True)
class Example:
    file: str
    category: str
    expected: tuple[str, ...]
    note: str

    @property
    def path(self) -> Path:
        return CORPUS / self.file.split("#", 1)[0]


def _expected(text: str) -> tuple[str, ...]:
    # "Succeeded (p≈0.965)": random steps whose retries usually, not always, win; on Argo too the
    # workflow fails the rest of the time, so either phase is correct.
    if text.startswith("random") or "(p≈" in text:
        return ("Succeeded", "Failed")
    if text.startswith("Succeeded"):
        return ("Succeeded",)
    return (text.split()[0],)


def runnable() -> list[Example]:
    rows = json.loads(REFERENCE.read_text())
    out = []
    for file, kind, _label, _features, category, expected, note in rows:
        if (category in ("RL", "RL+") and kind in ("Workflow", "WF")) or (
            category in ("RL", "RL+") and "#" not in file and kind.startswith("Workflow")
        ):
            out.append(Example(file, category, _expected(expected), note))
    return out
