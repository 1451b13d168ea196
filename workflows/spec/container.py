"""Kubernetes ``Container`` and the Argo templates built on it (script, sidecars, containerSet).

The container itself is strict (a misspelt ``comand`` is an error); its nested Kubernetes objects
that pinnace does not interpret (probes, resources, securityContext, ...) are plain mappings.
"""

from __future__ import annotations

from pinnace.resources.base import ArgoModel
from workflows.spec.common import AnyStr, IntOrString, Mapping


class EnvVar(ArgoModel):
    name: str
    value: AnyStr | None = None
    value_from: Mapping | None = None


class VolumeMount(ArgoModel):
    name: str
    mount_path: str
    mount_propagation: str | None = None
    read_only: bool | None = None
    recursive_read_only: str | None = None
    sub_path: str | None = None
    sub_path_expr: str | None = None


class Container(ArgoModel):
    """The fields of a Kubernetes ``core/v1 Container``."""

    name: str | None = None
    image: str | None = None
    command: list[AnyStr] | None = None
    args: list[AnyStr] | None = None
    working_dir: str | None = None
    env: list[EnvVar] | None = None
    env_from: list[Mapping] | None = None
    image_pull_policy: str | None = None
    lifecycle: Mapping | None = None
    liveness_probe: Mapping | None = None
    readiness_probe: Mapping | None = None
    startup_probe: Mapping | None = None
    ports: list[Mapping] | None = None
    resize_policy: list[Mapping] | None = None
    resources: Mapping | None = None
    restart_policy: str | None = None
    restart_policy_rules: list[Mapping] | None = None
    security_context: Mapping | None = None
    stdin: bool | None = None
    stdin_once: bool | None = None
    tty: bool | None = None
    termination_message_path: str | None = None
    termination_message_policy: str | None = None
    volume_devices: list[Mapping] | None = None
    volume_mounts: list[VolumeMount] | None = None


class UserContainer(Container):
    """An init container or sidecar: a named container that may mirror the main volume mounts."""

    name: str
    mirror_volume_mounts: bool | None = None


class ScriptTemplate(Container):
    """A container whose ``source`` is written to a file and appended to the command."""

    source: str | None = None


class ContainerNode(Container):
    """One container of a ``containerSet``; ``dependencies`` name containers that must exit first."""

    name: str
    dependencies: list[str] | None = None


class ContainerSetRetryStrategy(ArgoModel):
    retries: IntOrString
    duration: str | None = None


class ContainerSetTemplate(ArgoModel):
    containers: list[ContainerNode]
    volume_mounts: list[VolumeMount] | None = None
    retry_strategy: ContainerSetRetryStrategy | None = None

