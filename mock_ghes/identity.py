"""Who a presented token is on the mock GHES, for the wire layer (rate limit, scopes): github_http/api_wire.py.

Each user's own token is a classic token; a site admin's carries the scopes its role needs
(`site_admin` for the admin routes GitHub guards with it), anyone else's `user`. The site admin
also holds one token of each kind (`ghes_tokens`, scenario keys `ghes:{k}:admin:{kind}`): the
kind is the prefix, an OAuth-app token has the admin's scopes, `no_scopes` is a classic token
without `site_admin`. A token a scenario file declares (`tokens:`) has the scopes it states, or
its holder's.
"""
from __future__ import annotations

import re

from github_http.auth import token_digest
from github_http.token_kinds import CLASSIC, OAUTH_APP, Caller, kind_of

from .runtime import Runtime

ADMIN_SCOPE = "site_admin"
ADMIN_SCOPES = ("read:enterprise", ADMIN_SCOPE, "user")
USER_SCOPES = ("user",)
#: The site-admin routes: GitHub's (user admin, suspension, the enterprise's license and stats) and
#: the mock's own that a site admin's token reaches the same way (the export, Connect).
_ADMIN_PATH = re.compile(r"/api/v3/(admin/users(/[^/]+)?|users/[^/]+/suspended"
                         r"|enterprise/(settings/license|stats/users|license-usage/export|connect(/license-sync)?))")


def accepted_scopes(path: str) -> str | None:
    """`X-Accepted-OAuth-Scopes` of the site-admin routes (`site_admin`); other paths need no scope."""
    return ADMIN_SCOPE if _ADMIN_PATH.fullmatch(path) else None


def identify(runtime: Runtime, token: str) -> Caller | None:
    """The caller behind `token`, or None for a token nobody has; read again only after a write
    (`Database.cached_read`: every API request asks, and a Caller is immutable)."""
    return runtime.db.cached_read(("caller", token), lambda: _identify(runtime, token))


def _identify(runtime: Runtime, token: str) -> Caller | None:
    """`identify` from the database."""
    digest = token_digest(token)
    user = runtime.store.user_by_token(digest)
    if user is None:
        return None
    scopes: tuple[str, ...] = ADMIN_SCOPES if user["site_admin"] else USER_SCOPES
    extra = runtime.store.extra_token(digest) if user["token_digest"] != digest else None
    if extra is not None and extra[1] is not None:  # a token a scenario file declared, with its scopes
        scopes = tuple(extra[1].split())
    elif extra is not None and extra[0].endswith(":no_scopes"):
        scopes = tuple(scope for scope in scopes if scope != ADMIN_SCOPE)
    kind = kind_of(token)
    return Caller(digest, user["id"], user["login"], kind, scopes if kind in (CLASSIC, OAUTH_APP) else None)
