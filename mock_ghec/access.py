"""Who may call what: GitHub's answers for enterprise routes, in one place.

The matrix (docs/ghec.md): no token → 401 "Requires authentication"; a token nobody has →
401 "Bad credentials"; a member of the enterprise who is not an owner → 403; anyone else,
including another enterprise's owner, → the same 404 as an enterprise that does not exist,
so no route tells an outsider whether an enterprise exists.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app, request

from github_http.api_wire import CALLER_KEY
from github_http.appkit import current_kit
from github_http.auth import require_token
from github_http.errors import GitHubError, bad_credentials, not_found
from github_http.token_kinds import refusal

from . import reads
from .identity import LICENSE_SCOPE
from .reads import EnterpriseAccess

if TYPE_CHECKING:  # WHY only for the checker: store.py is heavy and app.py wires both
    from github_http.storage import Database

    from .store import Store

#: Roles that make someone a member of the enterprise (so a 403, not a 404, tells them no).
MEMBER_ROLES = ("owner", "member")
OWNERS_ONLY = "You must be an enterprise owner to use this endpoint."


def store() -> Store:
    """The app's Store (set up by create_app; typed, so every call from a route is checked)."""
    return current_app.extensions["ghec_store"]


def db() -> Database:
    """The app's Database."""
    return current_kit().db


def caller_login() -> str:
    """The login behind the request's token, or GitHub's 401."""
    login = reads.login_for_token(db(), require_token())
    if login is None:
        raise bad_credentials()
    return login


def owned_enterprise(slug: str, login: str | None = None) -> EnterpriseAccess:
    """The enterprise `slug` if the caller (token, or `login` for pages) is one of its owners."""
    if login is None:
        login, access = reads.token_access(db(), require_token(), slug)
        if login is None:
            raise bad_credentials()
    else:
        access = reads.enterprise_access(db(), slug, login)
    if access is None or access.role is None:
        raise not_found()
    if not access.owner:
        if access.role in MEMBER_ROLES:
            raise GitHubError(403, OWNERS_ONLY)
        raise not_found()
    return access


def connect_enterprise(slug: str) -> EnterpriseAccess:
    """The enterprise `slug` if the request carries that enterprise's GitHub Connect token."""
    token = require_token()
    enterprise_id = reads.enterprise_for_connect_token(db(), token)
    if enterprise_id is None:
        if reads.login_for_token(db(), token) is None:
            raise bad_credentials()
        raise not_found()  # a person's token is not a Connect token: do not say more
    access = reads.enterprise_access(db(), slug, None)
    if access is None or access.id != enterprise_id:
        raise not_found()
    return access


def license_access(slug: str) -> EnterpriseAccess:
    """`owned_enterprise` for GitHub's license endpoints, which also refuse GitHub App installation
    tokens and classic/OAuth-app tokens without `read:enterprise` (403, GitHub's messages)."""
    access = owned_enterprise(slug)
    reason = refusal(request.environ.get(CALLER_KEY), LICENSE_SCOPE)
    if reason is not None:
        raise GitHubError(403, reason)
    return access
