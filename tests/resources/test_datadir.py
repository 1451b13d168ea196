from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pinnace.datadir import DataDir, DataDirError, resolve


def test_second_holder_is_told_who_holds_the_lock(tmp_path: Path) -> None:
    first = DataDir(tmp_path / "d")
    first.acquire()
    # flock is per open file description, so a second process is the honest test.
    code = (
        "import sys; from pathlib import Path; from pinnace.datadir import DataDir, DataDirError\n"
        f"try:\n DataDir(Path({str(tmp_path / 'd')!r})).acquire()\n"
        "except DataDirError as e:\n print(e); sys.exit(7)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 7
    assert "is in use by pinnace (pid" in proc.stdout
    first.release()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stdout


def test_unwritable_location_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DataDirError, match="cannot create data directory"):
        DataDir(blocker / "sub").create()


def test_resolve_prefers_flag_then_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PINNACE_DATA_DIR", str(tmp_path / "env"))
    assert resolve(str(tmp_path / "flag")) == tmp_path / "flag"
    assert resolve(None) == tmp_path / "env"
