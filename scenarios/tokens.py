"""Deterministic, GitHub-looking tokens: the same seed and key give the same token anywhere.

Servers print them at start-up and tests rebuild them from the seed, so nothing secret is ever
stored or exchanged. They deliberately carry no valid GitHub checksum, so secret scanners that
verify the checksum do not treat them as live credentials.
"""
from __future__ import annotations

import hashlib

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
TOKEN_BODY = 36


def token_for(seed: int, key: str) -> str:
    """Return `ghp_` + 36 base62 chars from sha256(seed:key); stable across processes and hosts."""
    number = int.from_bytes(hashlib.sha256(f"{seed}:{key}".encode()).digest(), "big")
    chars = []
    for _ in range(TOKEN_BODY):
        number, digit = divmod(number, 62)
        chars.append(_ALPHABET[digit])
    return "ghp_" + "".join(chars)


def token_keys(ghes_instances: int, enterprise_slugs: list[str]) -> list[str]:
    """List every key a scenario issues a token for, so build and servers agree on the set."""
    keys = []
    for k in range(1, ghes_instances + 1):
        keys += [f"ghes:{k}:admin", f"ghes:{k}:member", f"ghes:{k}:manage"]
    for slug in enterprise_slugs:
        keys += [f"ghec:{slug}:owner", f"ghec:{slug}:member", f"connect:{slug}"]
    return keys


def issue(seed: int, ghes_instances: int, enterprise_slugs: list[str]) -> dict[str, str]:
    """Build the scenario's key -> token map (see docs/scenarios.md for who each key is)."""
    return {key: token_for(seed, key) for key in token_keys(ghes_instances, enterprise_slugs)}


def key_for_token(tokens: dict[str, str], token: str) -> str | None:
    """Reverse look-up for servers authenticating a request: token -> key, or None if unknown."""
    for key, value in tokens.items():
        if value == token:
            return key
    return None
