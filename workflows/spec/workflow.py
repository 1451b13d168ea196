"""The top-level kinds: Workflow, WorkflowTemplate, ClusterWorkflowTemplate, CronWorkflow.

``status`` is written by the engine (or by a real Argo controller) and is accepted as-is.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, StrictInt

from pinnace.resources.base import ArgoModel, ObjectMeta, Resource
from workflows.spec.common import (
    AnyStr,
    Arguments,
    LifecycleHook,
    LocalObjectReference,
    Mapping,
    Metadata,
    RetryStrategy,
    Synchronization,
)
from workflows.spec.template import ExecutorConfig, Template


class WorkflowTemplateRef(ArgoModel):
    name: str | None = None
    cluster_scope: bool | None = None


class TTLStrategy(ArgoModel):
    seconds_after_completion: StrictInt | None = None
    seconds_after_success: StrictInt | None = None
    seconds_after_failure: StrictInt | None = None


class PodGC(ArgoModel):
    strategy: str | None = None
    label_selector: Mapping | None = None
    delete_delay_duration: str | None = None


class VolumeClaimGC(ArgoModel):
    strategy: str | None = None


class ArtifactRepositoryRef(ArgoModel):
    config_map: str | None = None
    key: str | None = None


class WorkflowLevelArtifactGC(ArgoModel):
    strategy: str | None = None
    pod_metadata: Metadata | None = None
    service_account_name: str | None = None
    force_finalizer_removal: bool | None = None
    pod_spec_patch: str | None = None


class LabelValueFrom(ArgoModel):
    expression: str


class WorkflowMetadata(ArgoModel):
    labels: dict[str, AnyStr] | None = None
    annotations: dict[str, AnyStr] | None = None
    labels_from: dict[str, LabelValueFrom] | None = None


class WorkflowSpec(ArgoModel):
    """``spec`` of a Workflow, WorkflowTemplate and ClusterWorkflowTemplate."""

    templates: list[Template] | None = None
    entrypoint: str | None = None
    arguments: Arguments | None = None
    workflow_template_ref: WorkflowTemplateRef | None = None
    on_exit: str | None = None
    hooks: dict[str, LifecycleHook] | None = None
    template_defaults: Template | None = None
    # execution control
    parallelism: StrictInt | None = None
    active_deadline_seconds: StrictInt | None = None
    retry_strategy: RetryStrategy | None = None
    suspend: bool | None = None
    shutdown: str | None = None
    priority: StrictInt | None = None
    synchronization: Synchronization | None = None
    ttl_strategy: TTLStrategy | None = None
    pod_gc: PodGC | None = Field(default=None, alias="podGC")
    volume_claim_gc: VolumeClaimGC | None = Field(default=None, alias="volumeClaimGC")
    workflow_metadata: WorkflowMetadata | None = None
    metrics: Mapping | None = None
    archive_logs: bool | None = None
    artifact_repository_ref: ArtifactRepositoryRef | None = None
    artifact_gc: WorkflowLevelArtifactGC | None = Field(default=None, alias="artifactGC")
    executor: ExecutorConfig | None = None
    executor_plugins: list[Mapping] | None = None
    # pod shaping (carried to Kubernetes, not interpreted locally)
    service_account_name: str | None = None
    automount_service_account_token: bool | None = None
    volumes: list[Mapping] | None = None
    volume_claim_templates: list[Mapping] | None = None
    node_selector: dict[str, AnyStr] | None = None
    affinity: Mapping | None = None
    tolerations: list[Mapping] | None = None
    image_pull_secrets: list[LocalObjectReference] | None = None
    host_network: bool | None = None
    dns_policy: str | None = None
    dns_config: Mapping | None = None
    host_aliases: list[Mapping] | None = None
    security_context: Mapping | None = None
    pod_metadata: Metadata | None = None
    pod_spec_patch: str | None = None
    pod_priority_class_name: str | None = None
    pod_disruption_budget: Mapping | None = None
    pod_resources: Mapping | None = None
    resource_claims: list[Mapping] | None = None
    scheduler_name: str | None = None


class Workflow(Resource):
    kind: str = "Workflow"
    spec: WorkflowSpec
    status: dict[str, Any] | None = None


class WorkflowTemplate(Resource):
    kind: str = "WorkflowTemplate"
    spec: WorkflowSpec


class ClusterWorkflowTemplate(Resource):
    kind: str = "ClusterWorkflowTemplate"
    spec: WorkflowSpec


class StopStrategy(ArgoModel):
    expression: str


class CronWorkflowSpec(ArgoModel):
    """``schedule`` (singular) is the v3 form Argo v4 replaced with ``schedules``; both are accepted."""

    workflow_spec: WorkflowSpec
    schedules: list[str] | None = None
    schedule: str | None = None
    timezone: str | None = None
    concurrency_policy: str | None = None
    starting_deadline_seconds: StrictInt | None = None
    successful_jobs_history_limit: StrictInt | None = None
    failed_jobs_history_limit: StrictInt | None = None
    suspend: bool | None = None
    when: str | None = None
    stop_strategy: StopStrategy | None = None
    workflow_metadata: ObjectMeta | None = None

    def all_schedules(self) -> list[str]:
        """``schedules`` plus the legacy ``schedule``, in that order."""
        out = list(self.schedules or [])
        if self.schedule:
            out.append(self.schedule)
        return out


class CronWorkflow(Resource):
    kind: str = "CronWorkflow"
    spec: CronWorkflowSpec
    status: dict[str, Any] | None = None
