"""Kubernetes manifests for running pinnace beyond one machine: CRDs generated from the models,
plus the Deployments, RBAC and NATS reference shipped as package data."""
