"""Export files, tokens and whole-state comparisons shared by the reliability tests.

WHY a module of our own (not tests/ghec's helpers): this suite must keep working whatever
the other suites do with theirs; everything here goes through public contracts only
(export_format to write files, the REST API and `/_mock/` to read state).
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from typing import Any

import export_format
import scenarios
from export_format.keys import load_public_key
from scenarios.tokens import OWNER_TOKEN_KINDS

GENERATED_AT = "2026-01-02T03:04:05Z"
#: The GHEC scenario most tests use: small, so whole-state snapshots stay cheap.
SEED, PRESET = 11, "small"


def instance_block(server_id: str, host_name: str) -> dict[str, Any]:
    """A valid instance block."""
    return {"server_id": server_id, "host_name": host_name, "version": "3.15.2", "http_only": True,
            "license": "sha256:" + "cd" * 32,
            "public_key": "-----BEGIN PUBLIC KEY-----\nTEST-ONLY\n-----END PUBLIC KEY-----",
            "features": [{"name": "license_usage_sync", "enabled_at": "2025-06-01T00:00:00Z"}]}


def user(uid: int, primary: str, *secondaries: str) -> dict[str, Any]:
    """One user record."""
    return {"id": uid, "emails": [{"address": primary, "primary": True}]
            + [{"address": a, "primary": False} for a in secondaries]}


def export(server_id: str, host_name: str, users: list[dict[str, Any]], *, encrypted: bool = False) -> bytes:
    """An export file, written by the contract's own writer (plain, or encrypted to the test key)."""
    return export_format.build_export(instance_block(server_id, host_name), users=users,
                                      encrypt_to=load_public_key() if encrypted else None,
                                      generated_at=GENERATED_AT)


def server_id(n: int, salt: str = "reliability") -> str:
    """A stable UUID per test server."""
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{salt}-{n}"))


def synthetic_users(count: int, domain: str, shared: Iterable[str] = (), first_id: int = 1) -> list[dict[str, Any]]:
    """`count` users: the `shared` addresses first (people known elsewhere), then unique ones."""
    shared = list(shared)
    return [user(first_id + n, shared[n] if n < len(shared) else f"user{first_id + n}@{domain}",
                 f"alt{first_id + n}@home.{domain}")
            for n in range(count)]


def auth(token: str) -> dict[str, str]:
    """GitHub's token header."""
    return {"Authorization": f"token {token}"}


def ghec_tokens(scenario: scenarios.Scenario) -> dict[str, str]:
    """owner / member / other_owner / connect / other_connect tokens, the owner's of every other kind
    (`owner:fine_grained`, `owner:oauth_app`, `owner:installation`, `owner:no_scopes`) and the two slugs."""
    main, other = scenario.enterprises[0], scenario.enterprises[1]
    t = scenario.tokens
    return {"slug": main.slug, "other_slug": other.slug, "owner": t[f"ghec:{main.slug}:owner"],
            "member": t[f"ghec:{main.slug}:member"], "other_owner": t[f"ghec:{other.slug}:owner"],
            "connect": t[f"connect:{main.slug}"], "other_connect": t[f"connect:{other.slug}"],
            **{f"owner:{kind}": t[f"ghec:{main.slug}:owner:{kind}"] for kind in OWNER_TOKEN_KINDS}}


def all_rows(get: Any, slug: str, token: str) -> list[dict[str, Any]]:
    """Every consumed-license row through the public API; `get(url, headers)` returns (status, json)."""
    rows: list[dict[str, Any]] = []
    page = 1
    while True:
        status, body = get(f"/enterprises/{slug}/consumed-licenses?per_page=100&page={page}", auth(token))
        assert status == 200, (status, body)
        rows += body["users"]
        if len(rows) >= body["total_seats_consumed"] or not body["users"]:
            assert len(rows) == body["total_seats_consumed"]
            return rows
        page += 1


def canonical(value: Any) -> str:
    """A stable text form for comparing whole JSON answers."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
