"""The planes ``pinnace up`` runs in one process, each startable alone by ``pinnace run``."""
