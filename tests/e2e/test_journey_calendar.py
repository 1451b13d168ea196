"""Journey 2: a calendar source starts a workflow every second; across a crash no tick is doubled,
and with catch-up on the ticks missed while pinnace was down are run after the restart."""

from __future__ import annotations

import itertools
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import specs
from tests.e2e.harness import UpProcess, output_param, up, wait_for

GO_TIME = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?:\.(\d{1,9}))? \+0000 UTC$")


def parse_go_time(text: str) -> datetime:
    """Go's ``time.Time.String()`` in UTC, as Argo's calendar ``eventTime``."""
    m = GO_TIME.match(text)
    assert m, f"eventTime {text!r} is not Go's time format"
    base = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    return base + timedelta(microseconds=int((m.group(2) or "0").ljust(9, "0")[:6]))


def calendar_files(tmp_path: Path, catchup: bool) -> Path:
    source: dict[str, Any] = {"interval": "1s"}
    if catchup:
        source["persistence"] = {"catchup": {"enabled": True, "maxDuration": "5m"}}
    wf = specs.one_step_workflow("tick-", ["tick"])
    return specs.write(tmp_path / "in" / "calendar.yaml",
                       specs.event_source("clock", "calendar", "every-second", source),
                       specs.sensor("on-tick", "clock", "every-second", wf, [("eventTime", 0)]))


def ticks(proc: UpProcess) -> list[str]:
    return [str(w["spec"]["arguments"]["parameters"][0]["value"]) for w in proc.workflows()
            if str(w["metadata"]["name"]).startswith("tick-")]


def wait_ticks(proc: UpProcess, count: int) -> list[str]:
    return wait_for(lambda: ((t := ticks(proc)) and len(t) >= count and t) or None, 30, what=f"{count} ticks")


@pytest.mark.parametrize("catchup", [True, False], ids=["catchup", "no-catchup"])
def test_calendar_ticks_every_second_and_survives_a_crash(tmp_path: Path, catchup: bool) -> None:
    data = tmp_path / "data"
    files = calendar_files(tmp_path, catchup)
    with up(data, files) as proc:
        before = wait_ticks(proc, 3)
        # A real crash: SIGKILL of the whole tree, mid-schedule.
        proc.kill()
        down = 3.0
        time.sleep(down)
        restarted_at = datetime.now(UTC)
        proc.start()
        wait_for(lambda: any(parse_go_time(t) > restarted_at + timedelta(seconds=1) for t in ticks(proc)) or None,
                 30, what="ticks after the restart")
        all_ticks = ticks(proc)
        # Each tick starts exactly one workflow and each workflow sees its own tick. A workflow
        # started after the restart: one that was running at the SIGKILL ends in Error (pod deleted,
        # as on Argo) and has no outputs to compare.
        one = next(w for w in proc.workflows() if str(w["metadata"]["name"]).startswith("tick-")
                   and parse_go_time(str(w["spec"]["arguments"]["parameters"][0]["value"]))
                   > restarted_at + timedelta(seconds=1))
        done = proc.wait_done(str(one["metadata"]["name"]))
        seen = specs.argv_of(output_param(done, "run", "argv"))["argv"]
        assert seen == [one["spec"]["arguments"]["parameters"][0]["value"]]

    assert len(before) >= 3
    assert len(all_ticks) == len(set(all_ticks)), f"a tick was doubled: {sorted(all_ticks)}"
    times = sorted(parse_go_time(t) for t in all_ticks)
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    if catchup:
        # Ticks form one unbroken one-second sequence across the downtime: the missed ones were run.
        assert all(abs(g - 1.0) < 0.01 for g in gaps), f"gaps between ticks: {gaps}"
        missed = [t for t in times if times[0] < t < restarted_at - timedelta(seconds=0.5)
                  and t > parse_go_time(max(before))]
        assert len(missed) >= 2, f"no caught-up ticks from the {down}s downtime: {times}"
    else:
        # Without persistence the schedule restarts from now: the downtime is a hole, nothing doubled.
        assert max(gaps) >= down - 0.5, f"expected a hole of ~{down}s, gaps: {gaps}"
        assert all(g >= 0.99 for g in gaps), f"ticks closer than the interval: {gaps}"
