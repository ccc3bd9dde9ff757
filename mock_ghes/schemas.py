"""The wire shapes of the mock GHES, as marshmallow schemas.

Routes serialise through these and the `/_mock/openapi.json` document is generated from
them, so the two cannot drift. The public ones copy GitHub's description exactly
(reference/ghes-license-endpoints.json: license-info, enterprise-user-overview, simple-user,
ghes-license-info, ghes-license-check); the Connect and `/_mock/` ones are the mock's own.
"""
from __future__ import annotations

import base64
from typing import Any

from marshmallow import EXCLUDE, Schema, fields, validate

from export_format.schemas import EmailSchema
from github_http.private_user import emails, private_user
from github_http.users import SimpleUserSchema, UserUrls, simple_user

_SEATS = {"oneOf": [{"type": "string"}, {"type": "integer"}]}


class LicenseInfoSchema(Schema):
    """GitHub's `license-info` (GET /enterprise/settings/license): seats may be "unlimited"."""

    seats = fields.Raw(metadata=_SEATS)
    seats_used = fields.Integer()
    seats_available = fields.Raw(metadata=_SEATS)
    kind = fields.String()
    days_until_expiration = fields.Integer()
    expire_at = fields.String(metadata={"description": "As GitHub writes it: 2016/02/06 12:41:52 -0600"})


class UserStatsSchema(Schema):
    """GitHub's `enterprise-user-overview` (GET /enterprise/stats/users)."""

    total_users = fields.Integer(required=True)
    admin_users = fields.Integer(required=True)
    suspended_users = fields.Integer(required=True)


class UserSchema(SimpleUserSchema):
    """GET /users/{username} and GET /user: simple-user plus the dates GHES shows."""

    created_at = fields.String()
    suspended_at = fields.String(allow_none=True)


class CreateUserRequestSchema(Schema):
    """POST /admin/users body; the mock uses built-in authentication, so email is required."""

    class Meta:
        unknown = EXCLUDE

    login = fields.String(required=True)
    email = fields.String(required=True)
    suspended = fields.Boolean(load_default=False)


class RenameRequestSchema(Schema):
    """PATCH /admin/users/{username} body."""

    class Meta:
        unknown = EXCLUDE

    login = fields.String(required=True)


class RenameResponseSchema(Schema):
    """PATCH /admin/users/{username} 202 body."""

    message = fields.String()
    url = fields.String()


#: Longest suspension reason kept (ours: GitHub documents none).
MAX_REASON_LENGTH = 1024


class SuspendRequestSchema(Schema):
    """PUT/DELETE /users/{username}/suspended body (optional)."""

    class Meta:
        unknown = EXCLUDE

    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=MAX_REASON_LENGTH))


class ManageLicenseInfoSchema(Schema):
    """GitHub's `ghes-license-info` (Manage API GET /manage/v1/config/license)."""

    advancedSecurityEnabled = fields.Boolean()
    advancedSecuritySeats = fields.Integer()
    clusterSupport = fields.Boolean()
    company = fields.String()
    croquetSupport = fields.Boolean()
    customTerms = fields.Boolean()
    evaluation = fields.Boolean()
    expireAt = fields.String(metadata={"format": "date-time"})
    insightsEnabled = fields.Boolean()
    learningLabSeats = fields.Integer()
    perpetual = fields.Boolean()
    referenceNumber = fields.String()
    seats = fields.Integer()
    sshAllowed = fields.Boolean()
    supportKey = fields.String()
    unlimitedSeating = fields.Boolean()


class ManageLicenseCheckSchema(Schema):
    """GitHub's `ghes-license-check`."""

    status = fields.String(validate=validate.OneOf(["valid", "invalid", "expired", "cluster mode not supported"]))


class MockLicenseSchema(Schema):
    """The mock's own license file (the `license` part of PUT /manage/v1/config/license): JSON."""

    class Meta:
        unknown = EXCLUDE

    seats = fields.Raw(required=True, metadata=_SEATS)
    kind = fields.String(load_default="standard")
    expire_at = fields.String(required=True, metadata={"format": "date-time"})


class SyncAttemptSchema(Schema):
    """One license-sync attempt (the mock's own)."""

    id = fields.Integer()
    at = fields.String(metadata={"format": "date-time"})
    trigger = fields.String(validate=validate.OneOf(["manual", "scheduled"]))
    result = fields.String(validate=validate.OneOf(["success", "failure"]))
    http_status = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    users_sent = fields.Integer()


class ConnectSchema(Schema):
    """GET/PUT /api/v3/enterprise/connect answer (the mock's own); the token is never echoed."""

    ghec_url = fields.String()
    enterprise = fields.String()
    token_configured = fields.Boolean()
    license_sync = fields.Boolean()
    license_sync_enabled_at = fields.String(allow_none=True)
    next_sync_at = fields.String(allow_none=True)
    server_id = fields.String()
    host_name = fields.String()
    registered = fields.Boolean()
    registered_at = fields.String(allow_none=True)
    registration_error = fields.String(allow_none=True)
    last_sync = fields.Nested(SyncAttemptSchema, allow_none=True)
    attempts = fields.List(fields.Nested(SyncAttemptSchema))


class ConnectUpdateSchema(Schema):
    """PUT /api/v3/enterprise/connect body: omitted keys keep their current value."""

    class Meta:
        unknown = EXCLUDE

    ghec_url = fields.String(validate=validate.Regexp(r"^https?://[^\s/]+", error="must be an http(s) URL"))
    enterprise = fields.String(validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9-]*$",
                                                        error="must be an enterprise slug"))
    token = fields.String(validate=validate.Length(min=1, max=255))
    license_sync = fields.Boolean()


class MockUserSchema(Schema):
    """GET /_mock/users: every attribute, the verifier's ground truth (never on the public API)."""

    id = fields.Integer()
    login = fields.String()
    name = fields.String(allow_none=True)
    emails = fields.List(fields.Nested(EmailSchema))  # the export contract's own email shape
    primary_email = fields.String(allow_none=True)
    kind = fields.String()
    site_admin = fields.Boolean()
    suspended = fields.Boolean()
    suspended_at = fields.String(allow_none=True)
    suspension_reason = fields.String(allow_none=True)
    dormant = fields.Boolean()
    created_at = fields.String()
    last_active_at = fields.String(allow_none=True)
    person_id = fields.Integer(allow_none=True)
    canary = fields.String()
    has_token = fields.Boolean()
    consumes_license = fields.Boolean()


# Built once: WHY, a marshmallow schema deep-copies its declared fields when constructed (0.5 ms,
# most of what `GET /api/v3/user` cost); `dump` reads them only, so one instance serves every thread.
_USER, _SIMPLE_USER = UserSchema(), SimpleUserSchema()


def user_payload(user: dict[str, Any], host_url: str, *, full: bool = False) -> dict[str, Any]:
    """A user as GitHub shows it: simple-user with URLs on the server that was asked."""
    html = host_url.rstrip("/")
    data = simple_user(UserUrls(f"{html}/api/v3", html, f"{html}/avatars/u/"), login=user["login"],
                       user_id=user["id"], node_id=base64.b64encode(f"04:User{user['id']}".encode()).decode("ascii"),
                       name=user["name"], email=user["primary_email"], site_admin=user["site_admin"])
    data.update(created_at=user["created_at"], suspended_at=user["suspended_at"])
    return (_USER if full else _SIMPLE_USER).dump(data)


def private_payload(user: dict[str, Any], host_url: str) -> dict[str, Any]:
    """The token owner as GitHub's private-user (`GET /api/v3/user`), URLs on the server that was asked."""
    html = host_url.rstrip("/")
    return private_user(UserUrls(f"{html}/api/v3", html, f"{html}/avatars/u/"), login=user["login"],
                        user_id=user["id"], node_id=base64.b64encode(f"04:User{user['id']}".encode()).decode("ascii"),
                        name=user["name"], email=user["primary_email"], site_admin=user["site_admin"],
                        created_at=user["created_at"])


def email_payload(user: dict[str, Any]) -> list[dict[str, Any]]:
    """The user's addresses as GitHub's `email` list (GHES verifies every address it holds)."""
    return emails([(e["address"], bool(e.get("verified", True))) for e in user["emails"]], user["primary_email"])
