"""Human-readable output: kubectl-style tables and the ``argo get`` workflow tree."""
