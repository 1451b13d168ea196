"""Bad input across the product: hostile YAML, hostile event payloads, oversized results, huge logs."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e import specs
from tests.e2e.harness import UpProcess, free_port, http, node_outputs, output_param, pinnace, up, wait_for

# --- hostile YAML ----------------------------------------------------------------------------

MARKER_DIR = Path("/var/tmp")  # outside /tmp: pods get a private /tmp, a marker there would hide


def hostile_yaml(marker: Path) -> dict[str, str]:
    """name -> file text; none of these may crash, hang or execute anything."""
    laughs = ['lol0: &l0 "lol"'] + [f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 10)]
    deep = "a: " + "[" * 5000 + "]" * 5000
    workflow = ("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: x-}\n"
                "spec:\n  entrypoint: main\n  templates:\n  - name: main\n    container: {image: a, command: [echo]}\n")
    return {
        "unclosed.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec: {entrypoint: [main\n",
        "tabs.yaml": "kind: Workflow\n\tspec: 1\n",
        "python-tag.yaml": f"!!python/object/apply:os.system ['touch {marker}']\n",
        "python-tag-nested.yaml": workflow.replace("generateName: x-",
                                                   f"generateName: !!python/object/apply:os.system ['touch {marker}']"),
        "billion-laughs.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: lol}\nspec:\n  "
                               + "\n  ".join(laughs) + "\n",
        "deep.yaml": deep,
        "scalar.yaml": "just a string\n",
        "list.yaml": "- 1\n- 2\n",
        "no-kind.yaml": "apiVersion: argoproj.io/v1alpha1\nmetadata: {name: x}\n",
        "unknown-kind.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Rocket\nmetadata: {name: x}\n",
        "wrong-types.yaml": workflow.replace("entrypoint: main", "entrypoint: {a: 1}"),
        "unknown-field.yaml": workflow + "  bogusField: 1\n",
        "binary.yaml": "\x00\x01\x02\xff garbage",
        "huge-name.yaml": workflow.replace("generateName: x-", "name: " + "a" * 100_000),
        "duplicate-keys.yaml": workflow + "spec: {}\n",
        "bad-unicode.yaml": "kind: Workflow\nmetadata: {name: \"\\udc80\"}\n",
    }


def write_hostile(tmp_path: Path) -> tuple[dict[str, Path], Path]:
    marker = MARKER_DIR / f"pinnace-e2e-pwned-{uuid.uuid4().hex}"
    out = {}
    for name, text in hostile_yaml(marker).items():
        path = tmp_path / "hostile" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
        out[name] = path
    return out, marker


def limited_pinnace(*args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    """The CLI under a 2 GiB address-space limit, so a YAML bomb cannot take the machine down."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
    return subprocess.run([sys.executable, "-m", "pinnace", *args], capture_output=True, text=True,
                          encoding="utf-8", errors="replace", timeout=timeout, preexec_fn=limit)


@pytest.mark.parametrize("name", sorted(hostile_yaml(Path("/m"))))
def test_validate_rejects_hostile_yaml_cleanly(tmp_path: Path, name: str) -> None:
    files, marker = write_hostile(tmp_path)
    started = time.monotonic()
    proc = limited_pinnace("validate", str(files[name]))
    took = time.monotonic() - started
    assert proc.returncode == 1, (proc.returncode, proc.stdout[-500:], proc.stderr[-500:])
    assert "Traceback" not in proc.stderr + proc.stdout
    assert str(files[name]) in proc.stdout + proc.stderr, "the problem line must name the file"
    assert not marker.exists(), "a YAML tag executed code"
    assert took < 30


def test_apply_refuses_hostile_yaml_and_the_server_stays_healthy(tmp_path: Path) -> None:
    files, marker = write_hostile(tmp_path)
    with up(tmp_path / "data") as proc:
        before = {w["metadata"]["name"] for w in proc.workflows()}
        for name, path in sorted(files.items()):
            res = limited_pinnace("apply", "-f", str(path), "--data-dir", str(proc.data_dir))
            assert res.returncode != 0, f"{name}: apply accepted it: {res.stdout}"
            assert "Traceback" not in res.stderr + res.stdout, f"{name}: {res.stderr[-800:]}"
        assert not marker.exists()
        assert http("GET", proc.api + "/healthz")[0] == 200
        assert {w["metadata"]["name"] for w in proc.workflows()} == before
        assert proc.alive()


# --- hostile event payloads ------------------------------------------------------------------


def hostile_values(markers: list[Path]) -> list[str]:
    m1, m2, m3, m4 = (str(m) for m in markers)
    return [
        f"$(touch {m1})",
        f"; touch {m2} #",
        f"`touch {m3}`",
        f"a' && touch {m4} && echo '",
        "| cat /etc/passwd > /dev/null\n&& rm -rf / --no-preserve-root",
        "quotes \" ' \\ \\\" \\\\ and newlines\nline2\r\n\ttab",
        "ünïcödé ✓ 日本語 עברית 🚀 \u202e reversed \u200b zero-width",
        "{\"looks\": [\"like\", \"json\"]}",
        "-rf",
        "--help",
        "x" * 100_000,  # huge, but under Linux's 128 KiB limit for one argv string
    ]


def test_hostile_payload_values_reach_argv_verbatim_and_never_execute(tmp_path: Path) -> None:
    port = free_port()
    markers = [MARKER_DIR / f"pinnace-e2e-pwned-{uuid.uuid4().hex}" for _ in range(4)]
    values = hostile_values(markers)
    wf = specs.one_step_workflow("hostile-", ["value"])
    files = specs.write(tmp_path / "in" / "hostile.yaml", specs.plain_webhook("hook", port),
                        specs.sensor("hostile", "hook", "hook", wf, [("body.value", 0)]))
    with up(tmp_path / "data", files, wait_ports=(port,)) as proc:
        for i, value in enumerate(values):
            body = json.dumps({"value": value}).encode()
            status, text = http("POST", f"http://127.0.0.1:{port}/hook", body,
                                {"Content-Type": "application/json", "X-Idempotency-Key": f"hostile-{i}"})
            assert status == 200, (i, status, text[:200])

        def created() -> list[dict[str, Any]] | None:
            wfs = [w for w in proc.workflows() if str(w["metadata"]["name"]).startswith("hostile-")]
            return wfs if len(wfs) >= len(values) else None
        wfs = wait_for(created, 60, what="one workflow per hostile event")
        got: dict[str, dict[str, Any]] = {}
        for w in wfs:
            done = proc.wait_done(str(w["metadata"]["name"]))
            assert done["status"]["phase"] == "Succeeded", (w["spec"]["arguments"], done["status"].get("message"))
            seen = specs.argv_of(output_param(done, "run", "argv"))
            got[str(w["spec"]["arguments"]["parameters"][0]["value"])] = seen
        for value in values:
            assert value in got, f"payload value did not reach the workflow parameter verbatim: {value[:80]!r}"
            assert got[value]["argv"] == [value], f"argv differs for {value[:80]!r}: {got[value]['argv']!r:.200}"
            assert got[value]["env"] == value
        for m in markers:
            assert not m.exists(), f"a payload value was executed: {m} exists"
            assert not list(proc.data_dir.rglob(m.name)), "a payload value was executed inside a pod's private /tmp"


# --- oversized results and huge logs ---------------------------------------------------------


def apply_workflow(proc: UpProcess, tmp_path: Path, name: str, template: dict[str, Any]) -> dict[str, Any]:
    doc = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"name": name},
           "spec": {"entrypoint": "main", "templates": [template]}}
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc))
    res = proc.cli("apply", "-f", str(path))
    assert res.returncode == 0, res.stderr
    return proc.wait_done(name, timeout=300)


def test_oversized_result_is_truncated_to_its_tail(tmp_path: Path) -> None:
    big = 3 * 1024 * 1024
    code = f"import sys; sys.stdout.write('a' * {big} + 'THE-END\\n')"
    with up(tmp_path / "data") as proc:
        wf = apply_workflow(proc, tmp_path, "big-result",
                            {"name": "main", "script": {"image": "python:3", "command": ["python3"], "source": code}})
        assert wf["status"]["phase"] == "Succeeded", wf["status"].get("message")
        result = str(node_outputs(wf, "big-result").get("result", ""))
        assert result.endswith("THE-END"), result[-50:]
        assert len(result.encode()) <= 256 * 1024, len(result)
        # A huge output parameter file must not wedge the engine or the API either.
        wf2 = apply_workflow(proc, tmp_path, "big-param", {
            "name": "main",
            "container": {"image": "python:3", "command": ["python3", "-c",
                                                           f"open('/tmp/p', 'w').write('b' * {big})"]},
            "outputs": {"parameters": [{"name": "p", "valueFrom": {"path": "/tmp/p"}}]},
        })
        assert wf2["status"]["phase"] in ("Succeeded", "Failed", "Error")
        assert http("GET", proc.api + "/healthz")[0] == 200
        assert len(json.dumps(wf2).encode()) < 8 * 1024 * 1024


@pytest.mark.slow
def test_a_workflow_printing_100_mb_of_logs(tmp_path: Path) -> None:
    code = ("import sys\nline = 'x' * 1023 + '\\n'\nw = sys.stdout.write\n"
            "for _ in range(100 * 1024):\n    w(line)\n")
    with up(tmp_path / "data") as proc:
        base = sum(proc.rss().values())
        wf = apply_workflow(proc, tmp_path, "loud",
                            {"name": "main", "script": {"image": "python:3", "command": ["python3"], "source": code}})
        assert wf["status"]["phase"] == "Succeeded", wf["status"].get("message")
        grew_mib = (sum(proc.rss().values()) - base) / 1024
        assert grew_mib < 300, f"pinnace's memory grew {grew_mib:.0f} MiB while capturing 100 MB of logs"
        help_text = pinnace("--help").stdout
        if " logs " in help_text or "\n    logs" in help_text:
            res = subprocess.run([sys.executable, "-m", "pinnace", "logs", "loud", "--data-dir", str(proc.data_dir)],
                                 capture_output=True, timeout=300)
            assert res.returncode == 0
            assert res.stdout.count(b"x" * 1023) >= 100 * 1024
