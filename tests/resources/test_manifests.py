"""The CRDs in manifests/ are generated from the models: this fails when they drift."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from pinnace.deploy.render import render_all
from pinnace.resources.kinds import KINDS, ensure_loaded

MANIFESTS = Path(__file__).resolve().parents[2] / "manifests"


def test_committed_manifests_match_the_models() -> None:
    for name, text in render_all().items():
        committed = (MANIFESTS / name).read_text(encoding="utf-8")
        assert committed == text, f"manifests/{name} is stale: run `pinnace manifests --out manifests`"


def _walk(schema: Any, path: str = "") -> list[str]:
    """Paths that break Kubernetes' structural-schema rules."""
    bad: list[str] = []
    if isinstance(schema, dict):
        for key in ("$ref", "anyOf", "oneOf", "allOf"):
            if key in schema:
                bad.append(f"{path}: {key}")
        if not {"type", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string"} & schema.keys():
            bad.append(f"{path}: no type")
        for key, sub in schema.get("properties", {}).items():
            bad.extend(_walk(sub, f"{path}.{key}"))
        if isinstance(schema.get("items"), dict):
            bad.extend(_walk(schema["items"], f"{path}[]"))
        if isinstance(schema.get("additionalProperties"), dict):
            bad.extend(_walk(schema["additionalProperties"], f"{path}{{}}"))
    return bad


def test_crds_are_structural_and_cover_every_argo_kind() -> None:
    crds = list(yaml.safe_load_all(render_all()["crds.yaml"]))
    ensure_loaded()
    argo = {i.kind for i in KINDS.values() if i.group == "argoproj.io"}
    assert {c["spec"]["names"]["kind"] for c in crds} == argo
    for c in crds:
        schema = c["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
        assert _walk(schema) == [], c["metadata"]["name"]
    wf = next(c for c in crds if c["spec"]["names"]["kind"] == "Workflow")
    assert wf["spec"]["names"]["shortNames"] == ["wf"]
    tmpl = wf["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["templates"]
    assert "container" in tmpl["items"]["properties"]
