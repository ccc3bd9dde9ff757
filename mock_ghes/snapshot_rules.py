"""What a restored GHES snapshot's values must be: the rules the routes that write them apply.

Used by `PUT /_mock/snapshot` (github_http/snapshot_check.py). The instance's host name goes
into the export's file name and `Content-Disposition` header, logins into URLs, the Connect
URL into outgoing requests: a restore may not bring in what the seeding, the admin API or the
Connect settings would have refused. Every cell is also held to its column's declared type,
and time columns (`*_at`, `at`) to RFC 3339, by the shared check. GHES derives one table, the
site-admin reports (`REPORTS_TABLE`): not in snapshots, built again when asked.
"""
from __future__ import annotations

import json
import re
from typing import Any

from export_format.schemas import HOST_PATTERN, UUID_PATTERN, VERSION_PATTERN
from export_format.strict import compile_json_pattern
from github_http.snapshot_check import ColumnRules, json_text, one_line, text

from .domain import EMAIL, MAX_LOGIN_LENGTH, normalise_login
from .schemas import MAX_REASON_LENGTH

_UUID = re.compile(UUID_PATTERN)
_HOST = compile_json_pattern(HOST_PATTERN)
_VERSION = compile_json_pattern(VERSION_PATTERN)
_URL = re.compile(r"https?://[^\s/]+[^\s]{0,2000}")
_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,254}")


def _emails(value: Any) -> bool:
    """A user's `emails_json`: [{"address": <email>, "primary": bool}, ...]."""
    return isinstance(value, list) and all(
        isinstance(e, dict) and isinstance(e.get("address"), str) and EMAIL.search(e["address"]) is not None
        and isinstance(e.get("primary"), bool) for e in value)


def _json_object(text_value: str) -> bool:
    """Whether text is a JSON object (a scenario file's document as runtime.py stores it)."""
    try:
        return isinstance(json.loads(text_value), dict)
    except (ValueError, RecursionError):
        return False


login = text(lambda v: 0 < len(v) <= MAX_LOGIN_LENGTH and normalise_login(v) == v, "a GitHub login")

RULES: ColumnRules = {
    ("mock_kv", "ghes_scenario_file"): text(lambda v: v == "" or _json_object(v), "a scenario file's document, or ''"),
    ("ghes_instance", "server_id"): text(lambda v: _UUID.fullmatch(v) is not None, "a lowercase UUID"),
    ("ghes_instance", "host_name"): text(lambda v: len(v) <= 255 and _HOST.search(v) is not None, "a host name"),
    ("ghes_instance", "version"): text(lambda v: len(v) <= 64 and _VERSION.search(v) is not None,
                                       "a version such as 3.15.2"),
    ("ghes_instance", "company"): one_line(255, nullable=False),
    ("ghes_instance", "seats"): lambda v: None if v is None or v >= 0 else "must be 0 or more (or null: unlimited)",
    ("ghes_instance", "license_kind"): one_line(64, nullable=False),
    ("ghes_instance", "license_hash"): one_line(255, nullable=False),
    ("ghes_instance", "reference_number"): one_line(255, nullable=False),
    ("ghes_instance", "public_key"): text(lambda v: len(v) <= 16384 and v.startswith("-----BEGIN "),
                                          "a PEM public key"),
    ("ghes_instance", "preset"): one_line(64, nullable=False),
    ("ghes_instance", "admin_login"): login, ("ghes_instance", "member_login"): login,
    ("ghes_instance", "params_json"): json_text(lambda v: isinstance(v, dict), "an object"),
    ("ghes_users", "login"): login,
    ("ghes_users", "name"): one_line(255),
    ("ghes_users", "emails_json"): json_text(_emails, "[{address, primary}, ...]"),
    ("ghes_users", "suspension_reason"): one_line(MAX_REASON_LENGTH),
    ("ghes_users", "kind"): one_line(64, nullable=False), ("ghes_users", "canary"): one_line(255, nullable=False),
    ("ghes_connect", "ghec_url"): text(lambda v: v == "" or _URL.fullmatch(v) is not None, "an http(s) URL or empty"),
    ("ghes_connect", "enterprise"): text(lambda v: v == "" or _SLUG.fullmatch(v) is not None,
                                         "an enterprise slug or empty"),
    ("ghes_connect", "token"): one_line(255, nullable=False),
    ("ghes_connect", "registration_error"): one_line(2000),
    ("ghes_sync_attempts", "error"): one_line(2000),
}
