"""Message bodies as Argo's sources put them into event data.

With ``jsonBody: true`` the body is embedded as JSON (a body that is not JSON cannot be
marshalled and the message is rejected, as in Argo). Otherwise Go marshals the ``[]byte``
payload of nats, amqp and mqtt as a base64 string; redis keeps its string payload.
"""

from __future__ import annotations

import base64
import json
from typing import Any


class BadPayload(ValueError):
    pass


def json_body(raw: bytes | str) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise BadPayload(f"jsonBody is set but the message is not JSON: {str(exc)[:200]}") from None


def go_bytes(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def body(raw: bytes, as_json: bool | None) -> Any:
    return json_body(raw) if as_json else go_bytes(raw)


def with_metadata(data: dict[str, Any], metadata: dict[str, Any] | None) -> dict[str, Any]:
    """Argo's ``metadata,omitempty``."""
    if metadata:
        data["metadata"] = dict(metadata)
    return data
