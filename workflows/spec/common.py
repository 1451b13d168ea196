"""Shared pieces of the Workflow spec: parameters, artifacts, retries, hooks, synchronization.

Field names follow ``pkg/apis/workflow/v1alpha1/workflow_types.go`` (argo-workflows v4). Storage
locations of artifacts (s3, gcs, git, ...) are carried as plain mappings: pinnace does not talk to
those stores, and Argo's own schema for them changes between releases.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StrictInt

from pinnace.resources.base import ArgoModel, any_string

AnyStr = Annotated[str, BeforeValidator(any_string)]
"""Argo's ``AnyString``: YAML numbers and booleans become their text."""

IntOrString = StrictInt | str
"""Kubernetes ``IntOrString``: ``3`` and ``"3"`` (or ``"{{inputs.parameters.n}}"``) are both valid."""

Item = Any
"""A ``withItems`` entry: string, number, bool, list or map."""

Mapping = dict[str, Any]
"""A Kubernetes sub-object we carry without interpreting (volumes, affinity, probes, ...)."""


class ConfigMapKeySelector(ArgoModel):
    key: str
    name: str | None = None
    optional: bool | None = None


class SecretKeySelector(ArgoModel):
    key: str
    name: str | None = None
    optional: bool | None = None


class ValueFrom(ArgoModel):
    config_map_key_ref: ConfigMapKeySelector | None = None
    default: AnyStr | None = None
    event: str | None = None
    expression: str | None = None
    jq_filter: str | None = None
    json_path: str | None = None
    parameter: str | None = None
    path: str | None = None
    supplied: dict[str, Any] | None = None


class Parameter(ArgoModel):
    name: str
    value: AnyStr | None = None
    default: AnyStr | None = None
    value_from: ValueFrom | None = None
    global_name: str | None = None
    enum: list[AnyStr] | None = None
    description: AnyStr | None = None


class ArtifactGC(ArgoModel):
    strategy: str | None = None
    pod_metadata: Metadata | None = None
    service_account_name: str | None = None


class Artifact(ArgoModel):
    """An input/output artifact; the storage location keys are kept as mappings."""

    name: str
    path: str | None = None
    mode: int | None = None
    from_: str | None = Field(default=None, alias="from")
    from_expression: str | None = None
    sub_path: str | None = None
    optional: bool | None = None
    global_name: str | None = None
    archive: Mapping | None = None
    archive_logs: bool | None = None
    artifact_gc: ArtifactGC | None = Field(default=None, alias="artifactGC")
    deleted: bool | None = None
    recurse_mode: bool | None = None
    artifactory: Mapping | None = None
    azure: Mapping | None = None
    gcs: Mapping | None = None
    git: Mapping | None = None
    hdfs: Mapping | None = None
    http: Mapping | None = None
    oss: Mapping | None = None
    plugin: Mapping | None = None
    raw: Mapping | None = None
    s3: Mapping | None = None


class Arguments(ArgoModel):
    parameters: list[Parameter] | None = None
    artifacts: list[Artifact] | None = None


class Inputs(ArgoModel):
    parameters: list[Parameter] | None = None
    artifacts: list[Artifact] | None = None


class Outputs(ArgoModel):
    parameters: list[Parameter] | None = None
    artifacts: list[Artifact] | None = None
    result: str | None = None
    exit_code: str | None = None


class Metadata(ArgoModel):
    """Pod metadata a template adds (labels/annotations)."""

    annotations: dict[str, AnyStr] | None = None
    labels: dict[str, AnyStr] | None = None


class Backoff(ArgoModel):
    duration: IntOrString | None = None
    factor: IntOrString | None = None
    cap: IntOrString | None = None
    max_duration: IntOrString | None = None


class RetryStrategy(ArgoModel):
    limit: IntOrString | None = None
    retry_policy: str | None = None
    expression: str | None = None
    backoff: Backoff | None = None
    affinity: Mapping | None = None


class ContinueOn(ArgoModel):
    error: bool | None = None
    failed: bool | None = None


class SyncDatabaseRef(ArgoModel):
    key: str


class SemaphoreRef(ArgoModel):
    config_map_key_ref: ConfigMapKeySelector | None = None
    database: SyncDatabaseRef | None = None
    namespace: str | None = None


class Mutex(ArgoModel):
    name: str | None = None
    namespace: str | None = None
    database: bool | None = None


class Synchronization(ArgoModel):
    """``semaphore``/``mutex`` (singular) are the v3.5 forms Argo v4 dropped; still accepted."""

    semaphores: list[SemaphoreRef] | None = None
    mutexes: list[Mutex] | None = None
    semaphore: SemaphoreRef | None = None
    mutex: Mutex | None = None


class LocalObjectReference(ArgoModel):
    name: str | None = None


class Cache(ArgoModel):
    config_map: LocalObjectReference


class Memoize(ArgoModel):
    key: str
    cache: Cache
    max_age: str


class TemplateRef(ArgoModel):
    name: str | None = None
    template: str | None = None
    cluster_scope: bool | None = None


class LifecycleHook(ArgoModel):
    template: str | None = None
    template_ref: TemplateRef | None = None
    arguments: Arguments | None = None
    expression: str | None = None


class Sequence(ArgoModel):
    count: IntOrString | None = None
    start: IntOrString | None = None
    end: IntOrString | None = None
    format: str | None = None


ArtifactGC.model_rebuild()
