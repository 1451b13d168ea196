"""``pinnace validate`` as users run it: a real subprocess, exit codes, one line per problem."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pinnace", "validate", *args], capture_output=True, text=True, timeout=60
    )


def test_bundled_examples_are_valid() -> None:
    proc = run(str(EXAMPLES))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 invalid, 0 unsupported" in proc.stdout


def test_problem_line_names_file_document_kind_and_field(tmp_path: Path) -> None:
    f = tmp_path / "wf.yaml"
    f.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\ndata: {a: b}\n---\n"
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: hello-}\n"
        "spec:\n  entrypoint: main\n  templates:\n  - name: main\n    steps:\n    - - name: a\n"
        "        template: x\n"
    )
    proc = run(str(f))
    assert proc.returncode == 1
    assert f"{f}[doc 2] Workflow/hello-: spec.templates[0].steps[0][0].template: template 'x' is not defined" in (
        proc.stdout.splitlines()
    )


def test_yaml_syntax_error_has_line_and_column_and_no_traceback(tmp_path: Path) -> None:
    f = tmp_path / "broken.yaml"
    f.write_text("kind: Workflow\nmetadata:\n  name: [oops\nspec: {}\n")
    proc = run(str(f))
    assert proc.returncode == 1
    assert f"{f}[doc 1]: YAML syntax error at line" in proc.stdout
    assert "column" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_unknown_field_is_an_error(tmp_path: Path) -> None:
    f = tmp_path / "typo.yaml"
    f.write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: w}\n"
        "spec:\n  entryPoint: main\n  templates:\n  - name: main\n    container: {image: alpine}\n"
    )
    proc = run(str(f))
    assert proc.returncode == 1
    assert "Workflow/w: spec.entryPoint: unknown field 'entryPoint'" in proc.stdout


def test_hostile_documents_never_crash(tmp_path: Path) -> None:
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n")
    (tmp_path / "scalar.yaml").write_text("just a string\n")
    (tmp_path / "nokind.yaml").write_text("metadata: {name: x}\n")
    (tmp_path / "binary.yaml").write_bytes(b"\xff\xfe\x00kind")
    (tmp_path / "deep.yaml").write_text("a: " + "[" * 5000 + "]" * 5000 + "\n")
    (tmp_path / "unknownkind.yaml").write_text("apiVersion: x/v1\nkind: Gizmo\nmetadata: {name: g}\n")
    proc = run(str(tmp_path))
    assert proc.returncode == 1
    out = proc.stdout
    assert "Traceback" not in out + proc.stderr
    assert "a resource must be a mapping, got list" in out
    assert "a resource must be a mapping, got str" in out
    assert "kind: required field is missing" in out
    assert "cannot read file" in out
    assert "unsupported: kind 'Gizmo' is not supported" in out


def test_missing_path(tmp_path: Path) -> None:
    proc = run(str(tmp_path / "absent.yaml"))
    assert proc.returncode == 1
    assert "no such file or directory" in proc.stdout
