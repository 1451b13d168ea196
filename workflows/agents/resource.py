"""Resource templates against the ResourceClient (``argoexec resource``: ``workflow/executor/resource.go``).

Actions get/create/apply/delete/replace/patch work on any kind the API knows. ``successCondition``
/ ``failureCondition`` are polled every ``interval`` seconds (Argo: 5 s); output parameters come
from ``valueFrom.jsonPath`` (kubectl jsonpath) or ``valueFrom.jqFilter`` (needs ``jq`` on the host).
A failure is reported as Argo's executor reports it: the pod's ``main`` container exits 1 with the
error as its termination message.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import shutil
from dataclasses import dataclass, field

import yaml

from pinnace.resources.client import Obj, ResourceClient
from pinnace.resources.errors import ApiError, NotFound
from pinnace.resources.patching import json_patch, merge_patch
from workflows.agents import selectors
from workflows.agents.kubepath import KubePathError, render_kube_jsonpath

ACTIONS = ("get", "create", "apply", "delete", "replace", "patch")
# kubectl flags whose effect the embedded actions already have.
_HARMLESS_FLAGS = frozenset({"--ignore-not-found", "--ignore-not-found=true"})


class ResourceError(Exception):
    pass


@dataclass
class ResourceResult:
    ok: bool
    message: str = ""
    parameters: dict[str, str] = field(default_factory=dict)


@dataclass
class Workflow:
    name: str
    namespace: str
    uid: str = ""


async def run_resource(tmpl: Obj, client: ResourceClient, wf: Workflow, interval: float = 1.0) -> ResourceResult:
    try:
        obj = await _act(tmpl, client, wf)
        if obj is None:
            return ResourceResult(True)
        spec = tmpl.get("resource") or {}
        obj = await _wait(spec, client, obj, interval)
        return ResourceResult(True, parameters=await _outputs(tmpl, obj))
    except (ResourceError, ApiError) as err:
        return ResourceResult(False, f"main: Error (exit code 1): {_message(err)}")


def _message(err: Exception) -> str:
    return err.message if isinstance(err, ApiError) else str(err)


def _manifest(spec: Obj, wf: Workflow) -> Obj:
    if spec.get("manifestFrom"):
        raise ResourceError(
            "resource.manifestFrom (artifacts) is not supported by the embedded engine; inline the manifest"
        )
    try:
        manifest = yaml.safe_load(str(spec.get("manifest") or ""))
    except yaml.YAMLError as err:
        raise ResourceError(f"resource.manifest is not valid YAML: {err}") from err
    if not isinstance(manifest, dict):
        raise ResourceError("Must provide at least one of flags or manifest.")
    meta = manifest.setdefault("metadata", {})
    if not manifest.get("kind") or not (meta.get("name") or meta.get("generateName")):
        raise ResourceError("Kind and name are both required but at least one of them is missing from the manifest")
    meta.setdefault("namespace", wf.namespace)
    if spec.get("setOwnerReference"):
        owner = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "name": wf.name, "uid": wf.uid}
        meta["ownerReferences"] = [
            *meta.get("ownerReferences", []),
            {**owner, "blockOwnerDeletion": True, "controller": True},
        ]
    return manifest


async def _act(tmpl: Obj, client: ResourceClient, wf: Workflow) -> Obj | None:
    spec = tmpl.get("resource") or {}
    action = str(spec.get("action", ""))
    if action not in ACTIONS:
        raise ResourceError(f"unknown resource action {action!r}; use one of {', '.join(ACTIONS)}")
    flags = [str(f) for f in spec.get("flags") or [] if str(f) not in _HARMLESS_FLAGS]
    if flags:
        raise ResourceError(
            f"resource.flags {flags} (extra kubectl arguments) are not supported by the embedded engine; "
            "express them in the manifest"
        )
    manifest = _manifest(spec, wf)
    kind, meta = str(manifest["kind"]), manifest["metadata"]
    name, ns = str(meta.get("name", "")), str(meta["namespace"])
    if action == "delete":
        if (
            spec.get("successCondition")
            or spec.get("failureCondition")
            or (tmpl.get("outputs") or {}).get("parameters")
        ):
            raise ResourceError("successCondition, failureCondition and outputs are not supported for delete action")
        with contextlib.suppress(NotFound):  # kubectl delete --ignore-not-found
            await client.delete(kind, name, ns)
        return None
    if action == "get":
        return await client.get(kind, name, ns)
    if action == "create":
        return await client.create(manifest, ns)
    if action == "patch":
        return await _patch(client, kind, name, ns, manifest, str(spec.get("mergeStrategy") or "strategic"))
    return await _apply_or_replace(client, manifest, kind, name, ns, action)


async def _apply_or_replace(client: ResourceClient, manifest: Obj, kind: str, name: str, ns: str, action: str) -> Obj:
    try:
        current = await client.get(kind, name, ns)
    except NotFound:
        if action == "replace":
            raise
        return await client.create(manifest, ns)
    new = merge_patch(copy.deepcopy(current), manifest) if action == "apply" else copy.deepcopy(manifest)
    new["metadata"]["resourceVersion"] = current["metadata"].get("resourceVersion")
    new.pop("status", None)
    return await client.update(new)


async def _patch(client: ResourceClient, kind: str, name: str, ns: str, manifest: Obj, strategy: str) -> Obj:
    body = {k: v for k, v in manifest.items() if k not in ("apiVersion", "kind")}
    body["metadata"] = {k: v for k, v in manifest["metadata"].items() if k not in ("name", "namespace")}
    if not body["metadata"]:
        body.pop("metadata")
    if strategy in ("merge", "strategic"):
        # Strategic merge is applied as a JSON merge patch: lists are replaced, not merged by key.
        return await client.patch(kind, name, body, ns)
    if strategy != "json":
        raise ResourceError(f"unknown mergeStrategy {strategy!r}; use strategic, merge or json")
    ops = manifest.get("patch") if isinstance(manifest.get("patch"), list) else None
    if ops is None:
        raise ResourceError("a json patch manifest must be a list of operations")
    current = await client.get(kind, name, ns)
    try:
        patched = json_patch(current, ops)
    except ApiError as err:
        raise ResourceError(err.message) from err
    return await client.update(patched)


async def _wait(spec: Obj, client: ResourceClient, obj: Obj, interval: float) -> Obj:
    success_text, failure_text = str(spec.get("successCondition") or ""), str(spec.get("failureCondition") or "")
    if not success_text and not failure_text:
        return obj
    success = _parse(success_text, "success")
    failure = _parse(failure_text, "fail")
    kind, meta = str(obj.get("kind", "")), obj.get("metadata") or {}
    while True:
        try:
            obj = await client.get(kind, str(meta.get("name", "")), meta.get("namespace"))
        except NotFound as err:
            gone = "The resource has been deleted while its status was still being checked. Will not be retried"
            raise ResourceError(f"{gone}: {err.message}") from err
        hit = selectors.failed_requirement(obj, failure)
        if hit is not None:
            raise ResourceError(f"failure condition '{hit}' evaluated true")
        if selectors.all_match(obj, success):
            return obj
        await asyncio.sleep(interval)


def _parse(text: str, what: str) -> list[selectors.Requirement]:
    if not text:
        return []
    try:
        return selectors.parse(text)
    except selectors.SelectorError as err:
        raise ResourceError(f"{what} condition '{text}' failed to parse: {err}") from err


async def _outputs(tmpl: Obj, obj: Obj) -> dict[str, str]:
    out: dict[str, str] = {}
    for p in (tmpl.get("outputs") or {}).get("parameters") or []:
        vf = p.get("valueFrom") or {}
        try:
            if vf.get("jsonPath"):
                out[p["name"]] = render_kube_jsonpath(str(vf["jsonPath"]), obj)
            elif vf.get("jqFilter"):
                out[p["name"]] = await _jq(str(vf["jqFilter"]), obj)
        except (KubePathError, ResourceError):
            if "default" not in vf:
                raise
            out[p["name"]] = str(vf["default"])
    return out


async def _jq(program: str, obj: Obj) -> str:
    jq = shutil.which("jq")
    if jq is None:
        raise ResourceError("valueFrom.jqFilter needs the jq program, which is not installed on this host")
    proc = await asyncio.create_subprocess_exec(
        jq,
        "-rc",
        program,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await proc.communicate(json.dumps(obj).encode())
    if proc.returncode != 0:
        raise ResourceError(f"jq {program!r}: {stderr.decode(errors='replace').strip()}")
    return stdout.decode(errors="replace")
