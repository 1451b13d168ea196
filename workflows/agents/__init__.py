"""Templates the controller runs itself, without a pod: ``http`` and ``resource``.

Each runs as a named asyncio task and reports a ``PodObservation`` keyed by node ID, exactly as
the kubelet does for pods, so the engine core stays pure and treats both the same way.
"""

from workflows.agents.runner import Agents

__all__ = ["Agents"]
