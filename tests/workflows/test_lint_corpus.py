"""Every Workflow-family document in Argo's own examples is valid, or unsupported by name.

Never a schema error for a field Argo defines, never a crash. Examples that
``argo-workflows-examples.json`` marks as deliberately invalid must be reported.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from pinnace.resources import validate
from pinnace.resources.documents import read_paths

SHARED = Path(__file__).resolve().parents[3] / "shared"
EXAMPLES = SHARED / "corpus" / "argo-workflows" / "examples"
CATALOGUE = SHARED / "reference" / "argo-workflows-examples.json"
FAMILY = {"Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow"}




def _deliberately_invalid() -> set[str]:
    """Example files whose catalogue row says they are invalid on purpose."""
    rows = json.loads(CATALOGUE.read_text()) if CATALOGUE.is_file() else []
    return {row[0].split("#")[0] for row in rows if "invalid" in " ".join(map(str, row[3:])).lower()}


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason=f"Argo examples not found at {EXAMPLES}")
def test_every_workflow_example_is_valid_or_unsupported() -> None:
    invalid_on_purpose = _deliberately_invalid()
    counts: Counter[str] = Counter()
    unsupported: Counter[str] = Counter()
    rejected: list[str] = []
    missed: list[str] = []
    for doc in read_paths([str(EXAMPLES)]):
        assert doc.error is None, f"{doc.where}: {doc.error}"
        if not isinstance(doc.content, dict) or doc.content.get("kind") not in FAMILY:
            continue
        counts[doc.content["kind"]] += 1
        _, found = validate.validate_object(doc.content)
        relative = str(Path(doc.file).relative_to(EXAMPLES))
        errors = [p for p in found if p.severity == "error"]
        if relative in invalid_on_purpose:
            counts["invalid on purpose"] += 1
            if not errors:
                missed.append(relative)
        elif errors:
            rejected.extend(f"{doc.where} {doc.label}: {p}" for p in errors)
        elif found:
            counts["unsupported"] += 1
            unsupported.update(p.message for p in found)
        else:
            counts["valid"] += 1
    print(f"\nargo-workflows examples: {dict(counts)}")
    for message, n in unsupported.most_common():
        print(f"  {n:3d} x {message}")
    assert sum(counts[k] for k in FAMILY) > 200
    assert rejected == []
    assert missed == []
    assert all(m.startswith("template type '") and m.endswith("' is not supported by pinnace") for m in unsupported)
