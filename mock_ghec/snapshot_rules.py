"""What a restored GHEC snapshot's values must be: the rules the routes that write them apply.

Used by `PUT /_mock/snapshot` (github_http/snapshot_check.py): a server registered or uploaded
through a route has a UUID, a host name and a version that passed these very patterns, and a
failed-sync text bounded by the Connect push route; a restore may not bring in what those
routes would have refused. What GHEC derives (the rows, their fragments, the counts) is not
taken from a snapshot at all (restore.py); the JSON columns that remain are held to the
shape their readers assume (`ghes_usage.users`: ids are pasted into rows unquoted).
"""
from __future__ import annotations

import re
from typing import Any

from export_format.schemas import EMAIL_PATTERN, HOST_PATTERN, UUID_PATTERN
from export_format.strict import compile_json_pattern
from github_http.snapshot_check import ColumnRules, json_text, one_line, text, time_value

from .schemas import MAX_VERSION_LENGTH, VERSION_OR_EMPTY
from .server_usage import MAX_SYNC_ERROR_CHARS

_UUID = re.compile(UUID_PATTERN)
_HOST = compile_json_pattern(HOST_PATTERN)
_EMAIL = compile_json_pattern(EMAIL_PATTERN)
_VERSION = compile_json_pattern(VERSION_OR_EMPTY)
_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,254}")
_LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,254}")

uuid = text(lambda v: _UUID.fullmatch(v) is not None, "a lowercase UUID")
host = text(lambda v: len(v) <= 255 and _HOST.search(v) is not None, "a host name")
version = text(lambda v: len(v) <= MAX_VERSION_LENGTH and _VERSION.search(v) is not None, "a version such as 3.15.2")
slug = text(lambda v: _SLUG.fullmatch(v) is not None, "an enterprise slug")
login = text(lambda v: _LOGIN.fullmatch(v) is not None, "a GitHub login")
#: An account row is a GitHub.com login, or an email invitation's internal `~invitation-ID` (orgs_seed.pseudo_login).
_INVITATION = re.compile(r"~invitation-[0-9]{1,19}")
account_login = text(lambda v: _LOGIN.fullmatch(v) is not None or _INVITATION.fullmatch(v) is not None,
                     "a GitHub login (or an email invitation's ~invitation-ID)")
email = text(lambda v: len(v) <= 320 and _EMAIL.search(v) is not None, "an email address")
strings = json_text(lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v), "an array of strings")
_INT64 = range(-(2**63), 2**63)
_REPO = re.compile(r"[^/\x00-\x1f\x7f]{1,100}")  # a scenario file's repository name: 1-100 characters


def _usage(value: Any) -> bool:
    """A server's kept users: `[[user_id, primary_email, other emails...], ...]` (privacy.keep)."""
    return isinstance(value, list) and all(
        isinstance(u, list) and len(u) >= 2 and isinstance(u[0], int) and not isinstance(u[0], bool)
        and u[0] in _INT64 and all(isinstance(e, str) and len(e) <= 320 and _EMAIL.search(e) for e in u[1:])
        for u in value)


def _repos(value: Any) -> bool:
    """An outside-collaborator invitation's repositories: `["org/repo", ...]`."""
    return isinstance(value, list) and all(
        isinstance(r, str) and "/" in r and _SLUG.fullmatch(r.split("/", 1)[0]) is not None
        and _REPO.fullmatch(r.split("/", 1)[1]) is not None for r in value)


def _objects_with_value(value: Any) -> bool:
    """SCIM's multi-valued attributes: `[{"value": "...", ...}, ...]`."""
    return isinstance(value, list) and all(isinstance(i, dict) and isinstance(i.get("value"), str) for i in value)


def one_of(*allowed: str, nullable: bool = False) -> Any:
    """A text cell holding one of `allowed`."""
    return text(lambda v: v in allowed, "one of " + ", ".join(allowed), nullable=nullable)


repo = text(lambda v: v == "" or _REPO.fullmatch(v) is not None, "a repository name (or empty)")
org = slug
optional_login = text(lambda v: _LOGIN.fullmatch(v) is not None, "a GitHub login or null", nullable=True)
optional_email = text(lambda v: len(v) <= 320 and _EMAIL.search(v) is not None, "an email address or null",
                      nullable=True)

def _scenario(value: Any) -> bool:
    """The stored scenario spec (store.load): seed, preset and params as a load takes them."""
    return isinstance(value, dict) and isinstance(value.get("seed"), int) and not isinstance(value["seed"], bool) \
        and value["seed"] in _INT64 and isinstance(value.get("preset"), str) and isinstance(value.get("params"), dict) \
        and isinstance(value.get("resolved_params", {}), dict) and isinstance(value.get("enterprise", ""), str) \
        and isinstance(value.get("file"), dict | None)


RULES: ColumnRules = {
    ("mock_kv", "ghec_scenario"): json_text(_scenario, "the scenario spec {seed, preset, params, ...}"),
    ("ghec_enterprises", "slug"): slug, ("ghec_enterprises", "scenario_slug"): slug,
    ("ghec_enterprises", "name"): one_line(255, nullable=False),
    ("ghec_enterprises", "organizations"): strings, ("ghec_enterprises", "verified_domains"): strings,
    ("ghec_accounts", "login"): account_login, ("ghec_accounts", "name"): one_line(255, nullable=False),
    ("ghec_account_emails", "address"): email,
    ("ghec_tokens", "login"): login,
    ("ghes_servers", "server_id"): uuid, ("ghes_servers", "host_name"): host, ("ghes_servers", "version"): version,
    ("ghes_servers", "event"): one_line(255, nullable=False),
    ("ghes_servers", "sync_status"): text(lambda v: v in ("success", "error"), "success, error or null",
                                          nullable=True),
    ("ghes_servers", "sync_error"): one_line(MAX_SYNC_ERROR_CHARS, nullable=False),
    ("ghes_usage", "users"): json_text(_usage, "[[user_id, email, ...], ...]"),
    ("privacy_ledger", "server_id"): uuid, ("privacy_ledger", "source"): one_of("upload", "connect"),
    ("privacy_ledger", "enterprise"): slug, ("privacy_ledger", "paths"): strings,
    ("ghec_enterprises", "seats_purchased"): lambda v: None if v >= 0 else "must be 0 or more",
    ("ghec_accounts", "role"): one_of("owner", "member", "outside_collaborator", "pending_invitation"),
    ("ghec_identities", "provider"): one_of("saml", "scim"),
    ("ghec_identities", "name_id"): one_line(320, nullable=False),
    ("ghec_identities", "username"): one_line(320, nullable=False),
    ("ghec_identities", "name_claim"): one_line(320, nullable=False),
    ("ghec_identities", "emailaddress_claim"): one_line(320, nullable=False),
    ("ghec_identities", "emails"): strings, ("ghec_tokens", "label"): one_line(255, nullable=False),
    ("ghec_orgs", "login"): org, ("ghec_repos", "org"): org, ("ghec_repos", "name"): repo,
    ("ghec_repos", "visibility"): one_of("public", "private", "internal"),
    ("ghec_org_roles", "org"): org, ("ghec_org_roles", "role"): one_of("admin", "member", "billing_manager"),
    ("ghec_collaborators", "org"): org, ("ghec_collaborators", "repo"): repo,
    ("ghec_invitations", "org"): org,
    ("ghec_invitations", "role"): one_of("direct_member", "admin", "billing_manager", "reinstate"),
    ("ghec_invitations", "login"): optional_login, ("ghec_invitations", "email"): optional_email,
    ("ghec_invitations", "repos"): json_text(_repos, '["org/repo", ...]'),
    ("ghec_invitations", "source"): one_of("member", "scim"),
    ("ghec_invitations", "inviter_login"): text(lambda v: v == "" or _LOGIN.fullmatch(v) is not None,
                                                "a GitHub login or empty"),
    ("ghec_scim_users", "id"): uuid,
    ("ghec_scim_users", "scope"): text(lambda v: v == "enterprise" or (v.startswith("org:") and _SLUG.fullmatch(
        v[4:]) is not None), "org:LOGIN or enterprise"),
    ("ghec_scim_users", "external_id"): one_line(255), ("ghec_scim_users", "user_name"): one_line(255, nullable=False),
    ("ghec_scim_users", "given_name"): one_line(255, nullable=False),
    ("ghec_scim_users", "family_name"): one_line(255, nullable=False),
    ("ghec_scim_users", "display_name"): one_line(255),
    ("ghec_scim_users", "emails"): json_text(_objects_with_value, '[{"value": ...}, ...]'),
    ("ghec_scim_users", "roles"): json_text(_objects_with_value, '[{"value": ...}, ...]'),
    ("ghec_scim_users", "created"): time_value, ("ghec_scim_users", "modified"): time_value,
    ("ghec_vs_subscriptions", "id"): uuid, ("ghec_vs_subscriptions", "email"): email,
}
