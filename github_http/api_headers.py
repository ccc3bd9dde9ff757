"""The headers every GitHub API response carries, and the API-version negotiation.

`X-GitHub-Api-Version` absent means the default version; an unknown one is a 400, as on
GitHub. GHES adds `X-GitHub-Enterprise-Version`; GHEC sends rate-limit headers (GHES ships
with rate limits off, so it does not).
"""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from flask import Response, g, request

from .errors import GitHubError

DEFAULT_API_VERSION = "2022-11-28"
SUPPORTED_API_VERSIONS = ("2022-11-28", "2026-03-10")


@dataclass(frozen=True, slots=True)
class HeaderPolicy:
    """What an app adds to API responses."""

    enterprise_version: str | None = None  # GHES only
    rate_limit: int | None = None  # GHEC: requests per hour shown in x-ratelimit-*


def negotiate_version() -> None:
    """Refuse an unknown `X-GitHub-Api-Version` with GitHub's 400; remember the chosen one."""
    asked = request.headers.get("X-GitHub-Api-Version")
    if asked is None or not asked.strip():
        g.api_version = DEFAULT_API_VERSION
        return
    if asked.strip() not in SUPPORTED_API_VERSIONS:
        raise GitHubError(400, f"API version {asked.strip()!r} is not supported.",
                          documentation_url="https://docs.github.com/rest/about-the-rest-api/api-versions")
    g.api_version = asked.strip()


def rate_limit_headers(limit: int, remaining: int, reset_in: int = 3600) -> dict[str, str]:
    """GitHub's `x-ratelimit-*` set (also used by the rate-limit faults)."""
    return {
        "x-ratelimit-limit": str(limit),
        "x-ratelimit-remaining": str(max(remaining, 0)),
        "x-ratelimit-used": str(max(limit - remaining, 0)),
        "x-ratelimit-reset": str(int(time.time()) + reset_in),
        "x-ratelimit-resource": "core",
    }


def decorate(response: Response, policy: HeaderPolicy) -> Response:
    """Add GitHub's response headers to an API response (those a route set itself are kept).

    WHY one `extend`: Werkzeug's `setdefault`/`__setitem__` scan the header list on every
    call, and eleven of them were a tenth of what a consumed-licenses page cost to serve.
    """
    headers = response.headers
    present = {name.lower() for name in headers.keys()}
    added = [(name, value) for name, value in (
        ("X-GitHub-Api-Version-Selected", getattr(g, "api_version", DEFAULT_API_VERSION)),
        ("X-GitHub-Media-Type", "github.v3; format=json"),
        ("X-GitHub-Request-Id", uuid.uuid4().hex[:20].upper()),
    ) if name.lower() not in present]
    if policy.enterprise_version:
        if "x-github-enterprise-version" in present:
            del headers["X-GitHub-Enterprise-Version"]
        added.append(("X-GitHub-Enterprise-Version", policy.enterprise_version))
    if policy.rate_limit and "x-ratelimit-limit" not in present:
        added.extend(rate_limit_headers(policy.rate_limit, policy.rate_limit - 1).items())
    headers.extend(added)
    return response
