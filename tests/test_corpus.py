"""Every YAML document in Argo's own examples loads: accepted, or reported unsupported by name.

A schema error for a field Argo defines, or a crash, fails this test. Kubernetes kinds that
pinnace does not serve (RBAC roles, service accounts) count as unsupported kinds.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from pinnace.resources.lint import lint_paths

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"Argo corpus not found at {CORPUS}")
def test_every_corpus_document_is_accepted_or_unsupported() -> None:
    report = lint_paths([str(CORPUS)])
    counts: Counter[str] = Counter()
    rejected: list[str] = []
    unsupported: Counter[str] = Counter()
    for rep in report.documents:
        if not rep.problems:
            counts["accepted"] += 1
        elif rep.unsupported:
            counts["unsupported"] += 1
            for p in rep.problems:
                unsupported[p.message] += 1
        else:
            counts["rejected"] += 1
            rejected.extend(
                f"{rep.document.where} {rep.document.label}: {p}" for p in rep.problems if p.severity == "error"
            )
    print(f"\ncorpus: {len(report.documents)} documents: {dict(counts)}")
    for message, n in unsupported.most_common():
        print(f"  {n:3d} x unsupported: {message}")
    assert len(report.documents) > 300
    assert rejected == []
