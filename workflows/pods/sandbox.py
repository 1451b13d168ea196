"""Each pod's private ``/tmp``: a mount namespace when the host allows one, else ``TMPDIR``.

With a namespace the pod's own directory is bind-mounted over ``/tmp`` inside it, so parallel pods
writing ``/tmp/num`` never collide and an output parameter ``valueFrom.path: /tmp/x`` is read from
``<pod>/tmp/x`` afterwards. Without one, pods share the host ``/tmp`` (``TMPDIR`` still points to
a private directory, and ``/tmp/...`` output paths are read from the private directory first).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

# Fixed scripts; directories and argv arrive as positional parameters, never interpolated.
_ENTER = 'mount --bind "$0" /tmp && exec "$@"'
# When the data directory itself lives under /tmp, it is re-bound inside the private /tmp at the
# same path (``$1`` is its path below /tmp) so scripts, logs and PATH entries stay reachable.
_ENTER_NESTED = 'mkdir -p "$0/$1" && mount --bind "/tmp/$1" "$0/$1" && mount --rbind "$0" /tmp && shift && exec "$@"'


class Sandbox:
    def __init__(self, enabled: bool | None = None) -> None:
        self.unshare = shutil.which("unshare")
        self.enabled = self._probe() if enabled is None else (enabled and self._probe())
        if not self.enabled:
            log.warning(
                "private /tmp per pod is unavailable on this host (no mount namespace); "
                "pods share /tmp and get a private TMPDIR instead"
            )

    def _probe(self) -> bool:
        if not self.unshare or not shutil.which("mount"):
            return False
        with tempfile.TemporaryDirectory() as tmp:
            marker = Path(tmp) / "probe"
            marker.write_text("ok")
            try:
                out = subprocess.run(
                    [*self._prefix(), "sh", "-c", _ENTER, tmp, "cat", "/tmp/probe"],
                    capture_output=True,
                    timeout=5,
                    check=False,
                )
            except (OSError, subprocess.SubprocessError):
                return False
            return out.returncode == 0 and out.stdout.strip() == b"ok"

    def _prefix(self) -> list[str]:
        assert self.unshare is not None
        return [self.unshare, "--mount", "--propagation", "private", "--"]

    def wrap(self, argv: list[str], tmp_dir: Path, data_dir: Path | None = None) -> list[str]:
        if not self.enabled:
            return argv
        if data_dir is not None:
            resolved = data_dir.resolve()
            if resolved.is_relative_to("/tmp"):
                rel = str(resolved.relative_to("/tmp"))
                return [*self._prefix(), "sh", "-c", _ENTER_NESTED, str(tmp_dir), rel, *argv]
        return [*self._prefix(), "sh", "-c", _ENTER, str(tmp_dir), *argv]

    def host_path(self, path: str, tmp_dir: Path, work_dir: Path) -> Path:
        """Where a path the pod wrote is visible from the host."""
        if path == "/tmp" or path.startswith("/tmp/"):
            private = tmp_dir / path[len("/tmp") :].lstrip("/")
            if self.enabled or private.exists():
                return private
        p = Path(path)
        return p if p.is_absolute() else work_dir / p
