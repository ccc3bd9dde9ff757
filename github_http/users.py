"""GitHub's `simple-user`, the user object both mocks answer with (`GET /user` and friends).

One schema and one builder for both apps, so a client that reads `followers_url` or
`html_url` from GHES's `GET /api/v3/user` finds the same fields on GHEC's `GET /user`:
only where the URLs point differs (GHES: the instance's `/api/v3` and its own web root;
GHEC: the mock's root, as api.github.com, and github.com for pages and avatars).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, fields


class SimpleUserSchema(Schema):
    """GitHub's `simple-user` (reference/ghes-license-endpoints.json), field for field."""

    name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    login = fields.String(required=True)
    id = fields.Integer(required=True)
    node_id = fields.String(required=True)
    avatar_url = fields.Url(required=True)
    gravatar_id = fields.String(required=True, allow_none=True)
    url = fields.Url(required=True)
    html_url = fields.Url(required=True)
    followers_url = fields.Url(required=True)
    following_url = fields.String(required=True)
    gists_url = fields.String(required=True)
    starred_url = fields.String(required=True)
    subscriptions_url = fields.Url(required=True)
    organizations_url = fields.Url(required=True)
    repos_url = fields.Url(required=True)
    events_url = fields.String(required=True)
    received_events_url = fields.Url(required=True)
    type = fields.String(required=True)
    site_admin = fields.Boolean(required=True)
    user_view_type = fields.String()


@dataclass(frozen=True, slots=True)
class UserUrls:
    """Where one product's user URLs point: its REST root, its web root and its avatar server."""

    api_root: str   # e.g. "http://127.0.0.1:8081/api/v3" (GHES) or "http://127.0.0.1:8082" (GHEC)
    web_root: str   # e.g. "http://127.0.0.1:8081" (GHES) or "https://github.com" (GHEC)
    avatars: str    # avatar URL before the user id, e.g. "https://avatars.githubusercontent.com/u/"


def simple_user(urls: UserUrls, *, login: str, user_id: int, node_id: str, name: str | None,
                email: str | None, site_admin: bool) -> dict[str, Any]:
    """The `simple-user` fields of one account, every URL built as GitHub builds it."""
    base = f"{urls.api_root.rstrip('/')}/users/{login}"
    return {
        "name": name, "email": email, "login": login, "id": user_id, "node_id": node_id,
        "avatar_url": f"{urls.avatars}{user_id}", "gravatar_id": "", "url": base,
        "html_url": f"{urls.web_root.rstrip('/')}/{login}", "followers_url": f"{base}/followers",
        "following_url": f"{base}/following{{/other_user}}", "gists_url": f"{base}/gists{{/gist_id}}",
        "starred_url": f"{base}/starred{{/owner}}{{/repo}}", "subscriptions_url": f"{base}/subscriptions",
        "organizations_url": f"{base}/orgs", "repos_url": f"{base}/repos",
        "events_url": f"{base}/events{{/privacy}}", "received_events_url": f"{base}/received_events",
        "type": "User", "site_admin": site_admin, "user_view_type": "public",
    }
