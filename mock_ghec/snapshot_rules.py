"""What a restored GHEC snapshot's values must be: the rules the routes that write them apply.

Used by `PUT /_mock/snapshot` (github_http/snapshot_check.py): a server registered or uploaded
through a route has a UUID, a host name and a version that passed these very patterns, and a
failed-sync text bounded by the Connect push route; a restore may not bring in what those
routes would have refused.
"""
from __future__ import annotations

import re

from export_format.schemas import EMAIL_PATTERN, HOST_PATTERN, UUID_PATTERN
from export_format.strict import compile_json_pattern
from github_http.snapshot_check import ColumnRules, json_text, one_line, text

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

RULES: ColumnRules = {
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
    ("ghes_usage", "users"): json_text(lambda v: isinstance(v, list), "an array of users"),
    ("privacy_ledger", "server_id"): uuid,
}
