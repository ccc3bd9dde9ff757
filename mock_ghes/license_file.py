"""The mock's license file: parsing it and applying it, for the Manage API upload and `license import`.

A real `.ghl` is GitHub's secret format, so the mock takes its own small JSON license
(`{"seats": 100 or "unlimited", "kind": "standard", "expire_at": "<RFC 3339>"}`, docs/ghes.md).
Both ways in (the Manage API's `PUT /manage/v1/config/license` and `mock-ghes license import`)
go through these two functions, so they accept and refuse exactly the same files.
"""
from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from github_http import GitHubError, isoformat, parse_time
from github_http.request_guard import parse_json

from .schemas import MockLicenseSchema
from .seeding import license_hash
from .store import Store

LICENSE_HELP = ('the mock\'s JSON license: {"seats": 100 or "unlimited", "kind": "standard", '
                '"expire_at": "<RFC 3339>"}')


class InvalidLicense(ValueError):
    """A license file the mock refuses; `fields` names what is wrong (empty: not JSON at all)."""

    def __init__(self, fields: list[str], status: int = 400, errors: list[dict[str, Any]] | None = None) -> None:
        """Say which fields are wrong, or that the file is not the mock's license (with the reader's
        status and errors: too large, too deep, not JSON text)."""
        super().__init__(f"invalid license: {', '.join(fields)}" if fields else f"not {LICENSE_HELP}")
        self.fields, self.status, self.errors = fields, status, errors


def parse_license(raw: bytes) -> dict[str, Any]:
    """`{seats, kind, expire_at}` from a license file's bytes, or InvalidLicense."""
    try:  # the shared reader: bounded, at most 32 levels deep, no lone surrogates or control characters
        data = parse_json(raw)
    except GitHubError as error:
        raise InvalidLicense([], error.status, error.errors) from error
    try:
        loaded = MockLicenseSchema().load(data if isinstance(data, dict) else {})
    except ValidationError as error:
        raise InvalidLicense(sorted(error.normalized_messages())) from error
    seats = loaded["seats"]
    if not (seats == "unlimited" or (isinstance(seats, int) and not isinstance(seats, bool) and seats >= 0)):
        raise InvalidLicense(["seats"])
    try:
        loaded["expire_at"] = isoformat(parse_time(loaded["expire_at"]))
    except ValueError as error:
        raise InvalidLicense(["expire_at"]) from error
    return loaded


def apply_license(store: Store, new: dict[str, Any]) -> None:
    """Make `new` the instance's license at once (a new hash and reference number)."""
    instance = store.instance()
    digest = license_hash({"server_id": instance["server_id"], "company": instance["company"],
                           "seats": new["seats"], "kind": new["kind"], "expire_at": new["expire_at"]})
    store.update_license(None if new["seats"] == "unlimited" else new["seats"], new["kind"],
                         new["expire_at"], digest, digest[7:13])
