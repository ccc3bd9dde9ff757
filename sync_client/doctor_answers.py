"""Small readings of the doctor's probes: a repeatable URL's first value, a token's scopes, whether an
answer is JSON, and how to give a missing setting (the fix a failed check prints)."""
from __future__ import annotations

from typing import Any

import requests

from .options import ENV
from .probe import Probe


def first(value: Any) -> str | None:
    """verify-style repeatable --ghes-url: the first; a comma list in GHES_URL: the first too."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, str):
        value = value.replace(",", " ").split()[0] if value.strip() else None
    return value


def missing(name: str, flag: str) -> str:
    """How to give a missing setting."""
    return f"pass {flag} or set {ENV[name]} (`make serve` prints ready-to-paste exports)"


def token_scopes(found: Probe) -> list[str] | None:
    """A classic token's scopes from X-OAuth-Scopes, or None when the server does not say."""
    header = (found.headers or {}).get("x-oauth-scopes")
    return None if header is None else [s.strip() for s in header.split(",") if s.strip()]


def is_json(response: requests.Response) -> bool:
    """Whether the answer is JSON (the API) rather than a page."""
    return response.headers.get("Content-Type", "").split(";")[0].strip().endswith("json")
