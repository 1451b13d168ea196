"""Lua scripts of ``filters.script`` and ``transform.script``, run through ``lupa`` as Argo runs gopher-lua.

The payload is handed to the script as the global ``event`` (objects become tables, arrays become
1-based tables). A filter passes when the script returns exactly ``true``; a transform must return
a table, which becomes the new JSON payload. Each call gets a fresh interpreter, as in Argo, and the
file/process libraries are removed: a sensor script has no business touching the host.
"""

from __future__ import annotations

from typing import Any

_UNSAFE = ("io", "dofile", "loadfile", "require", "package", "debug")


class LuaUnavailable(RuntimeError):
    """The ``lupa`` package is not installed."""


class LuaError(ValueError):
    """The script failed to compile or raised an error."""


def _runtime() -> Any:
    try:
        from lupa import LuaRuntime  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        raise LuaUnavailable("Lua scripts need the 'lupa' Python package (pip install lupa)") from None
    rt = LuaRuntime(unpack_returned_tuples=False, register_eval=False, register_builtins=False)
    g = rt.globals()
    for name in _UNSAFE:
        g[name] = None
    g.os = rt.table(time=g.os.time, clock=g.os.clock, date=g.os.date)
    return rt


def _to_lua(rt: Any, value: Any) -> Any:
    if isinstance(value, dict):
        return rt.table_from({str(k): _to_lua(rt, v) for k, v in value.items() if v is not None})
    if isinstance(value, list):
        return rt.table_from([_to_lua(rt, v) for v in value if isinstance(v, dict | str | bool | int | float)])
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        return float(value)
    return None


def _from_lua(value: Any) -> Any:
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, int):
        return value
    items = list(value.items()) if hasattr(value, "items") else []
    keys = [k for k, _ in items]
    if keys and all(isinstance(k, int) for k in keys) and sorted(keys) == list(range(1, len(keys) + 1)):
        return [_from_lua(v) for _, v in sorted(items)]
    return {str(k): _from_lua(v) for k, v in items}


def _run(script: str, payload: Any) -> Any:
    rt = _runtime()
    rt.globals().event = _to_lua(rt, payload if isinstance(payload, dict) else {})
    try:
        result = rt.execute(script)
    except Exception as exc:  # lupa raises LuaError/LuaSyntaxError, both plain Exceptions
        raise LuaError(f"lua: {exc}") from None
    return result[-1] if isinstance(result, tuple) and result else result


def check_available() -> None:
    _runtime()


def run_filter(script: str, payload: Any) -> bool:
    return _run(script, payload) is True


def run_transform(script: str, payload: Any) -> Any:
    result = _run(script, payload)
    if result is None or isinstance(result, bool | str | int | float):
        raise LuaError("transformation script output type is not of lua table")
    return _from_lua(result)
