"""Every CronWorkflow in Argo's examples schedules, and the Workflow each tick creates is valid."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pinnace.resources.documents import read_paths
from pinnace.resources.validate import validate_object
from workflows.cron.core import CronView, check, plan_tick
from workflows.cron.schedule import next_due

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "argo-workflows" / "examples"
UTC = dt.UTC
NOW = dt.datetime(2024, 1, 1, 11, 59, 30, tzinfo=UTC)


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"Argo corpus not found at {CORPUS}")
def test_corpus_cron_workflows_plan_valid_children() -> None:
    crons = [d for d in read_paths([str(CORPUS)])
             if isinstance(d.content, dict) and d.content.get("kind") == "CronWorkflow"]
    assert len(crons) >= 5
    for doc in crons:
        obj = dict(doc.content)
        obj["metadata"] = {**obj["metadata"], "namespace": "argo", "uid": "u1",
                           "creationTimestamp": "2024-01-01T00:00:00Z"}
        view = CronView.of(obj)
        plan = check(view, UTC)
        due = next_due(plan.schedules, NOW)
        assert due is not None and due > NOW, doc.where
        tick = plan_tick(view, due, due, UTC)
        assert tick.submit is not None, (doc.where, tick.reason)
        _, problems = validate_object(tick.submit)
        assert [p for p in problems if p.severity == "error"] == [], doc.where
