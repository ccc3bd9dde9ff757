"""Who a presented token is on the mock GHES, for the wire layer (rate limit, scopes): github_http/api_wire.py.

Each user's token is a classic token; a site admin's carries the scopes its role needs
(`site_admin` for the admin routes GitHub guards with it), anyone else's `user`.
"""
from __future__ import annotations

import re

from github_http.auth import token_digest
from github_http.token_kinds import Caller, kind_of

from .runtime import Runtime

ADMIN_SCOPES = ("read:enterprise", "site_admin", "user")
USER_SCOPES = ("user",)
#: GitHub's site-admin routes (user admin, suspension, the enterprise's license and stats).
_ADMIN_PATH = re.compile(r"/api/v3/(admin/users(/[^/]+)?|users/[^/]+/suspended"
                         r"|enterprise/(settings/license|stats/users))")


def accepted_scopes(path: str) -> str | None:
    """`X-Accepted-OAuth-Scopes` of the site-admin routes (`site_admin`); other paths need no scope."""
    return "site_admin" if _ADMIN_PATH.fullmatch(path) else None


def identify(runtime: Runtime, token: str) -> Caller | None:
    """The caller behind `token`, or None for a token nobody has."""
    digest = token_digest(token)
    user = runtime.store.user_by_token(digest)
    if user is None:
        return None
    scopes = ADMIN_SCOPES if user["site_admin"] else USER_SCOPES
    return Caller(digest, user["id"], user["login"], kind_of(token), scopes)
