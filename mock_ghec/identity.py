"""Who a presented token is on the mock GHEC, for the wire layer (rate limit, scopes): github_http/api_wire.py.

A person's token (ghec_tokens) is its owner with the scopes its scenario role was issued
(scenarios/tokens.py): the label `ghec:<slug>:<role>[:<kind>]` names the role, and the
owner's `no_scopes` token is a classic one without `read:enterprise`. A GitHub Connect
token counts for its enterprise, unscoped. The kind is the token's prefix (DOMAIN §10).
"""
from __future__ import annotations

import re

from github_http.auth import token_digest
from github_http.storage import Database
from github_http.token_kinds import CLASSIC, OAUTH_APP, Caller, accepted, kind_of

from . import reads, token_reads

#: The classic scopes each scenario role's token was issued: an owner's can read the enterprise.
ROLE_SCOPES = {"owner": ("read:enterprise", "read:org", "user"), "member": ("read:org", "user")}
#: The license endpoints' scope (reference/ghec-license-endpoints.json) and their paths.
LICENSE_SCOPE = "read:enterprise"
_LICENSE_PATH = re.compile(r"/enterprises/[^/]+/(consumed-licenses|license-sync-status)")


_LICENSE_ACCEPTED = accepted(LICENSE_SCOPE)


def accepted_scopes(path: str) -> str | None:
    """`X-Accepted-OAuth-Scopes` of the license endpoints; other paths need no scope (asked on
    every API answer, hence the header's value put together once)."""
    return _LICENSE_ACCEPTED if _LICENSE_PATH.fullmatch(path) else None


def identify(db: Database, token: str) -> Caller | None:
    """The caller behind `token`, or None for a token nobody has; read again only after a write
    (`Database.unchanged`: every API request asks, and a Caller is immutable)."""
    return db.cached_read(("caller", token), lambda: _identify(db, token))


def _identify(db: Database, token: str) -> Caller | None:
    """`identify` from the database."""
    found = token_reads.token_caller(db, token)
    if found is None:
        if reads.enterprise_for_connect_token(db, token) is None:
            return None
        return Caller(token_digest(token), None, "connect", kind_of(token), None)
    login, label, account_id = found
    kind = kind_of(token)
    parts = label.split(":")
    scopes = ROLE_SCOPES.get(parts[2] if len(parts) > 2 else "", ("user",))
    if parts[-1] == "no_scopes":
        scopes = tuple(scope for scope in scopes if scope != LICENSE_SCOPE)
    return Caller(token_digest(token), account_id, login, kind, scopes if kind in (CLASSIC, OAUTH_APP) else None)
