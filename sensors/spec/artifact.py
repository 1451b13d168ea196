"""Where a workflow or Kubernetes trigger reads its resource from (``ArtifactLocation``)."""

from __future__ import annotations

from typing import Any

from eventsources.spec.common import ConfigMapKeySelector, EventsModel
from pinnace.resources.base import Problems, join_path

IMPLEMENTED_LOCATIONS = ("resource", "inline", "file", "url", "configmap")
ARGO_ONLY_LOCATIONS = ("s3", "git")


class FileArtifact(EventsModel):
    path: str = ""


class URLArtifact(EventsModel):
    path: str = ""
    verify_cert: bool | None = None


class ConfigMapSource(ConfigMapKeySelector):
    # Argo Events before v1.0 read the ConfigMap from ``namespace``; old manifests still carry it.
    namespace: str | None = None


class ArtifactLocation(EventsModel):
    # s3 and git are Argo's too; pinnace does not fetch from them, so they stay opaque.
    s3: dict[str, Any] | None = None
    inline: str | None = None
    file: FileArtifact | None = None
    url: URLArtifact | None = None
    configmap: ConfigMapSource | None = None
    git: dict[str, Any] | None = None
    resource: dict[str, Any] | None = None


def check_artifact(source: ArtifactLocation | None, path: str, what: str, problems: Problems) -> None:
    if source is None:
        problems.error(path, f"{what} needs a source: one of {', '.join(IMPLEMENTED_LOCATIONS)}")
        return
    given = [key for key in (*IMPLEMENTED_LOCATIONS, *ARGO_ONLY_LOCATIONS) if getattr(source, key) is not None]
    if not given:
        problems.error(path, f"the source names no location: give one of {', '.join(IMPLEMENTED_LOCATIONS)}")
    elif len(given) > 1:
        problems.error(path, f"the source names {' and '.join(given)}: give exactly one location")
    for key in given:
        if key in ARGO_ONLY_LOCATIONS:
            problems.unsupported(join_path(path, key), f"trigger source {key!r} is not supported by pinnace")
    if source.file is not None and not source.file.path:
        problems.error(join_path(path, "file", "path"), "required field is missing: the file holding the resource")
    if source.url is not None and not source.url.path:
        problems.error(join_path(path, "url", "path"), "required field is missing: the URL of the resource")
    if source.resource is not None and not source.resource:
        problems.error(join_path(path, "resource"), "the resource is empty: give the object to create")
