"""Deterministic, GitHub-looking tokens: the same seed and key give the same token anywhere.

Servers print them at start-up and tests rebuild them from the seed, so nothing secret is ever
stored or exchanged. They deliberately carry no valid GitHub checksum, so secret scanners that
verify the checksum do not treat them as live credentials.
"""
from __future__ import annotations

import hashlib
from typing import Any

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
TOKEN_BODY = 36


#: A key ending in one of these kinds (DOMAIN §10) gets that kind's prefix; any other is classic (`ghp_`).
KIND_PREFIXES = {"fine_grained": "github_pat_", "oauth_app": "gho_", "installation": "ghs_"}
#: Extra tokens of each enterprise's owner and of each GHES instance's site admin, one per kind,
#: and a classic one without the role's key scope (`read:enterprise` on GHEC, `site_admin` on GHES).
OWNER_TOKEN_KINDS = ("fine_grained", "oauth_app", "installation", "no_scopes")
ADMIN_TOKEN_KINDS = OWNER_TOKEN_KINDS


def token_for(seed: int, key: str) -> str:
    """Return the key's kind prefix + base62 chars from sha512(seed:key); stable across processes
    and hosts. Classic, OAuth-app and installation tokens have 36 chars after the prefix, a
    fine-grained one GitHub's 22 + `_` + 59."""
    number = int.from_bytes(hashlib.sha512(f"{seed}:{key}".encode()).digest(), "big")
    if not key.endswith(tuple(KIND_PREFIXES)):  # the classic tokens every release issued: unchanged
        number = int.from_bytes(hashlib.sha256(f"{seed}:{key}".encode()).digest(), "big")
    kind = key.rsplit(":", 1)[-1]
    size = 81 if kind == "fine_grained" else TOKEN_BODY
    chars = []
    for _ in range(size):
        number, digit = divmod(number, 62)
        chars.append(_ALPHABET[digit])
    body = "".join(chars)
    if kind == "fine_grained":
        body = f"{body[:22]}_{body[22:]}"
    return KIND_PREFIXES.get(kind, "ghp_") + body


def token_keys(ghes_instances: int, enterprise_slugs: list[str]) -> list[str]:
    """List every key a scenario issues a token for, so build and servers agree on the set."""
    keys = []
    for k in range(1, ghes_instances + 1):
        keys += [f"ghes:{k}:admin", f"ghes:{k}:member", f"ghes:{k}:manage"]
        keys += [f"ghes:{k}:admin:{kind}" for kind in ADMIN_TOKEN_KINDS]
    for slug in enterprise_slugs:
        keys += [f"ghec:{slug}:owner", f"ghec:{slug}:member", f"connect:{slug}"]
        keys += [f"ghec:{slug}:owner:{kind}" for kind in OWNER_TOKEN_KINDS]
    return keys


def kind_tokens(seed: int, key: str, role: str) -> dict[str, str]:
    """`{"<role>:<kind>": token}` of the extra kinds `key` holds (`ghec:{slug}:owner`, `ghes:{k}:admin`),
    as both apps list them in `GET /_mock/scenario`'s `tokens` beside the role's own."""
    return {f"{role}:{kind}": token_for(seed, f"{key}:{kind}") for kind in OWNER_TOKEN_KINDS}


def declared_key(prefix: str, key: str, kind: str) -> str:
    """The scenario key of a token a scenario file declares (`ghec:{slug}` or `ghes:{k}` + its key and
    kind): `{prefix}:token:{key}:{kind}`, so `token_for` gives it its kind's prefix."""
    return f"{prefix}:token:{key}:{kind}"


def declared_listing(seed: int, prefix: str, specs: list[dict[str, Any]]) -> dict[str, str]:
    """`{"token:<key>": token}` of the tokens a scenario file's `tokens:` declares under `prefix`, as both
    apps list them in `GET /_mock/scenario`'s `tokens`."""
    return {f"token:{t['key']}": token_for(seed, declared_key(prefix, t["key"], t.get("kind", "classic")))
            for t in specs}


def issue(seed: int, ghes_instances: int, enterprise_slugs: list[str]) -> dict[str, str]:
    """Build the scenario's key -> token map (see docs/scenarios.md for who each key is)."""
    return {key: token_for(seed, key) for key in token_keys(ghes_instances, enterprise_slugs)}


def key_for_token(tokens: dict[str, str], token: str) -> str | None:
    """Reverse look-up for servers authenticating a request: token -> key, or None if unknown."""
    for key, value in tokens.items():
        if value == token:
            return key
    return None
