"""Credentials as GitHub reads them: `Authorization: token T` or `Bearer T`, and HTTP Basic.

Tokens are stored and looked up by their SHA-256 digest, so a lookup's timing says nothing
about how much of a guessed token was right; secrets that must be compared directly go
through `hmac.compare_digest`.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from flask import request

from .errors import GitHubError, bad_credentials, requires_authentication


def token_digest(token: str) -> str:
    """The stored form of a token: lookups compare digests, never the token text."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def presented_token() -> str | None:
    """The token in the request's Authorization header, or None when there is none.

    A header that is present but malformed (an unknown scheme, an empty token) is a bad
    credential, as on GitHub, not a missing one.
    """
    header = request.headers.get("Authorization", "")
    if not header.strip():
        return None
    token = token_in(header)
    if token is None:
        raise bad_credentials()
    return token


def token_in(header: str) -> str | None:
    """The token of an `Authorization: token T` (or `Bearer T`) header; None for anything else."""
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() not in ("token", "bearer") or not value.strip():
        return None
    return value.strip()


def require_token() -> str:
    """The request's token, or GitHub's 401 "Requires authentication"."""
    token = presented_token()
    if token is None:
        raise requires_authentication()
    return token


def basic_credentials() -> tuple[str, str] | None:
    """The (user, password) of an HTTP Basic header, or None; a garbled header counts as none."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if sep else None


def secrets_equal(presented: str, expected: str) -> bool:
    """Constant-time comparison of two secrets."""
    return hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8"))


def require_basic(user: str, password: str, realm: str) -> None:
    """Enforce HTTP Basic credentials (the GHES Manage API), with `WWW-Authenticate` on failure."""
    creds = basic_credentials()
    if creds is None:
        raise GitHubError(401, "Requires authentication",
                          headers={"WWW-Authenticate": f'Basic realm="{realm}"'})
    ok_user = secrets_equal(creds[0], user)
    ok_password = secrets_equal(creds[1], password)
    if not (ok_user and ok_password):
        raise GitHubError(401, "Bad credentials", headers={"WWW-Authenticate": f'Basic realm="{realm}"'})
