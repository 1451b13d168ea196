"""Imports every module that registers a kind; ``kinds.ensure_loaded`` imports this."""

import bus.spec  # noqa: F401
import eventsources.spec  # noqa: F401
import pinnace.resources.core  # noqa: F401
import sensors.spec  # noqa: F401
import workflows.spec  # noqa: F401
