"""Who a presented token is on the mock GHEC, for the wire layer (rate limit, scopes): github_http/api_wire.py.

A person's token (ghec_tokens) is its owner with the scopes its scenario role was issued
(scenarios/tokens.py); a GitHub Connect token counts for its enterprise, unscoped.
"""
from __future__ import annotations

from github_http.auth import token_digest
from github_http.storage import Database
from github_http.token_kinds import Caller, kind_of

from . import reads

#: The classic scopes each scenario role's token was issued: an owner's can read the enterprise.
ROLE_SCOPES = {"owner": ("read:enterprise", "read:org", "user"), "member": ("read:org", "user")}


def identify(db: Database, token: str) -> Caller | None:
    """The caller behind `token`, or None for a token nobody has."""
    found = reads.token_caller(db, token)
    if found is None:
        if reads.enterprise_for_connect_token(db, token) is None:
            return None
        return Caller(token_digest(token), None, "connect", kind_of(token), None)
    login, key, account_id = found
    kind = kind_of(token)
    scopes = ROLE_SCOPES.get(key.rsplit(":", 1)[-1], ("user",))
    return Caller(token_digest(token), account_id, login, kind, scopes)
