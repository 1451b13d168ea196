"""``/version`` and API discovery, generated from the kinds registry."""

from __future__ import annotations

import platform
from collections import defaultdict
from typing import Any

from pinnace import __version__
from pinnace.resources.kinds import KINDS, KindInfo

VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
STATUS_VERBS = ["get", "patch", "update"]


def version_info() -> dict[str, Any]:
    # Reported as a Kubernetes 1.31 API so kubectl accepts it without version-skew warnings.
    return {
        "major": "1", "minor": "31", "gitVersion": f"v1.31.0+pinnace-{__version__}",
        "gitCommit": "", "gitTreeState": "clean", "buildDate": "", "goVersion": "",
        "compiler": "python", "platform": f"{platform.system().lower()}/{platform.machine()}",
    }


def groups() -> dict[str, dict[str, list[KindInfo]]]:
    """group → version → kinds; the core group is ``""``."""
    out: dict[str, dict[str, list[KindInfo]]] = defaultdict(lambda: defaultdict(list))
    for info in KINDS.values():
        out[info.group][info.version].append(info)
    return out


def api_versions(server_address: str) -> dict[str, Any]:
    return {
        "kind": "APIVersions", "versions": sorted(groups().get("", {}).keys()) or ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    }


def api_group(name: str) -> dict[str, Any] | None:
    versions = groups().get(name)
    if not name or not versions:
        return None
    items = [{"groupVersion": f"{name}/{v}", "version": v} for v in sorted(versions)]
    return {"kind": "APIGroup", "apiVersion": "v1", "name": name, "versions": items, "preferredVersion": items[0]}


def api_group_list() -> dict[str, Any]:
    found = [api_group(name) for name in sorted(groups()) if name]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [g for g in found if g]}


def _resource(info: KindInfo) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": info.plural, "singularName": info.singular, "namespaced": info.namespaced,
        "kind": info.kind, "verbs": VERBS,
    }
    if info.short_names:
        entry["shortNames"] = list(info.short_names)
    if info.group == "argoproj.io":
        entry["categories"] = ["all", "argo"] if info.kind == "Workflow" else ["argo"]
    return entry


def resource_list(group: str, version: str) -> dict[str, Any] | None:
    kinds = groups().get(group, {}).get(version)
    if not kinds:
        return None
    resources: list[dict[str, Any]] = []
    for info in sorted(kinds, key=lambda k: k.plural):
        resources.append(_resource(info))
        resources.append({"name": f"{info.plural}/status", "singularName": "", "namespaced": info.namespaced,
                          "kind": info.kind, "verbs": STATUS_VERBS})
    gv = f"{group}/{version}" if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}


def find(group: str, version: str, plural: str) -> KindInfo | None:
    for info in KINDS.values():
        if info.group == group and info.version == version and info.plural == plural:
            return info
    return None
