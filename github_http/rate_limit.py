"""GitHub's primary rate limit: per token per hour, per IP without one, on the app clock.

GitHub's numbers (DOMAIN §10): 5,000 requests an hour for a token, 60 for an unauthenticated
IP. Every API answer carries `x-ratelimit-limit/-remaining/-used/-reset/-resource`; once the
budget is spent the answer is GitHub's 403 until `x-ratelimit-reset`. A 304 and `GET /rate_limit`
do not count. GHES ships with rate limits off (its `/rate_limit` is then a 404 "Rate limiting is
not enabled.") and the mock follows, with a setting to turn them on.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .auth import token_digest
from .rate_limit_store import RateLimitStore, Window

DOCS_RATE_LIMITS = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api"
#: The resources GitHub's /rate_limit lists; only `core` is counted by the mock, the others stay full.
RESOURCES = ("core", "search", "graphql", "integration_manifest", "source_import", "code_scanning_upload",
             "actions_runner_registration", "scim", "dependency_snapshots", "code_search")
_OTHER_LIMITS = {"search": 30, "code_search": 10, "integration_manifest": 5000, "source_import": 100,
                 "code_scanning_upload": 1000, "actions_runner_registration": 10000, "scim": 15000,
                 "graphql": 5000, "dependency_snapshots": 100}


@dataclass(frozen=True, slots=True)
class RatePolicy:
    """Whether an app limits, and its budgets per window."""

    enabled: bool = True
    per_token: int = 5000
    anonymous: int = 60
    window: int = 3600

    @classmethod
    def from_settings(cls, settings: dict[str, Any], enabled_by_default: bool) -> RatePolicy:
        """`RATE_LIMIT`, `RATE_LIMIT_PER_HOUR`, `RATE_LIMIT_ANONYMOUS` of an app's settings."""
        return cls(bool(settings.get("RATE_LIMIT", enabled_by_default)),
                   int(settings.get("RATE_LIMIT_PER_HOUR", 5000)), int(settings.get("RATE_LIMIT_ANONYMOUS", 60)))


#: No rate limit (GHES as GitHub ships it, and any app that does not ask for one).
RATE_LIMITS_OFF = RatePolicy(enabled=False)


def headers_of(window: Window) -> list[tuple[str, str]]:
    """GitHub's `x-ratelimit-*` for a window (a refused request reports the full budget used)."""
    used = min(window.used, window.limit)
    return [("x-ratelimit-limit", str(window.limit)), ("x-ratelimit-remaining", str(window.limit - used)),
            ("x-ratelimit-used", str(used)), ("x-ratelimit-reset", str(window.reset)),
            ("x-ratelimit-resource", "core")]


def exceeded_message(user_id: int | None, address: str) -> str:
    """GitHub's words for a spent budget, for a token's user or an unauthenticated IP."""
    if user_id is not None:
        return f"API rate limit exceeded for user ID {user_id}."
    return (f"API rate limit exceeded for {address}. (But here's the good news: Authenticated requests "
            "get a higher rate limit. Check out the documentation for more details.)")


def exceeded_body(message: str) -> bytes:
    """The 403 body of a spent budget."""
    return json.dumps({"message": message, "documentation_url": DOCS_RATE_LIMITS, "status": "403"}).encode()


def overview(core: Window) -> dict[str, Any]:
    """The body of `GET /rate_limit` (rate-limit-overview) with `core` as counted."""

    def entry(window: Window) -> dict[str, int]:
        """One rate-limit object."""
        used = min(window.used, window.limit)
        return {"limit": window.limit, "used": used, "remaining": window.limit - used, "reset": window.reset}

    resources = {name: entry(core if name == "core" else Window(_OTHER_LIMITS[name], 0, core.reset))
                 for name in RESOURCES}
    return {"resources": resources, "rate": entry(core)}


class RateLimiter:
    """The policy applied to a store: which key and budget a request counts against."""

    def __init__(self, policy: RatePolicy, store: RateLimitStore) -> None:
        """Apply `policy`, counting in `store`."""
        self.policy, self.store = policy, store

    def key_for(self, token_digest: str | None, address: str) -> tuple[str, int]:
        """(key, budget): the token's when it is a known one, else the caller's IP's."""
        if token_digest is not None:
            return "token:" + token_digest, self.policy.per_token
        return "ip:" + address, self.policy.anonymous


#: Bounds of `PUT /_mock/rate-limit` (docs/control-plane.md): GitHub's budgets are thousands an
#: hour; beyond these is a 422 (2**70 was a 500: the counters are 64-bit SQLite integers).
MAX_BUDGET, MAX_RESET_IN = 1_000_000_000, 86_400


def set_budget(kit: Any, body: Any) -> dict[str, Any]:
    """`PUT /_mock/rate-limit`: {"token": T} or {"ip": A}, "remaining", optional "limit" (the
    policy's budget for that kind of caller) and "reset_in" seconds (default: the current window's end)."""
    if not isinstance(body, dict) or ("token" in body) == ("ip" in body):
        raise ValueError('the body is {"token": ...} or {"ip": ...} with "remaining"')
    policy: RatePolicy = kit.rate_policy
    who = body.get("token", body.get("ip"))
    if not isinstance(who, str) or not who.strip() or len(who) > 512:
        raise ValueError('"token" (or "ip") is a non-empty string of at most 512 characters')
    for name in ("limit", "remaining", "reset_in"):
        if name in body and (isinstance(body[name], bool) or not isinstance(body[name], int)):
            raise ValueError(f'"{name}" is a whole number')
    if "token" in body:
        key, limit = "token:" + token_digest(str(body["token"])), policy.per_token
    else:
        key, limit = "ip:" + str(body["ip"]), policy.anonymous
    limit = int(body.get("limit", limit))
    if not 1 <= limit <= MAX_BUDGET:
        raise ValueError(f"limit must be from 1 to {MAX_BUDGET:,}")
    remaining = int(body["remaining"])
    if not 0 <= remaining <= limit:
        raise ValueError(f"remaining must be between 0 and the limit ({limit})")
    reset_in = body.get("reset_in")
    if reset_in is not None and not 1 <= reset_in <= MAX_RESET_IN:
        raise ValueError(f"reset_in must be from 1 to {MAX_RESET_IN:,} seconds (a day)")
    window = kit.rate_limits.set_remaining(key, limit, remaining, kit.clock.epoch(),
                                           None if reset_in is None else max(int(reset_in), 1))
    return {"limit": window.limit, "remaining": window.remaining, "used": window.used, "reset": window.reset,
            "enabled": policy.enabled}
