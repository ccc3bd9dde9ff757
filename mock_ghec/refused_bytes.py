"""What a refused upload's bytes are, for the refusal's kind and the failed sync's server.

WHY apart from the store: these read raw bytes without the export format's validation (which
refused them), only to say "not JSON" (400) or "invalid" (422) and whose server it was.
"""
from __future__ import annotations

import json
import re
from typing import Any

from export_format.schemas import UUID_PATTERN

_UUID = re.compile(UUID_PATTERN)

def best_effort_server_id(raw: bytes) -> str | None:
    """The `instance.server_id` of a refused file, if it is readable JSON at all."""
    try:
        doc = json.loads(raw)
        value = doc["instance"]["server_id"]
    except (ValueError, TypeError, KeyError, RecursionError):  # RecursionError: absurdly deep nesting
        return None
    # Only a real Server ID names a server: anything else (a lone surrogate, 2 MB) was a 500 when
    # the failed sync was recorded against it, and cannot be a registered server anyway.
    return value if isinstance(value, str) and _UUID.fullmatch(value) else None


def _reject_constant(name: str) -> Any:
    """NaN and Infinity are Python's extensions, not JSON."""
    raise ValueError(f"{name} is not JSON")


def is_json(raw: bytes) -> bool:
    """Whether bytes are UTF-8 JSON (a refusal is NotJson when not, InvalidUsage when the JSON is wrong).

    WHY not `json.loads(raw)`: on bytes it also accepts UTF-16/32 and NaN, which the format
    (and the documented 400) treat as "not JSON"; a UTF-8 BOM is a 422 problem, not a 400.
    """
    try:
        json.loads(raw.decode("utf-8-sig"), parse_constant=_reject_constant)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return False
    return True
