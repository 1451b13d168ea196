"""Why ``executeTemplate`` did not produce a node this pass (raised inside the engine, caught by callers)."""


class Deferred(Exception):
    """Parallelism limit reached: the node is not created this pass (``ErrParallelismReached``)."""


class NodeError(Exception):
    """The node could not be executed; it is marked Error with this message."""
