"""The GHES REST API under `/api/v3`: GitHub's license and user-admin routes, plus the export.

Shapes are GitHub's (reference/ghes-license-endpoints.json); each route parses, calls the
store, serialises. `GET /enterprise/license-usage/export` is the mock's own route (GitHub
has no API for it; the appliance has the UI link and `ghe-license usage`).
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from github_http import GitHubError, isoformat
from github_http.api_wire import JSON
from github_http.errors import error_response, not_found, validation_failed
from github_http.private_user import as_json
from github_http.storage import Database

from .access import api_user, ghes, json_body, load, own_user, site_admin
from .domain import AlreadyExists, InvalidValue, NotAllowed, StoreError, UnknownUser
from .schemas import (
    CreateUserRequestSchema,
    LicenseInfoSchema,
    RenameRequestSchema,
    RenameResponseSchema,
    SuspendRequestSchema,
    UserStatsSchema,
    email_payload,
    private_payload,
    user_payload,
)
from .usage import UsageFile, build_usage

API_PREFIX = "/api/v3"


def store_error(error: StoreError) -> GitHubError:
    """A domain refusal in GitHub's terms: 404, 422 (already_exists / invalid) or 403."""
    if isinstance(error, UnknownUser):
        return not_found()
    if isinstance(error, AlreadyExists):
        return validation_failed([{"resource": "User", "field": error.field, "code": "already_exists"}])
    if isinstance(error, InvalidValue):
        return validation_failed([{"resource": "User", "field": error.field, "code": "invalid"}],
                                 message=f"Validation Failed: {error}")
    if isinstance(error, NotAllowed):
        return GitHubError(403, str(error))
    return GitHubError(422, str(error))


def export_response(usage: UsageFile) -> Response:
    """The export as a download: JSON body, attachment with its dated file name."""
    response = Response(usage.content, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{usage.filename}"'
    response.headers["X-License-Usage-Users"] = str(usage.users)
    response.headers["Cache-Control"] = "no-store"
    return response


def wants_encrypted() -> bool:
    """`?encrypted=false` (or 0/no) asks for the plain form; anything else keeps the default."""
    return request.args.get("encrypted", "true").strip().lower() not in ("false", "0", "no", "off")


def _now() -> str:
    """The app clock's now, as stored."""
    return isoformat(ghes().runtime.clock.now())


def make_api_blueprint() -> Blueprint:
    """Build the `/api/v3` blueprint."""
    bp = Blueprint("ghes_api", __name__, url_prefix=API_PREFIX)

    @bp.errorhandler(StoreError)
    def _refused(error: StoreError) -> Response:
        """Store refusals raised by any route of this blueprint."""
        return error_response(store_error(error))

    @bp.get("/enterprise/settings/license")
    def license_info() -> Response:
        """GitHub's "Get license information"."""
        site_admin(hide=True)
        runtime = ghes().runtime
        return jsonify(LicenseInfoSchema().dump(runtime.store.license_info(runtime.clock.now())))

    @bp.get("/enterprise/stats/users")
    def user_stats() -> Response:
        """GitHub's "Get users statistics"."""
        site_admin(hide=True)
        return jsonify(UserStatsSchema().dump(ghes().runtime.store.user_stats()))

    @bp.get("/enterprise/license-usage/export")
    def export() -> Response:
        """The mock's own: the license-usage file, encrypted unless ?encrypted=false."""
        site_admin(hide=True)
        return export_response(build_usage(ghes().runtime, encrypted=wants_encrypted()))

    @bp.post("/admin/users")
    def create_user() -> tuple[Response, int]:
        """GitHub's "Create a user": login normalised, 422 when the login or email exists."""
        site_admin()
        body = load(CreateUserRequestSchema(), json_body(), "User")
        user = ghes().runtime.store.create_user(body["login"], body["email"], body["suspended"], _now())
        return jsonify(user_payload(user, request.host_url)), 201

    @bp.patch("/admin/users/<username>")
    def rename_user(username: str) -> tuple[Response, int]:
        """GitHub's "Update the username for a user": 202, and the rename has happened."""
        site_admin()
        body = load(RenameRequestSchema(), json_body(), "User")
        user = ghes().runtime.store.rename_user(username, body["login"])
        return jsonify(RenameResponseSchema().dump({
            "message": "Job queued to rename user. It may take a few minutes to complete.",
            "url": f"{request.host_url}api/v3/user/{user['id']}"})), 202

    @bp.delete("/admin/users/<username>")
    def delete_user(username: str) -> tuple[str, int]:
        """GitHub's "Delete a user" (not yourself)."""
        admin = site_admin()
        ghes().runtime.store.delete_user(username, admin["login"])
        return "", 204

    @bp.put("/users/<username>/suspended")
    def suspend(username: str) -> tuple[str, int]:
        """GitHub's "Suspend a user" (not yourself); the seat is released."""
        return _suspension(username, True)

    @bp.delete("/users/<username>/suspended")
    def unsuspend(username: str) -> tuple[str, int]:
        """GitHub's "Unsuspend a user"."""
        return _suspension(username, False)

    def _suspension(username: str, suspended: bool) -> tuple[str, int]:
        """Both directions: an optional `{reason}` body, 204."""
        admin = site_admin()
        body = load(SuspendRequestSchema(), json_body(required=False), "User")
        ghes().runtime.store.set_suspended(username, suspended, body["reason"], admin["login"], _now())
        return "", 204

    @bp.get("/users/<username>")
    def get_user(username: str) -> Response:
        """A user by login, for any signed-in caller (GHES in private mode needs a token)."""
        api_user()
        return jsonify(user_payload(ghes().runtime.store.user(username), request.host_url, full=True))

    @bp.get("/user")
    def me() -> Response:
        """GitHub's "Get the authenticated user": the token's own user as private-user."""
        return Response(private_user_body(ghes().runtime.db, own_user(), request.host_url), content_type=JSON)

    @bp.get("/user/emails")
    def my_emails() -> Response:
        """GitHub's "List email addresses for the authenticated user"."""
        return jsonify(email_payload(own_user()))

    @bp.get("/user/<int:user_id>")
    def user_by_id(user_id: int) -> Response:
        """The rename answer's `url` points here; GitHub serves users by id at /user/{id}."""
        api_user()
        return jsonify(user_payload(ghes().runtime.store.user_by_id(user_id), request.host_url, full=True))

    return bp


def private_user_body(db: Database, user: dict[str, Any], host_url: str) -> bytes:
    """`GET /api/v3/user`'s body for `user` asked at `host_url` (the route's and its hot path's,
    api_hot.py), kept until the next write (`cached_read`): every GitHub client asks it first, and
    building the 40-field body was most of the request's cost."""
    return db.cached_read(("private_user", user["id"], host_url), lambda: as_json(private_payload(user, host_url)))
