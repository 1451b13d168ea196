"""Conformance: every Argo example the reference marks runnable locally (RL, RL+) ends in its expected phase.

Default run: all but the minutes-long ones, concurrently through one Controller.
Slow ones: ``pytest -m slow tests/workflows/conformance``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from conformance_examples import SLOW, Example, runnable
from conformance_runner import run_examples

# Features of the first wave's engine that are not there yet; these examples are expected to fail.
NOT_YET: dict[str, list[str]] = {}
_REASON = {f: reason for reason, files in NOT_YET.items() for f in files}


def _param(e: Example) -> Any:
    marks = []
    if e.file in _REASON:
        marks.append(pytest.mark.xfail(reason=f"not implemented yet: {_REASON[e.file]}", strict=False))
    return pytest.param(e, id=f"{e.category}:{e.file}", marks=marks)


FAST = [e for e in runnable() if e.file not in SLOW]
SLOWS = [e for e in runnable() if e.file in SLOW]


@pytest.fixture(scope="module")
def fast_results(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, dict[str, Any]]:
    data = tmp_path_factory.mktemp("conformance")
    return asyncio.run(run_examples([e.path for e in FAST], data, timeout=90))


def _check(example: Example, wf: dict[str, Any]) -> None:
    status = wf.get("status") or {}
    assert status.get("phase") in example.expected, (
        f"{example.file}: {status.get('phase')} ({status.get('message', '')}), expected {example.expected}"
    )


@pytest.mark.parametrize("example", [_param(e) for e in FAST])
def test_example(example: Example, fast_results: dict[Path, dict[str, Any]]) -> None:
    _check(example, fast_results[example.path])


@pytest.mark.slow
@pytest.mark.parametrize("example", [_param(e) for e in SLOWS])
def test_slow_example(example: Example, tmp_path: Path) -> None:
    results = asyncio.run(run_examples([example.path], tmp_path, timeout=1200))
    _check(example, results[example.path])
