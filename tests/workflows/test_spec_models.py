"""Workflow-family models: Argo's field names, strictness, AnyString/IntOrString, kind registry."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

import workflows.spec as wspec
from pinnace.resources import kinds, validate
from pinnace.resources.base import Problem
from workflows.spec import common, container, template, workflow


def load(text: str) -> Any:
    return yaml.safe_load(textwrap.dedent(text))


def problems(text: str) -> list[Problem]:
    return validate.validate_object(load(text))[1]


# Field lists of api/jsonschema/schema.json, argo-workflows v4.1.2 (f016ad89).
ARGO_FIELDS: dict[str, str] = {
    "Template": "activeDeadlineSeconds affinity annotations archiveLocation automountServiceAccountToken "
    "container containerSet daemon dag data executor failFast hostAliases http initContainers inputs memoize "
    "metadata metrics name nodeSelector outputs parallelism pendingTimeout plugin podResources podSpecPatch "
    "priorityClassName resource resourceClaims retryStrategy schedulerName script securityContext "
    "serviceAccountName sidecars steps suspend synchronization timeout tolerations volumes",
    "WorkflowSpec": "activeDeadlineSeconds affinity archiveLogs arguments artifactGC artifactRepositoryRef "
    "automountServiceAccountToken dnsConfig dnsPolicy entrypoint executor executorPlugins hooks hostAliases "
    "hostNetwork imagePullSecrets metrics nodeSelector onExit parallelism podDisruptionBudget podGC podMetadata "
    "podPriorityClassName podResources podSpecPatch priority resourceClaims retryStrategy schedulerName "
    "securityContext serviceAccountName shutdown suspend synchronization templateDefaults templates "
    "tolerations ttlStrategy volumeClaimGC volumeClaimTemplates volumes workflowMetadata workflowTemplateRef",
    "WorkflowStep": "arguments continueOn hooks inline name onExit template templateRef when withItems "
    "withParam withSequence",
    "DAGTask": "arguments continueOn dependencies depends hooks inline name onExit template templateRef when "
    "withItems withParam withSequence",
    "DAGTemplate": "failFast target tasks",
    "Parameter": "default description enum globalName name value valueFrom",
    "ValueFrom": "configMapKeyRef default event expression jqFilter jsonPath parameter path supplied",
    "Artifact": "archive archiveLogs artifactGC artifactory azure deleted from fromExpression gcs git "
    "globalName hdfs http mode name optional oss path plugin raw recurseMode s3 subPath",
    "Arguments": "artifacts parameters",
    "Inputs": "artifacts parameters",
    "Outputs": "artifacts exitCode parameters result",
    "RetryStrategy": "affinity backoff expression limit retryPolicy",
    "Backoff": "cap duration factor maxDuration",
    "ContinueOn": "error failed",
    "Synchronization": "mutexes semaphores",
    "Memoize": "cache key maxAge",
    "LifecycleHook": "arguments expression template templateRef",
    "TemplateRef": "clusterScope name template",
    "Sequence": "count end format start",
    "ScriptTemplate": "args command env envFrom image imagePullPolicy lifecycle livenessProbe name ports "
    "readinessProbe resizePolicy resources restartPolicy restartPolicyRules securityContext source "
    "startupProbe stdin stdinOnce terminationMessagePath terminationMessagePolicy tty volumeDevices "
    "volumeMounts workingDir",
    "UserContainer": "args command env envFrom image imagePullPolicy lifecycle livenessProbe "
    "mirrorVolumeMounts name ports readinessProbe resizePolicy resources restartPolicy restartPolicyRules "
    "securityContext startupProbe stdin stdinOnce terminationMessagePath terminationMessagePolicy tty "
    "volumeDevices volumeMounts workingDir",
    "ContainerNode": "args command dependencies env envFrom image imagePullPolicy lifecycle livenessProbe "
    "name ports readinessProbe resizePolicy resources restartPolicy restartPolicyRules securityContext "
    "startupProbe stdin stdinOnce terminationMessagePath terminationMessagePolicy tty volumeDevices "
    "volumeMounts workingDir",
    "ContainerSetTemplate": "containers retryStrategy volumeMounts",
    "ResourceTemplate": "action failureCondition flags manifest manifestFrom mergeStrategy "
    "setOwnerReference successCondition",
    "HTTP": "body bodyFrom headers insecureSkipVerify method successCondition timeoutSeconds url",
    "SuspendTemplate": "duration",
    "Data": "source transformation",
    "CronWorkflowSpec": "concurrencyPolicy failedJobsHistoryLimit schedules startingDeadlineSeconds "
    "stopStrategy successfulJobsHistoryLimit suspend timezone when workflowMetadata workflowSpec",
    "WorkflowMetadata": "annotations labels labelsFrom",
    "PodGC": "deleteDelayDuration labelSelector strategy",
    "TTLStrategy": "secondsAfterCompletion secondsAfterFailure secondsAfterSuccess",
    "Mutex": "database name namespace",
    "SemaphoreRef": "configMapKeyRef database namespace",
    "WorkflowLevelArtifactGC": "forceFinalizerRemoval podMetadata podSpecPatch serviceAccountName strategy",
    "ArtifactGC": "podMetadata serviceAccountName strategy",
    "HTTPHeader": "name value valueFrom",
    "ManifestFrom": "artifact",
    "StopStrategy": "expression",
    "WorkflowTemplateRef": "clusterScope name",
    "Container": "args command env envFrom image imagePullPolicy lifecycle livenessProbe name ports "
    "readinessProbe resizePolicy resources restartPolicy restartPolicyRules securityContext startupProbe "
    "stdin stdinOnce terminationMessagePath terminationMessagePolicy tty volumeDevices volumeMounts "
    "workingDir",
    "VolumeMount": "mountPath mountPropagation name readOnly recursiveReadOnly subPath subPathExpr",
    "EnvVar": "name value valueFrom",
}


def _model(name: str) -> type[BaseModel]:
    for module in (common, container, template, workflow):
        found = getattr(module, name, None)
        if isinstance(found, type) and issubclass(found, BaseModel):
            return found
    raise AssertionError(f"no model named {name}")


@pytest.mark.parametrize("name", sorted(ARGO_FIELDS))
def test_every_argo_field_is_accepted_under_its_wire_name(name: str) -> None:
    model = _model(name)
    wire = {info.alias or field for field, info in model.model_fields.items()}
    missing = set(ARGO_FIELDS[name].split()) - wire
    assert missing == set(), f"{name} lacks Argo fields {sorted(missing)}"


def test_hello_world_parses_and_round_trips_camel_case() -> None:
    doc = load(
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {generateName: hello-world-}
        spec:
          entrypoint: main
          podGC: {strategy: OnPodSuccess}
          volumeClaimGC: {strategy: OnWorkflowCompletion}
          artifactGC: {strategy: OnWorkflowDeletion}
          templates:
          - name: main
            outputs:
              artifacts: [{name: out, from: "{{steps.x.outputs.artifacts.y}}"}]
            container: {image: busybox, command: [echo], args: [hello], workingDir: /w}
        """
    )
    model, found = validate.validate_object(doc)
    assert found == []
    assert isinstance(model, wspec.Workflow)
    assert model.wire()["spec"] == doc["spec"]


def test_unknown_field_is_an_error_on_its_path() -> None:
    found = problems(
        """
        kind: Workflow
        apiVersion: argoproj.io/v1alpha1
        metadata: {name: w}
        spec:
          entryPoint: main
          templates:
          - name: main
            container: {image: busybox, comand: [echo]}
        """
    )
    assert sorted((p.path, p.message) for p in found) == [
        ("spec.entryPoint", "unknown field 'entryPoint'"),
        ("spec.templates[0].container.comand", "unknown field 'comand'"),
    ]


def test_any_string_accepts_numbers_and_bools() -> None:
    param = common.Parameter.model_validate({"name": "p", "value": 3, "default": True, "enum": [1, 2.5, False]})
    assert (param.value, param.default, param.enum) == ("3", "true", ["1", "2.5", "false"])


def test_int_or_string_fields_keep_both_forms() -> None:
    retry = common.RetryStrategy.model_validate({"limit": 3, "backoff": {"duration": "1m", "factor": 2}})
    assert retry.limit == 3 and retry.backoff is not None and retry.backoff.factor == 2
    assert common.RetryStrategy.model_validate({"limit": "3"}).limit == "3"
    tmpl = template.Template.model_validate(
        {"name": "t", "activeDeadlineSeconds": "{{inputs.parameters.s}}", "suspend": {}}
    )
    assert tmpl.active_deadline_seconds == "{{inputs.parameters.s}}"


def test_workflow_status_is_accepted_as_written() -> None:
    doc = load(
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: w}
        spec: {entrypoint: main, templates: [{name: main, suspend: {}}]}
        status: {phase: Running, nodes: {w: {id: w, anything: [1, 2]}}, someFutureField: true}
        """
    )
    model, found = validate.validate_object(doc)
    assert found == []
    assert isinstance(model, wspec.Workflow) and model.status is not None
    assert model.status["phase"] == "Running"


def test_template_type_helpers() -> None:
    tmpl = template.Template.model_validate({"name": "t", "script": {"image": "python", "source": "print(1)"}})
    assert tmpl.types() == ["script"] and tmpl.type() == "script"
    assert template.Template.model_validate({"name": "t"}).type() is None


def test_dag_task_needs_a_name() -> None:
    with pytest.raises(ValueError, match="name"):
        template.DAGTask.model_validate({"template": "x"})


def test_cron_accepts_legacy_schedule_and_v4_schedules() -> None:
    spec = workflow.CronWorkflowSpec.model_validate(
        {"schedules": ["0 * * * *"], "schedule": "@daily", "workflowSpec": {"entrypoint": "x"}}
    )
    assert spec.all_schedules() == ["0 * * * *", "@daily"]


def test_synchronization_accepts_v3_singular_forms() -> None:
    sync = common.Synchronization.model_validate(
        {"mutex": {"name": "m"}, "semaphore": {"configMapKeyRef": {"name": "c", "key": "k"}}}
    )
    assert sync.mutex is not None and sync.mutex.name == "m"


@pytest.mark.parametrize(
    ("name", "kind", "plural", "namespaced"),
    [
        ("wf", "Workflow", "workflows", True),
        ("workflowtemplates", "WorkflowTemplate", "workflowtemplates", True),
        ("wftmpl", "WorkflowTemplate", "workflowtemplates", True),
        ("cwftmpl", "ClusterWorkflowTemplate", "clusterworkflowtemplates", False),
        ("cwf", "CronWorkflow", "cronworkflows", True),
    ],
)
def test_kinds_are_registered(name: str, kind: str, plural: str, namespaced: bool) -> None:
    info = kinds.KINDS[kind]
    assert info.plural == plural and info.namespaced is namespaced and info.api_version == "argoproj.io/v1alpha1"
    assert name == plural or name in info.short_names


def test_wrong_type_names_the_field() -> None:
    found = problems(
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: w}
        spec:
          entrypoint: main
          parallelism: lots
          templates: [{name: main, suspend: {}}]
        """
    )
    assert [p.path for p in found] == ["spec.parallelism"]
