"""The headers every GitHub API response carries, and the API-version negotiation.

`X-GitHub-Api-Version` absent means the default version; an unknown one is a 400, as on
GitHub. GHES adds `X-GitHub-Enterprise-Version`; GHEC sends rate-limit headers (GHES ships
with rate limits off, so it does not).
"""
from __future__ import annotations

import random
import time
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


def chosen_version(asked: str | None) -> str | None:
    """The API version a request's `X-GitHub-Api-Version` selects: the default when absent or
    blank, None for one we do not support."""
    if asked is None or not asked.strip():
        return DEFAULT_API_VERSION
    return asked.strip() if asked.strip() in SUPPORTED_API_VERSIONS else None


def negotiate_version() -> None:
    """Refuse an unknown `X-GitHub-Api-Version` with GitHub's 400; remember the chosen one."""
    asked = request.headers.get("X-GitHub-Api-Version")
    chosen = chosen_version(asked)
    if chosen is None:
        raise GitHubError(400, f"API version {(asked or '').strip()!r} is not supported.",
                          documentation_url="https://docs.github.com/rest/about-the-rest-api/api-versions")
    g.api_version = chosen


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
    present = {name.lower() for name, _ in headers}  # Headers iterates (name, value) pairs
    if policy.enterprise_version and "x-github-enterprise-version" in present:
        del headers["X-GitHub-Enterprise-Version"]
        present.discard("x-github-enterprise-version")
    headers.extend(github_headers(policy, getattr(g, "api_version", DEFAULT_API_VERSION), present))
    return response


def github_headers(policy: HeaderPolicy, api_version: str, present: set[str] | frozenset[str] = frozenset()
                   ) -> list[tuple[str, str]]:
    """GitHub's response headers for an API answer that already has the (lower-case) `present`
    ones: a route's own are kept, except that the enterprise version is always the server's."""
    added = [("X-GitHub-Api-Version-Selected", api_version), ("X-GitHub-Media-Type", "github.v3; format=json"),
             # WHY not os.urandom: a system call on every answer, for an id that must be unique,
             # not secret (random's own generator is reseeded in every forked worker)
             ("X-GitHub-Request-Id", f"{random.getrandbits(80):020X}")]
    if present:  # a route's own are kept (the hot paths set none of these)
        added = [(name, value) for name, value in added if name.lower() not in present]
    if policy.enterprise_version:
        added.append(("X-GitHub-Enterprise-Version", policy.enterprise_version))
    if policy.rate_limit and "x-ratelimit-limit" not in present:
        added.extend(rate_limit_headers(policy.rate_limit, policy.rate_limit - 1).items())
    return added
