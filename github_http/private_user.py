"""GitHub's `private-user` and `email`: `GET /user` and `GET /user/emails` on both mocks.

`GET /user` answers the token owner's private-user (GitHub's description, and what typed
clients such as githubkit's `rest.users.get_authenticated()` validate): simple-user plus the
profile, counters and dates. The mock has no repositories, gists or followers: their counters
are 0; the profile fields it does not keep are null, as for a user who never filled them in.
"""
from __future__ import annotations

import json
from typing import Any

from marshmallow import Schema, fields

from .users import SimpleUserSchema, UserUrls, simple_user


class PrivateUserSchema(SimpleUserSchema):
    """GitHub's `private-user` (reference/ghec-membership-endpoints.json), field for field."""

    company = fields.String(required=True, allow_none=True)
    blog = fields.String(required=True, allow_none=True)
    location = fields.String(required=True, allow_none=True)
    notification_email = fields.String(allow_none=True)
    hireable = fields.Boolean(required=True, allow_none=True)
    bio = fields.String(required=True, allow_none=True)
    twitter_username = fields.String(allow_none=True)
    public_repos = fields.Integer(required=True)
    public_gists = fields.Integer(required=True)
    followers = fields.Integer(required=True)
    following = fields.Integer(required=True)
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)
    private_gists = fields.Integer(required=True)
    total_private_repos = fields.Integer(required=True)
    owned_private_repos = fields.Integer(required=True)
    disk_usage = fields.Integer(required=True)
    collaborators = fields.Integer(required=True)
    two_factor_authentication = fields.Boolean(required=True)


class EmailSchema(Schema):
    """GitHub's `email`: one address of the authenticated user."""

    email = fields.String(required=True)
    primary = fields.Boolean(required=True)
    verified = fields.Boolean(required=True)
    visibility = fields.String(required=True, allow_none=True)


_PRIVATE_USER, _EMAILS = PrivateUserSchema(), EmailSchema(many=True)


def private_user(urls: UserUrls, *, login: str, user_id: int, node_id: str, name: str | None,
                 email: str | None, site_admin: bool, created_at: str, updated_at: str | None = None,
                 two_factor: bool = False) -> dict[str, Any]:
    """The private-user body of one account."""
    data = simple_user(urls, login=login, user_id=user_id, node_id=node_id, name=name, email=email,
                       site_admin=site_admin)
    data.update(company=None, blog="", location=None, notification_email=email, hireable=None, bio=None,
                twitter_username=None, public_repos=0, public_gists=0, followers=0, following=0,
                created_at=created_at, updated_at=updated_at or created_at, private_gists=0,
                total_private_repos=0, owned_private_repos=0, disk_usage=0, collaborators=0,
                two_factor_authentication=two_factor, user_view_type="private")  # GitHub's discriminator
    return _PRIVATE_USER.dump(data)


def as_json(payload: dict[str, Any]) -> bytes:
    """A private-user body as its answer's bytes: what Flask's `jsonify` sends (compact, ASCII,
    keys in order, a final newline), built once so a route and its hot path send the same bytes."""
    return (json.dumps(payload, separators=(",", ":")) + "\n").encode("ascii")


def emails(addresses: list[tuple[str, bool]], primary: str | None) -> list[dict[str, Any]]:
    """The `email` list: each (address, verified), the primary one first and `private` as GitHub's default."""
    ordered = sorted(addresses, key=lambda item: item[0] != primary)
    return _EMAILS.dump([{"email": address, "primary": address == primary, "verified": verified,
                          "visibility": "private" if address == primary else None}
                         for address, verified in ordered])
