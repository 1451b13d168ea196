"""``Template`` and the things inside one: steps, DAG tasks, suspend/resource/http/data templates."""

from __future__ import annotations

from typing import Any

from pydantic import StrictInt

from pinnace.resources.base import ArgoModel
from workflows.spec.common import (
    AnyStr,
    Arguments,
    Artifact,
    ContinueOn,
    Inputs,
    IntOrString,
    Item,
    LifecycleHook,
    Mapping,
    Memoize,
    Metadata,
    Outputs,
    RetryStrategy,
    SecretKeySelector,
    Sequence,
    Synchronization,
    TemplateRef,
)
from workflows.spec.container import Container, ContainerSetTemplate, ScriptTemplate, UserContainer

TEMPLATE_TYPES: tuple[str, ...] = (
    "container",
    "containerSet",
    "steps",
    "dag",
    "script",
    "resource",
    "data",
    "suspend",
    "http",
    "plugin",
)
"""Wire names of the template type fields, in Argo's ``GetType()`` precedence order."""


class WorkflowStep(ArgoModel):
    """One step of a ``steps`` template (also the base of a DAG task)."""

    name: str | None = None
    template: str | None = None
    template_ref: TemplateRef | None = None
    inline: Template | None = None
    arguments: Arguments | None = None
    when: str | None = None
    with_items: list[Item] | None = None
    with_param: str | None = None
    with_sequence: Sequence | None = None
    continue_on: ContinueOn | None = None
    hooks: dict[str, LifecycleHook] | None = None
    on_exit: str | None = None


class DAGTask(WorkflowStep):
    """A DAG task: a step plus ``dependencies`` (list) or ``depends`` (expression)."""

    name: str  # required here, optional on a step
    dependencies: list[str] | None = None
    depends: str | None = None


class DAGTemplate(ArgoModel):
    tasks: list[DAGTask]
    target: str | None = None
    fail_fast: bool | None = None


class SuspendTemplate(ArgoModel):
    duration: AnyStr | None = None


class ManifestFrom(ArgoModel):
    artifact: Artifact


class ResourceTemplate(ArgoModel):
    action: str
    merge_strategy: str | None = None
    manifest: str | None = None
    manifest_from: ManifestFrom | None = None
    set_owner_reference: bool | None = None
    success_condition: str | None = None
    failure_condition: str | None = None
    flags: list[str] | None = None


class HTTPHeaderSource(ArgoModel):
    secret_key_ref: SecretKeySelector | None = None


class HTTPHeader(ArgoModel):
    name: str
    value: AnyStr | None = None
    value_from: HTTPHeaderSource | None = None


class HTTPBodySource(ArgoModel):
    bytes: str | None = None


class HTTP(ArgoModel):
    url: str
    method: str | None = None
    headers: list[HTTPHeader] | None = None
    body: str | None = None
    body_from: HTTPBodySource | None = None
    timeout_seconds: StrictInt | None = None
    success_condition: str | None = None
    insecure_skip_verify: bool | None = None


class DataSource(ArgoModel):
    # ArtifactPaths is an Artifact used as a key prefix to list.
    artifact_paths: Artifact | None = None


class TransformationStep(ArgoModel):
    expression: str


class Data(ArgoModel):
    source: DataSource
    transformation: list[TransformationStep]


class ExecutorConfig(ArgoModel):
    service_account_name: str | None = None


class Template(ArgoModel):
    """A unit of work. Exactly one type field (see ``TEMPLATE_TYPES``) must be set."""

    name: str | None = None
    inputs: Inputs | None = None
    outputs: Outputs | None = None
    # template types
    container: Container | None = None
    container_set: ContainerSetTemplate | None = None
    steps: list[list[WorkflowStep]] | None = None
    dag: DAGTemplate | None = None
    script: ScriptTemplate | None = None
    resource: ResourceTemplate | None = None
    data: Data | None = None
    suspend: SuspendTemplate | None = None
    http: HTTP | None = None
    plugin: dict[str, Any] | None = None
    # execution control
    active_deadline_seconds: IntOrString | None = None
    timeout: AnyStr | None = None
    pending_timeout: AnyStr | None = None
    retry_strategy: RetryStrategy | None = None
    parallelism: StrictInt | None = None
    fail_fast: bool | None = None
    daemon: bool | None = None
    memoize: Memoize | None = None
    synchronization: Synchronization | None = None
    # pod shaping (carried to Kubernetes, not interpreted locally)
    metadata: Metadata | None = None
    annotations: dict[str, AnyStr] | None = None
    init_containers: list[UserContainer] | None = None
    sidecars: list[UserContainer] | None = None
    volumes: list[Mapping] | None = None
    archive_location: Mapping | None = None
    metrics: Mapping | None = None
    executor: ExecutorConfig | None = None
    node_selector: dict[str, AnyStr] | None = None
    affinity: Mapping | None = None
    tolerations: list[Mapping] | None = None
    scheduler_name: str | None = None
    priority_class_name: str | None = None
    service_account_name: str | None = None
    automount_service_account_token: bool | None = None
    security_context: Mapping | None = None
    host_aliases: list[Mapping] | None = None
    pod_spec_patch: str | None = None
    pod_resources: Mapping | None = None
    resource_claims: list[Mapping] | None = None

    def types(self) -> list[str]:
        """The wire names of the type fields that are set (one, for a valid template)."""
        return [t for t in TEMPLATE_TYPES if getattr(self, _TYPE_ATTRS[t]) is not None]

    def type(self) -> str | None:
        """The template type by Argo's precedence, or None when no type field is set."""
        found = self.types()
        return found[0] if found else None


_TYPE_ATTRS = {name: name if name != "containerSet" else "container_set" for name in TEMPLATE_TYPES}

WorkflowStep.model_rebuild()
DAGTask.model_rebuild()
DAGTemplate.model_rebuild()
