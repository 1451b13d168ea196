"""CustomResourceDefinitions for every argoproj.io kind in the registry, from its model."""

from __future__ import annotations

from typing import Any

from pinnace.deploy.schema import PRESERVE, structural
from pinnace.resources.kinds import KINDS, KindInfo, ensure_loaded

Obj = dict[str, Any]


def _schema(info: KindInfo) -> Obj:
    full = info.model.model_json_schema(by_alias=True)
    schema = structural(full)
    props = schema.setdefault("properties", {})
    # The API server fills metadata; status is written by controllers, not users.
    props["metadata"] = {"type": "object"}
    props["status"] = {"type": "object", **PRESERVE}
    props.setdefault("apiVersion", {"type": "string"})
    props.setdefault("kind", {"type": "string"})
    schema.pop("required", None)
    schema["required"] = [r for r in ("spec",) if r in props]
    return schema


def crd(info: KindInfo) -> Obj:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{info.plural}.{info.group}"},
        "spec": {
            "group": info.group,
            "names": {
                "kind": info.kind,
                "listKind": f"{info.kind}List",
                "plural": info.plural,
                "singular": info.singular,
                "shortNames": list(info.short_names),
            },
            "scope": "Namespaced" if info.namespaced else "Cluster",
            "versions": [
                {
                    "name": info.version,
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": _schema(info)},
                    "subresources": {"status": {}},
                }
            ],
        },
    }


def all_crds() -> list[Obj]:
    ensure_loaded()
    return [crd(info) for _, info in sorted(KINDS.items()) if info.group == "argoproj.io"]
