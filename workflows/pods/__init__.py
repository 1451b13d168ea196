"""The embedded pod scheduler: each pod's container runs as a supervised local process."""

from workflows.pods.capacity import Capacity
from workflows.pods.kubelet import Kubelet
from workflows.pods.sandbox import Sandbox

__all__ = ["Capacity", "Kubelet", "Sandbox"]
