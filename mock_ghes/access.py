"""Who is calling, as GitHub decides it, and parsing request bodies the GitHub way.

API routes authenticate tokens (`token`/`Bearer`, looked up by digest); the Manage API uses
HTTP Basic with the user `api_key`; pages use the signed-in session. The answers follow
GitHub: no credentials 401 "Requires authentication", unknown 401 "Bad credentials", a
normal user 403 (or 404 on the enterprise routes GitHub hides from non-admins).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import current_app, request
from marshmallow import Schema, ValidationError

from github_http import GitHubError
from github_http.api_wire import CALLER_KEY
from github_http.auth import basic_credentials, require_token, secrets_equal, token_digest
from github_http.errors import not_found, validation_failed
from github_http.request_guard import json_body as json_body  # one reader for both apps; GHES routes import it here
from github_http.token_kinds import classic_refusal, refuse_apps

from .identity import ADMIN_SCOPE

if TYPE_CHECKING:  # WHY only for the checker: app.py imports the blueprints, which import this
    from .app import GhesApp

MANAGE_USER = "api_key"
MANAGE_REALM = "GitHub Enterprise Server Management Console"


def ghes() -> GhesApp:
    """The app's GHES pieces (runtime, syncer), set by create_app (typed, so every call from a
    route into the runtime and store is checked)."""
    return current_app.extensions["ghes"]


def api_user() -> dict[str, Any]:
    """The user the request's token belongs to, or GitHub's 401/403."""
    digest = token_digest(require_token())
    user = ghes().runtime.store.user_by_token(digest)
    if user is None:
        raise GitHubError(401, "Bad credentials")
    if user["suspended"]:
        raise GitHubError(403, "Sorry. Your account was suspended.")
    return user


def site_admin(*, hide: bool = False) -> dict[str, Any]:
    """The calling site admin; a normal user gets 403, or 404 where GitHub hides the route. As
    GitHub, only a personal access token (classic) with `site_admin` reaches these routes: an App
    installation token, a fine-grained token and a classic one without the scope get 403."""
    user = api_user()
    if not user["site_admin"]:
        if hide:
            raise not_found()
        raise GitHubError(403, "You must be a site administrator to do that.")
    refused = classic_refusal(request.environ.get(CALLER_KEY), ADMIN_SCOPE)
    if refused is not None:
        raise GitHubError(403, refused)
    return user


def own_user() -> dict[str, Any]:
    """The token's own user for `/user` and `/user/emails`, which are not enabled for GitHub Apps."""
    user = api_user()
    refuse_apps(request.environ.get(CALLER_KEY))
    return user


def manage_auth() -> None:
    """HTTP Basic for the Manage API: user `api_key`, password the instance's Manage token."""
    challenge = {"WWW-Authenticate": f'Basic realm="{MANAGE_REALM}"'}
    creds = basic_credentials()
    if creds is None:
        raise GitHubError(401, "Requires authentication", headers=challenge)
    expected = ghes().runtime.store.instance()["manage_token_digest"]
    user_ok = secrets_equal(creds[0], MANAGE_USER)
    password_ok = secrets_equal(token_digest(creds[1]), expected)
    if not (user_ok and password_ok):
        raise GitHubError(401, "Bad credentials", headers=challenge)


def load(schema: Schema, data: Any, resource: str) -> dict[str, Any]:
    """Validate a body with its schema; problems become GitHub's 422 with one error per field."""
    if not isinstance(data, dict):
        raise GitHubError(400, "Body should be a JSON object")
    try:
        return schema.load(data)
    except ValidationError as error:
        errors = []
        for field, messages in sorted(error.normalized_messages().items()):
            missing = any("Missing data" in str(m) for m in messages) if isinstance(messages, list) else False
            errors.append({"resource": resource, "field": field, "code": "missing_field" if missing else "invalid"})
        raise validation_failed(errors) from error
