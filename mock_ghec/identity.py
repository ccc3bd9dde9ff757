"""Who a presented token is on the mock GHEC, for the wire layer (rate limit, scopes): github_http/api_wire.py.

A person's token (ghec_tokens) is its owner with the scopes its scenario role was issued
(scenarios/tokens.py): the label `ghec:<slug>:<role>[:<kind>]` names the role, and the
owner's `no_scopes` token is a classic one with only `read:org` and `user`. A GitHub Connect
token counts for its enterprise, unscoped. The kind is the token's prefix (DOMAIN §10).
"""
from __future__ import annotations

import re

from github_http.auth import token_digest
from github_http.storage import Database
from github_http.token_kinds import CLASSIC, OAUTH_APP, Caller, accepted, kind_of
from scenarios.model import Enterprise
from scenarios.tokens import declared_key

from . import reads, token_reads

#: The classic scopes each scenario role's token was issued: an owner's can read the enterprise
#: and run its organizations' and (EMU) its SCIM provisioning.
ROLE_SCOPES = {"owner": ("admin:org", "read:enterprise", "read:org", "scim:enterprise", "user"),
               "member": ("read:org", "user")}
#: The license endpoints' scope (reference/ghec-license-endpoints.json) and their paths.
LICENSE_SCOPE = "read:enterprise"
#: SCIM's scopes, as GitHub documents them: an organization's needs `admin:org`, an EMU enterprise's
#: `scim:enterprise`.
ORG_SCIM_SCOPE, ENTERPRISE_SCIM_SCOPE = "admin:org", "scim:enterprise"
_SCOPED_PATHS = ((re.compile(r"/enterprises/[^/]+/(consumed-licenses|license-sync-status)"), LICENSE_SCOPE),
                 (re.compile(r"/scim/v2/organizations/[^/]+/Users(/[^/]+)?"), ORG_SCIM_SCOPE),
                 (re.compile(r"/scim/v2/enterprises/[^/]+/Users(/[^/]+)?"), ENTERPRISE_SCIM_SCOPE))
#: Each scoped path's header value, put together once (asked on every API answer).
_ACCEPTED = tuple((pattern, accepted(scope)) for pattern, scope in _SCOPED_PATHS)


def accepted_scopes(path: str) -> str | None:
    """`X-Accepted-OAuth-Scopes` of the license and SCIM endpoints; other paths need no scope."""
    return next((value for pattern, value in _ACCEPTED if pattern.fullmatch(path)), None)


def token_rows(ent: Enterprise, tokens: dict[str, str], owner_token: str | None) -> list[tuple]:
    """One enterprise's `ghec_tokens` rows (digest, login, label, scopes): the owner's and member's
    (`owner_token` replaces the owner's classic one: --owner-token), the owner's of every kind, and
    those the scenario file declares, with their scopes (stated, or the holder's role's)."""
    rows: list[tuple] = []
    for key, login in ((f"ghec:{ent.slug}:owner", ent.owner_login), (f"ghec:{ent.slug}:member", ent.member_login),
                       *((k, ent.owner_login) for k in tokens if k.startswith(f"ghec:{ent.slug}:owner:"))):
        token = owner_token if owner_token and key.endswith(":owner") else tokens[key]
        rows.append((token_digest(token), login, key, None))
    owners = {m.login.lower() for m in ent.members if m.enterprise_owner}
    for t in ent.tokens:
        key = declared_key(f"ghec:{ent.slug}", t.key, t.kind)
        scopes = t.scopes if t.scopes is not None else ROLE_SCOPES["owner" if t.login.lower() in owners else "member"]
        rows.append((token_digest(tokens[key]), t.login, key, " ".join(scopes)))
    return rows


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
    login, label, account_id, stated = found
    kind = kind_of(token)
    parts = label.split(":")
    scopes = ROLE_SCOPES.get(parts[2] if len(parts) > 2 else "", ("user",))
    if stated is not None:  # a token a scenario file declared, with its scopes
        scopes = tuple(stated.split())
    elif parts[-1] == "no_scopes":  # none of the scopes the owner's routes check
        scopes = tuple(scope for scope in scopes if scope not in (LICENSE_SCOPE, ORG_SCIM_SCOPE, ENTERPRISE_SCIM_SCOPE))
    return Caller(token_digest(token), account_id, login, kind, scopes if kind in (CLASSIC, OAUTH_APP) else None)
